"""Serve signed media and accept signed local uploads."""

import mimetypes

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from config.files.presign import read_upload_token
from config.files.signing import read_media_token


@require_GET
def media(request, token: str):
    """Stream a private file named by a valid, unexpired token."""
    try:
        name, download_name = read_media_token(token)
    except (signing.BadSignature, KeyError):
        return HttpResponse("This link is invalid or has expired.", status=403, content_type="text/plain")
    if not default_storage.exists(name):
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type,
                            as_attachment=bool(download_name), filename=download_name or None)
    response["Cache-Control"] = "private, max-age=300"
    return response


@csrf_exempt  # the signed token is the credential; there is no session involved
@require_http_methods(["PUT"])
def upload(request, token: str):
    """Accept one PUT of at most the granted size to the granted key."""
    try:
        grant = read_upload_token(token)
    except (signing.BadSignature, KeyError):
        return JsonResponse({"detail": "Upload URL is invalid or has expired."}, status=403)
    if request.content_type != grant["t"]:
        return JsonResponse({"detail": f"Content-Type must be {grant['t']}."}, status=400)
    # A declared oversize body is refused unread; one that lies about its length is cut at the grant.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    too_large = declared.isdigit() and int(declared) > grant["m"]
    body = b"" if too_large else request.read(grant["m"] + 1)
    if too_large or len(body) > grant["m"]:
        return JsonResponse({"detail": f"Upload exceeds {grant['m']} bytes."}, status=413)
    if default_storage.exists(grant["k"]):
        default_storage.delete(grant["k"])  # a repeated PUT replaces, like S3
    default_storage.save(grant["k"], ContentFile(body))
    return HttpResponse(status=200)
