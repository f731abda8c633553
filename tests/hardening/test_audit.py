"""The audit log: security events and staff actions land in AuditEvent and show in the admin."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from config.accounts.models import APIKey
from config.audit.choices import AuditAction
from config.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_failed_page_sign_in_is_recorded_with_login_and_address(client, owner):
    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": "wrong-password"})

    assert response.status_code == 200  # the form again, with its error
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.detail == {"login": owner.email}
    assert event.ip == "127.0.0.1"
    assert event.actor is None
    assert "wrong-password" not in json.dumps(event.detail)


def test_failed_api_sign_in_is_recorded_with_the_address(api, owner):
    response = api.post("/api/v1/auth/login", {"email": owner.email, "password": "wrong-password"}, format="json")

    assert response.status_code == 401
    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.detail == {"login": owner.email}
    assert event.ip == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]


def test_successful_page_sign_in_is_recorded_for_the_user(client, owner):
    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": PASSWORD})

    assert response.status_code == 302
    [event] = events(AuditAction.LOGIN_SUCCEEDED)
    assert event.actor == owner
    assert (event.target_type, event.target_id) == ("accounts.user", str(owner.pk))


def test_api_key_creation_and_revocation_are_recorded_without_the_secret(owner_api, owner):
    created = owner_api.post("/api/v1/auth/api-keys", {"name": "CRM"}, format="json")
    assert created.status_code == 201
    revoked = owner_api.delete(f"/api/v1/auth/api-keys/{created.data['id']}")
    assert revoked.status_code == 204

    [made] = events(AuditAction.API_KEY_CREATED)
    [gone] = events(AuditAction.API_KEY_REVOKED)
    for event in (made, gone):
        assert event.actor == owner
        assert (event.target_type, event.target_id) == ("accounts.apikey", str(created.data["id"]))
        assert event.detail["prefix"] == created.data["prefix"]
        assert created.data["key"] not in json.dumps(event.detail)


def test_revoking_an_already_revoked_key_records_nothing_more(owner_api):
    key_id = owner_api.post("/api/v1/auth/api-keys", {}, format="json").data["id"]
    owner_api.delete(f"/api/v1/auth/api-keys/{key_id}")
    owner_api.delete(f"/api/v1/auth/api-keys/{key_id}")

    assert len(events(AuditAction.API_KEY_REVOKED)) == 1


def test_api_permission_denial_is_recorded(owner_api, owner):
    response = owner_api.put("/api/v1/settings", {}, format="json")

    assert response.status_code == 403
    [event] = events(AuditAction.PERMISSION_DENIED)
    assert event.actor == owner
    assert event.detail == {"method": "PUT", "path": "/api/v1/settings"}


def test_csrf_failure_on_a_page_is_recorded_as_a_denial(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("accounts:api_keys"), {"name": "no token"})

    assert response.status_code == 403
    [event] = events(AuditAction.PERMISSION_DENIED)
    assert event.detail["path"] == reverse("accounts:api_keys")
    assert not APIKey.objects.exists()


def test_denial_event_never_stores_the_query_string(client):
    client.get("/admin/ai/?token=secret-jwt")  # staff only: a redirect to the admin login, not a 403
    Client(enforce_csrf_checks=True).post("/accounts/login/?token=secret-jwt", {})

    assert all("secret-jwt" not in json.dumps(event.detail) for event in AuditEvent.objects.all())
    assert events(AuditAction.PERMISSION_DENIED)


def test_staff_changes_in_the_admin_are_recorded_and_listed(staff):
    client = staff_client(staff)

    added = client.post(reverse("admin:auth_group_add"), {"name": "Editors", "permissions": []})
    group = Group.objects.get(name="Editors")
    changed = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "Reviewers", "permissions": []})

    assert (added.status_code, changed.status_code) == (302, 302)
    [addition] = events(AuditAction.ADMIN_ADDITION)
    [change] = events(AuditAction.ADMIN_CHANGE)
    for event in (addition, change):
        assert event.actor == staff
        assert (event.target_type, event.target_id) == ("auth.group", str(group.pk))
    assert change.detail["object"] == "Reviewers" and "Name" in change.detail["change"]

    listing = client.get(CHANGELIST, {"action__exact": AuditAction.ADMIN_CHANGE})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [change]
    assert staff.email in listing.content.decode()


def test_bulk_admin_action_is_recorded_with_the_staff_member_as_actor(staff, owner):
    from config.accounts.services import create_api_key

    key, _ = create_api_key(owner, name="old")
    client = staff_client(staff)

    response = client.post(reverse("admin:accounts_apikey_changelist"),
                           {"action": "revoke", "_selected_action": [key.pk]})

    assert response.status_code == 302
    [action] = events(AuditAction.ADMIN_ACTION)
    assert action.actor == staff
    assert action.target_type == "accounts.apikey"
    assert action.detail["action"] == "revoke" and action.detail["ids"] == [str(key.pk)]
    [revoked] = events(AuditAction.API_KEY_REVOKED)
    assert revoked.actor == staff  # the staff member did it, though the key is the owner's
    assert revoked.detail["owner"] == owner.email


def test_audit_changelist_filters_by_action(staff, client, owner):
    client.post(reverse("accounts:login"), {"username": owner.email, "password": "nope"})
    admin = staff_client(staff)

    failed = admin.get(CHANGELIST, {"action__exact": AuditAction.LOGIN_FAILED})
    denied = admin.get(CHANGELIST, {"action__exact": AuditAction.PERMISSION_DENIED})

    assert [event.action for event in failed.context["cl"].result_list] == [AuditAction.LOGIN_FAILED]
    assert list(denied.context["cl"].result_list) == []


def test_audit_events_cannot_be_added_changed_or_deleted_in_the_admin(staff, client, owner):
    client.post(reverse("accounts:login"), {"username": owner.email, "password": "nope"})
    event = AuditEvent.objects.get()
    admin = staff_client(staff)

    assert admin.get(CHANGELIST + "add/").status_code == 403
    assert admin.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    page = admin.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_normal_user_cannot_read_the_audit_log(owner):
    client = Client()
    client.force_login(owner)

    response = client.get(CHANGELIST)

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
