"""Doors closed for production: deploy checks, headers, cookies, throttled sign-in, and the Procfile's processes.

Production settings are read in subprocesses (settings are evaluated once per
process), with ``STAGECRAFT_PRODUCTION=true`` and the rest of a real
production environment, pointing at this run's test database.
"""

import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from config.accounts.models import User
from config.audit.choices import AuditAction
from config.audit.models import AuditEvent
from tests.conftest import require
from tests.e2e.processes import REPO, free_port, process_env, stop, wait_for

PROCFILE = REPO / "Procfile"
# Readiness line django-q2 logs once a cluster's workers, monitor and pusher are up: the cluster's
# name in the ORM broker's words ("[gpu]"), its Redis list in the Redis broker's ("[django_q:gpu:q]").
CLUSTER_RUNNING = re.compile(r"Q Cluster \S+ \[(?:django_q:)?(\w+)(?::q)?\] running\.")


def production_env(tmp_path: Path, **overrides: str) -> dict:
    """A production environment (no secrets from anywhere) on this run's database, Redis and media."""
    static_root = tmp_path / "static"
    static_root.mkdir(exist_ok=True)
    venv_bin = str(Path(sys.executable).parent)
    base = process_env()
    return {**base, "STAGECRAFT_PRODUCTION": "true", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,stagecraft.example", "SITE_URL": "https://stagecraft.example",
            "CSRF_TRUSTED_ORIGINS": "https://stagecraft.example", "STATIC_ROOT": str(static_root),
            "PATH": f"{venv_bin}:{base.get('PATH', '')}", "PYTHONUNBUFFERED": "1", **overrides}


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True)


def procfile() -> dict[str, str]:
    entries = {}
    for line in PROCFILE.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


# --- manage.py check --deploy and the production settings -------------------------------------------------

@pytest.mark.django_db
def test_check_deploy_reports_no_issues_under_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


@pytest.mark.django_db
def test_production_settings_make_cookies_secure_and_validate_passwords(tmp_path):
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
             "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "AUTH_PASSWORD_VALIDATORS"]
    code = ("from django.conf import settings; import json; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))")

    result = manage(production_env(tmp_path), "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True and values["SECURE_REFERRER_POLICY"] == "same-origin"
    validators = {entry["NAME"].rsplit(".", 1)[-1] for entry in values["AUTH_PASSWORD_VALIDATORS"]}
    assert {"MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator",
            "UserAttributeSimilarityValidator"} <= validators


@pytest.mark.parametrize(("overrides", "binding", "threshold"), [
    ({}, True, "psycopg's default"),
    ({"DATABASE_SERVER_SIDE_BINDING": "false"}, False, "psycopg's default"),
    ({"DATABASE_TRANSACTION_POOLER": "true"}, True, None),  # binding alone is safe behind PgBouncer
])
def test_postgresql_parameters_are_bound_server_side_unless_switched_off(tmp_path, overrides, binding, threshold):
    code = ("from django.conf import settings; import json; options = settings.DATABASES['default']['OPTIONS']; "
            "print(json.dumps([options.get('server_side_binding'), "
            "options.get('prepare_threshold', \"psycopg's default\")]))")
    env = production_env(tmp_path, DATABASE_URL="postgres://stagecraft@127.0.0.1:5432/stagecraft", **overrides)

    result = manage(env, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [binding, threshold]


@pytest.mark.django_db
def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = production_env(tmp_path)
    env.pop("SECRET_KEY")

    result = manage(env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


# --- Headers ---------------------------------------------------------------------------------------------------

def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def production_headers(settings):
    """The header settings production turns on, for in-process requests over HTTPS."""
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


@pytest.mark.django_db
def test_a_page_carries_the_security_headers_and_a_strict_csp(client, production_headers):
    response = client.get(reverse("accounts:login"), secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce asked for on this page, no inline anything
    assert policy["style-src"] == ["'self'"] and policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'self'" in policy["connect-src"] and "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_api_response_carries_the_security_headers_and_a_deny_all_csp(owner_api, production_headers):
    response = owner_api.get("/api/v1/auth/me", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert directives(response)["default-src"] == ["'none'"]


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_probes(client, production_headers):
    assert client.get("/api/v1/auth/me").status_code == 301
    assert client.get("/health").status_code == 200


@pytest.mark.django_db
def test_the_designs_import_map_is_the_only_inline_script_and_carries_the_policys_nonce(client, owner, settings):
    from designs import services

    require((django_settings.BASE_DIR / "node_modules" / "three").is_dir(), "three.js is not installed (npm ci)")
    settings.AI_LOCAL_MODELS = False  # the rules' keyword path: this test is about the page, not the embedder
    spec = services.generate(owner, prompt="oak dining table for six, 1.8 m long").spec
    client.force_login(owner)

    response = client.get(f"/preview/{spec.pk}")

    assert response.status_code == 200
    page = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script type="importmap" nonce="{nonce}">' in page
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" not in tag and "json" not in tag]
    assert inline == [f'<script type="importmap" nonce="{nonce}">']
    assert client.get(f"/preview/{spec.pk}")["Content-Security-Policy"] != response["Content-Security-Policy"]


@pytest.mark.django_db
def test_s3_media_origin_is_allowed_for_images(settings, client):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
        **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "img-src": [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], "https://media.example"]}}

    assert "https://media.example" in directives(client.get(reverse("accounts:login")))["img-src"]


@pytest.mark.django_db
def test_swagger_ui_runs_without_inline_script(client):
    response = client.get("/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))
    assert "'unsafe-inline'" not in directives(response)["script-src"]


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, owner, production_headers):
    from tests.factories import PASSWORD

    form = client.get(reverse("accounts:login"), secure=True)
    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}, secure=True)

    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], form.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["samesite"] == "Lax"


# --- Sign-in throttling and passwords --------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_sign_in_page_is_throttled_per_account_across_addresses(owner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "3/m"}
    client = Client()
    answers = [client.post(reverse("accounts:login"), {"username": owner.email, "password": "guess"},
                           REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_THROTTLED).count() == 1
    assert client.get(reverse("accounts:login")).status_code == 200  # showing the form is never counted


@pytest.mark.django_db
def test_the_sign_in_page_is_throttled_per_address_with_retry_after(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "2/m"}
    client = Client()
    answers = [client.post(reverse("accounts:login"), {"username": f"user{n}@example.com", "password": "guess"})
               for n in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("path, field", [("/accounts/password-reset/", "email"), ("/accounts/signup/", "email"),
                                         ("/admin/login/", "username")])
def test_password_reset_signup_and_admin_sign_in_are_throttled(settings, path, field):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "1/m"}
    client = Client()

    first = client.post(path, {field: "someone@example.com", "password": "x"})
    second = client.post(path, {field: "someone@example.com", "password": "x"})

    assert first.status_code != 429 and second.status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short1", "password123", "12345678901"])
def test_weak_passwords_are_refused_on_the_page_and_the_api(client, api, password):
    page = client.post(reverse("accounts:signup"), {"email": "new@example.com", "password": password})
    answer = api.post("/api/v1/auth/register", {"email": "new@example.com", "password": password}, format="json")

    assert page.status_code == 200 and "password" in page.context["form"].errors
    assert answer.status_code == 422
    assert not User.objects.filter(email="new@example.com").exists()


# --- The Procfile's processes start -----------------------------------------------------------------------------

def test_the_procfile_defines_release_web_worker_and_gpu():
    entries = procfile()

    assert set(entries) == {"release", "web", "worker", "gpu"}
    assert "Q_CLUSTER_NAME=gpu" in entries["gpu"] and "qcluster" in entries["gpu"]
    assert "--proxy-headers" in entries["web"] and "${PORT" in entries["web"]


def wait_for_line(log: Path, pattern: re.Pattern, process: subprocess.Popen, timeout: float = 60) -> re.Match:
    """Wait until the process logs ``pattern`` (a start-up bound, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = pattern.search(log.read_text(errors="replace"))
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"no {pattern.pattern!r} from {process.args}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_procfile_commands_start_and_serve_under_production_settings(tmp_path):
    entries = procfile()
    port = free_port()
    env = production_env(tmp_path, PORT=str(port), WEB_CONCURRENCY="2", FORWARDED_ALLOW_IPS="127.0.0.1")

    release = subprocess.run(["bash", "-c", entries["release"]], cwd=REPO, env=env, capture_output=True, text=True)
    assert release.returncode == 0, release.stdout + release.stderr

    processes, logs = {}, {}
    try:
        for name in ("web", "worker", "gpu"):
            logs[name] = tmp_path / f"{name}.log"
            with logs[name].open("w") as log:
                # Procfile runners hand each line to a shell, which expands ${PORT:-8000} and friends.
                processes[name] = subprocess.Popen(["bash", "-c", entries[name]], cwd=REPO, env=env, stdout=log,
                                                   stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        with logs["web"].open() as log:
            wait_for(f"{base}/health", processes["web"], log, timeout=90)
        assert wait_for_line(logs["worker"], CLUSTER_RUNNING, processes["worker"]).group(1) == "default"
        assert wait_for_line(logs["gpu"], CLUSTER_RUNNING, processes["gpu"]).group(1) == "gpu"

        # Behind the load balancer: TLS ended there, the client's address forwarded.
        behind_lb = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        ready = httpx.get(f"{base}/ready", headers=behind_lb)
        assert ready.status_code == 200, ready.text
        assert ready.headers["Strict-Transport-Security"].startswith("max-age=")
        assert httpx.get(f"{base}/api/v1/auth/me").status_code == 301  # plain HTTP is sent to HTTPS
        login = httpx.post(f"{base}/api/v1/auth/login", headers=behind_lb,
                           json={"email": "nobody@example.com", "password": "wrong-password"})
        assert login.status_code == 401
        event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED, request_id=login.headers["X-Request-ID"])
        assert event.ip == "203.0.113.7"  # uvicorn trusted the balancer's X-Forwarded-For
    finally:
        for process in processes.values():  # all at once: each takes a moment to finish cleanly
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            stop(process)
    assert all(process.returncode is not None for process in processes.values())


def test_systemd_units_run_the_procfile_commands():
    units = {path.name: path.read_text() for path in (REPO / "deploy" / "systemd").glob("*.service")}
    entries = procfile()

    web = units["stagecraft-web.service"]
    assert "uvicorn config.asgi:application" in web and "--proxy-headers" in web
    assert "manage.py qcluster" in units["stagecraft-worker@.service"]
    assert "Q_CLUSTER_NAME=gpu" in units["stagecraft-gpu@.service"]
    assert "migrate --noinput" in units["stagecraft-migrate.service"]
    for text in units.values():
        assert "EnvironmentFile=/etc/stagecraft/stagecraft.env" in text
    assert shlex.split(entries["worker"])[-2:] == ["manage.py", "qcluster"]


def test_the_environment_example_holds_no_secrets_and_only_real_settings():
    settings_source = (REPO / "config" / "settings.py").read_text()
    # The Procfile and unit commands read these; boto3 reads its credentials itself.
    read_elsewhere = {"PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    lines = (REPO / "deploy" / "stagecraft.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]

    assert pairs
    for name, value in pairs:
        if any(word in name for word in ("SECRET", "PASSWORD", "API_KEY", "ENCRYPTION_KEYS", "ACCESS_KEY")):
            assert value == "", f"{name} must be blank in the example"
        assert name in read_elsewhere or f'"{name}"' in settings_source, f"{name} is not a setting"
