"""The webhooks page beside the API keys page: endpoints, their deliveries, test and resend.

Every write goes through ``config.webhooks.services``, as the REST API's do. Another user's id
raises ``NotFound``, which ``config.views.ApplicationErrorMiddleware`` renders as the 404 page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from config.webhooks import selectors, services
from config.webhooks.errors import EndpointDisabled
from config.webhooks.forms import WebhookEditForm, WebhookForm

DELIVERIES_PER_PAGE = 20
# Which form field a service's refusal belongs to (None: the whole form).
ERROR_FIELDS = {"URL_NOT_ALLOWED": "url", "UNKNOWN_EVENT": "events"}


@login_required
def endpoints(request):
    form = WebhookForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, new_secret = services.create_endpoint(request.user, url=form.cleaned_data["url"],
                                                            events=form.cleaned_data["events"])
        except ApplicationError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.message)
        else:
            messages.success(request, f"Endpoint {endpoint.url} created.")
            form = WebhookForm()
    return render(request, "webhooks/endpoints.html", {
        "form": form, "endpoints": selectors.endpoints_for(request.user), "new_secret": new_secret})


@login_required
def detail(request, webhook_id):
    endpoint = selectors.endpoint_for(request.user, webhook_id)
    initial = {"url": endpoint.url, "events": endpoint.events, "active": endpoint.active}
    form = WebhookEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(request.user, endpoint_id=endpoint.pk, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.message)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:detail", endpoint.pk)
    page = Paginator(selectors.deliveries_for(request.user, endpoint.pk), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "webhooks/detail.html", {"endpoint": endpoint, "form": form, "page": page})


@login_required
@require_POST
def send_test(request, webhook_id):
    endpoint = selectors.endpoint_for(request.user, webhook_id)
    try:
        services.send_test_event(request.user, endpoint_id=endpoint.pk)
    except EndpointDisabled as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Test event queued. Its delivery appears below.")
    return redirect("webhooks:detail", endpoint.pk)


@login_required
@require_POST
def resend(request, webhook_id, delivery_id):
    endpoint = selectors.endpoint_for(request.user, webhook_id)
    try:
        services.resend_delivery(request.user, endpoint_id=endpoint.pk, delivery_id=delivery_id)
    except EndpointDisabled as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Delivery queued again.")
    return redirect("webhooks:detail", endpoint.pk)


@login_required
@require_POST
def delete(request, webhook_id):
    endpoint = selectors.endpoint_for(request.user, webhook_id)
    services.delete_endpoint(request.user, endpoint_id=endpoint.pk)
    messages.success(request, f"Endpoint {endpoint.url} deleted. Its pending deliveries will not be sent.")
    return redirect("webhooks:endpoints")
