"""Signing in to the API: tokens from the endpoint and from `ctip create-token`, and refusals."""

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "a-long-test-password"  # what conftest's make_member sets


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12", username="dara")


def test_token_from_username_and_password_opens_the_api(officer: Any) -> None:
    client = APIClient()
    answer = client.post(TOKEN_URL, {"username": "dara", "password": PASSWORD}, format="json")
    assert answer.status_code == 200
    token = answer.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200
    # Asking again gives the same token: a second device does not sign the first one out.
    again = client.post(TOKEN_URL, {"username": "dara", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor_id=officer.pk).count() == 2


def test_wrong_password_gets_no_token_and_is_audited(officer: Any) -> None:
    answer = APIClient().post(
        TOKEN_URL, {"username": "dara", "password": "not-the-password"}, format="json"
    )
    assert answer.status_code == 400
    assert "token" not in answer.json()
    assert "non_field_errors" in answer.json()
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.detail["username"] == "dara"
    assert "not-the-password" not in str(failed.detail)


def test_inactive_account_gets_no_token(officer: Any) -> None:
    officer.is_active = False
    officer.save()
    answer = APIClient().post(TOKEN_URL, {"username": "dara", "password": PASSWORD}, format="json")
    assert answer.status_code == 400


def test_token_request_names_missing_and_unknown_fields(db: Any) -> None:
    answer = APIClient().post(TOKEN_URL, {"user": "dara"}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"user", "username", "password"}
    answer = APIClient().post(TOKEN_URL, {}, format="json")
    assert set(answer.json()) == {"username", "password"}


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/persons/?name=sokha", "/api/v1/provinces/"]
)
def test_without_credentials_the_api_answers_401(db: Any, url: str) -> None:
    answer = APIClient().get(url)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Token")


def test_a_made_up_token_answers_401(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/v1/cases/").status_code == 401


def test_signed_in_browser_session_also_works(officer: Any) -> None:
    client = APIClient()
    assert client.login(username="dara", password=PASSWORD)
    assert client.get("/api/v1/cases/").status_code == 200


def test_create_token_command_prints_a_working_token(officer: Any) -> None:
    out = io.StringIO()
    call_command("create_token", "dara", stdout=out)
    token = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200

    # --reset replaces it: the old token stops working at once.
    out = io.StringIO()
    call_command("create_token", "dara", "--reset", stdout=out)
    assert out.getvalue().strip() != token
    assert client.get("/api/v1/cases/").status_code == 401


def test_create_token_command_names_an_unknown_user(db: Any) -> None:
    with pytest.raises(CommandError, match="username"):
        call_command("create_token", "nobody")


def test_token_needs_the_one_time_code_when_codes_are_required(officer: Any, settings: Any) -> None:
    from ctip.access.testing import current_code, otp_device

    settings.CTIP_REQUIRE_OTP = True
    device = otp_device(officer)
    client = APIClient()
    bare = client.post(TOKEN_URL, {"username": "dara", "password": PASSWORD}, format="json")
    assert bare.status_code == 400 and "otp_token" in bare.json() and "token" not in bare.json()

    forged = {"username": "dara", "password": PASSWORD, "otp_token": "000000"}
    if current_code(device) == "000000":  # one chance in a million: pick another wrong code
        forged["otp_token"] = "111111"
    answer = client.post(TOKEN_URL, forged, format="json")
    assert answer.status_code == 400 and "otp_token" in answer.json()
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED, actor_id=officer.pk).exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows the next tries down
    device.throttle_reset()  # rather than wait out the delay

    code = current_code(device)
    good = {"username": "dara", "password": PASSWORD, "otp_token": code}
    answer = client.post(TOKEN_URL, good, format="json")
    assert answer.status_code == 200 and answer.json()["token"]
    replayed = client.post(TOKEN_URL, good, format="json")  # the same code a second time
    assert replayed.status_code == 400 and "otp_token" in replayed.json()


def test_token_is_refused_to_an_account_without_an_authenticator(
    officer: Any, settings: Any
) -> None:
    settings.CTIP_REQUIRE_OTP = True
    answer = APIClient().post(
        TOKEN_URL, {"username": "dara", "password": PASSWORD, "otp_token": "123456"}, format="json"
    )
    assert answer.status_code == 400 and "otp_token" in answer.json()
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED, actor_id=officer.pk).exists()
