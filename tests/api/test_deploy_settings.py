"""Production settings pass Django's deployment checklist and are HTTPS-only."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from rest_framework.test import APIClient

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 30 + "-production-only-test-secret-0123456789",
    "DATABASE_URL": "postgres://owner@db.invalid:5432/chiro",
    "DATABASE_APP_URL": "postgres://chiro_api@db.invalid:5432/chiro",
    "ALLOWED_HOSTS": "api.example.com",
    "AUDIT_HMAC_KEY": "h" * 64,
    "AUDIT_SEAL_STORE": "s3://audit-seals/chiro",
    "AUDIT_SEAL_PUBLIC_KEY": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
}


def test_check_deploy_finds_nothing_in_production():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def check_in_production_without(name: str) -> subprocess.CompletedProcess:
    """`manage.py check` in production with one audit seal setting left out."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUDIT_SEAL_")}
    production = {key: value for key, value in PRODUCTION.items() if key != name}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**env, **production},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_does_not_start_without_an_audit_seal_store():
    result = check_in_production_without("AUDIT_SEAL_STORE")

    assert result.returncode != 0
    assert "AUDIT_SEAL_STORE must be set when DJANGO_ENV=production." in result.stderr


def settings_read_with(**environment: str) -> dict:
    """The settings a fresh process reads from this environment (config/settings.py)."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'SECRET_KEY': settings.SECRET_KEY, "
        "'ALLOWED_HOSTS': settings.ALLOWED_HOSTS, 'DEBUG': settings.DEBUG, "
        "'API_MAX_BODY_BYTES': settings.API_MAX_BODY_BYTES, "
        "'PGSERVER_DIR': str(settings.PGSERVER_DIR)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={
            **{name: value for name, value in os.environ.items() if name != "PGSERVER_DIR"},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **environment,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_are_read_and_cast_from_the_environment():
    read = settings_read_with(
        SECRET_KEY="\\$starts-with-a-dollar-" + "k" * 40,
        ALLOWED_HOSTS=" api.example.com , admin.example.com,",
        DEBUG="off",
        API_MAX_BODY_BYTES="2048",
    )

    assert (
        read["SECRET_KEY"] == "$starts-with-a-dollar-" + "k" * 40
    )  # `\$` stands for a literal `$`
    assert read["ALLOWED_HOSTS"] == ["api.example.com", "admin.example.com"]
    assert read["DEBUG"] is False and read["API_MAX_BODY_BYTES"] == 2048
    assert read["PGSERVER_DIR"] == str(settings.BASE_DIR / ".pgdata")  # a default of its own


@pytest.fixture
def https_only(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return APIClient()


@pytest.mark.django_db
def test_behind_a_tls_proxy_answers_carry_hsts(https_only):
    response = https_only.get("/api/schema/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


@pytest.mark.django_db
def test_plain_http_is_redirected_except_the_health_probe(https_only):
    redirected = https_only.get("/api/v1/patients/")
    probe = https_only.get("/healthz")

    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert probe.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_only_this_servers_scripts_under_a_csp(anonymous_client, page):
    response = anonymous_client.get(page)
    html = response.content.decode()

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script
    assert re.findall(r'(?:src|href)="https?://', html) == []  # nothing from elsewhere


@pytest.mark.django_db
def test_swagger_uis_start_up_script_is_served_from_here(anonymous_client):
    response = anonymous_client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


@pytest.mark.django_db
def test_api_answers_forbid_loading_and_framing_anything(anonymous_client):
    response = anonymous_client.get("/healthz")

    directives = {part.strip() for part in response["Content-Security-Policy"].split(";")}
    assert directives == {"default-src 'none'", "frame-ancestors 'none'"}  # in any order


def test_production_does_not_start_without_an_audit_seal_key():
    result = check_in_production_without("AUDIT_SEAL_PUBLIC_KEY")

    assert result.returncode != 0
    assert "AUDIT_SEAL_KEY (where seals are made) or AUDIT_SEAL_PUBLIC_KEY" in result.stderr
