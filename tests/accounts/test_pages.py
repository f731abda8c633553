"""Browser pages: sign-up, sign-in, profile, API keys, dashboard, job pages."""

import pytest
from django.core import mail

from config.accounts import services
from config.accounts.models import APIKey, User
from config.jobs import selftest
from config.jobs import services as jobs
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_creates_the_account_and_signs_in(client):
    response = client.post("/accounts/signup/", {"email": "new@example.com", "password": "a-long-passphrase",
                                                 "full_name": "New Agent"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert User.objects.filter(email="new@example.com").exists()
    assert client.get("/dashboard/").status_code == 200


def test_signup_with_a_taken_email_shows_the_error(client, owner):
    response = client.post("/accounts/signup/", {"email": owner.email, "password": "a-long-passphrase"})
    assert response.status_code == 200 and "already exists" in response.content.decode()


def test_sign_in_and_out(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_password_reset_sends_an_email_with_a_working_link(client, owner):
    client.post("/accounts/password-reset/", {"email": owner.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    post_to = form_page.redirect_chain[-1][0]
    client.post(post_to, {"new_password1": "another-long-pass", "new_password2": "another-long-pass"})
    owner.refresh_from_db()
    assert owner.check_password("another-long-pass")


def test_the_api_key_page_shows_a_new_key_once(client, owner):
    client.force_login(owner)
    page = client.post("/accounts/api-keys/", {"name": "Zapier"}).content.decode()
    key = APIKey.objects.get(owner=owner)
    assert f"sc_{key.prefix}_" in page
    assert f"sc_{key.prefix}_" not in client.get("/accounts/api-keys/").content.decode()


def test_another_users_key_cannot_be_revoked_from_the_page(client, owner, other_user):
    key, _ = services.create_api_key(other_user, name="theirs")
    client.force_login(owner)
    assert client.post(f"/accounts/api-keys/{key.pk}/revoke").status_code == 404
    key.refresh_from_db()
    assert key.is_active


def test_profile_saves_preferences(client, owner):
    client.force_login(owner)
    client.post("/accounts/profile/", {"full_name": "Alice A", "company": "Acme", "default_style": "modern_luxury",
                                       "email_on_completion": "on"})
    owner.refresh_from_db()
    assert (owner.company, owner.default_style) == ("Acme", "modern_luxury")
    assert owner.notification_preferences == {"email_on_completion": True, "processing_updates": False}


def test_dashboard_shows_usage_and_recent_jobs(client, owner, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK)
    client.force_login(owner)
    page = client.get("/dashboard/").content.decode()
    assert "Platform self-test job" in page and "platform.selftest" not in page and "1</strong> of" in page


def test_another_users_job_page_is_404(client, owner, other_user, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    job = jobs.create_job(other_user, kind=selftest.KIND, task=selftest.TASK, metered=False)
    client.force_login(owner)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/cancel").status_code == 404


def test_another_users_job_is_404_over_the_api(owner_api, other_user, monkeypatch):
    monkeypatch.setattr(jobs, "async_task", lambda *a, **k: None)
    job = jobs.create_job(other_user, kind=selftest.KIND, task=selftest.TASK, metered=False)
    assert owner_api.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert owner_api.post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 404
    assert owner_api.get("/api/v1/jobs").json() == {"items": [], "total": 0}


def test_admin_lists_users_keys_and_jobs_for_staff(client, staff, owner):
    services.create_api_key(owner, name="k")
    client.force_login(staff)
    for page in ("/admin/accounts/user/", "/admin/accounts/apikey/", "/admin/jobs/job/"):
        assert client.get(page).status_code == 200
