"""The admin site's sign-in is audited like ctip's; every page carries a strict CSP."""

import re

import pytest
from django.urls import reverse

from ctip.access.testing import verified_login
from ctip.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _security_on(settings):
    settings.CTIP_REQUIRE_OTP = True
    settings.AXES_ENABLED = True


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root1", password=PASSWORD)


def test_failed_admin_sign_in_is_audited(client, superuser):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root1", "password": "wrong-password"}
    )
    assert response.status_code == 200
    failed = AuditEvent.objects.filter(action="sign_in_failed", detail__username="root1")
    assert failed.count() == 1
    client.post("/admin/login/", {"username": "nobody-here", "password": "wrong-password"})
    assert AuditEvent.objects.filter(
        action="sign_in_failed", detail__username="nobody-here"
    ).exists()


def test_admin_sign_in_needs_the_code_step(client, superuser):
    signed = client.post(
        "/admin/login/", {"username": "root1", "password": PASSWORD, "next": "/admin/"}
    )
    assert signed.status_code == 302 and signed["Location"] == "/admin/"
    admin = client.get("/admin/")
    assert admin.status_code == 302 and reverse("access:otp-enrol") in admin["Location"]
    assert AuditEvent.objects.filter(action="sign_in", actor_username="root1").exists()


def _policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: set(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_every_page_has_a_policy_without_inline_scripts_or_styles(client, make_member):
    officer = make_member("case_officer", "PAHT-12")
    pages = [reverse("login"), "/admin/login/"]
    responses = [client.get(url) for url in pages]
    verified_login(client, officer)
    for url in ["/", reverse("registry:case-list"), reverse("exchange:import-list"), "/api/docs/"]:
        responses.append(client.get(url, follow=True))
    responses.append(client.get("/no-such-page/"))
    for response in responses:
        policy = _policy(response)
        assert policy["script-src"] == {"'self'"}, response.request["PATH_INFO"]
        assert policy["style-src"] == {"'self'"}, response.request["PATH_INFO"]
        assert policy["object-src"] == {"'none'"} and policy["frame-ancestors"] == {"'none'"}
        html = response.content.decode()
        # No inline script or handler the policy would block (JSON data blocks are not run).
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", html)
        assert not re.search(r"<style\b", html) and " style=" not in html


def test_redoc_relaxes_styles_only(client, make_member):
    verified_login(client, make_member("case_officer", "PAHT-12"))
    response = client.get(reverse("api-redoc"))
    policy = _policy(response)
    assert policy["script-src"] == {"'self'"}
    assert "'unsafe-inline'" in policy["style-src"]
    assert "<script>" not in response.content.decode()
    # Its bundle comes from this site, without the logo ReDoc fetches from its CDN, which the
    # policy blocks (img-src: self and data: only).
    [script] = re.findall(r'<script src="([^"]+)"', response.content.decode())
    assert script == reverse("api-redoc") + "?bundle"
    bundle = client.get(script)
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("text/javascript")
    body = bundle.content.decode()
    assert "redocly logo" in body and "cdn.redoc.ly" not in body
    assert policy["img-src"] == {"'self'", "data:"}
