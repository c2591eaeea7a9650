"""OpenRosa takes per-device tokens, never the account password; issue, revoke and audit."""

import base64
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ctip.access.models import DeviceToken
from ctip.access.services import device_token_issue, device_token_revoke, user_disable
from ctip.access.testing import verified_login
from ctip.audit.models import AuditEvent
from ctip.exchange.models import ImportBatch

from .test_field_submissions import INSTANCE

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
FORM_LIST = reverse("exchange:openrosa-form-list")
SUBMISSION = reverse("exchange:openrosa-submission")


def basic(username, secret):
    value = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {value}"}


def _submit(client, credentials):
    upload = SimpleUploadedFile("submission.xml", INSTANCE.encode(), content_type="text/xml")
    return client.post(SUBMISSION, {"xml_submission_file": upload}, **credentials)


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "PCCT-12", username="officer")


@pytest.fixture
def admin(make_member):
    return make_member("administrator", "NCCT", username="admin1")


def _events(action, via="openrosa"):
    return AuditEvent.objects.filter(action=action, detail__via=via).order_by("sequence")


def test_the_account_password_alone_is_refused_and_audited(client, officer):
    assert client.get(FORM_LIST, **basic("officer", PASSWORD)).status_code == 401
    assert _submit(client, basic("officer", PASSWORD)).status_code == 401
    assert ImportBatch.objects.count() == 0
    failed = _events("sign_in_failed")
    assert failed.count() == 2 and failed.last().detail["username"] == "officer"


def test_a_device_token_opens_form_list_and_submission_with_audit(client, officer):
    token, secret = device_token_issue(actor=None, user=officer, name="Phone 3, Kampot")
    assert client.get(FORM_LIST, **basic("officer", secret)).status_code == 200
    response = _submit(client, basic("officer", secret))
    assert response.status_code == 201, response.content
    batch = ImportBatch.objects.get()
    signed = _events("sign_in")
    assert signed.count() == 2
    assert signed.last().actor_username == "officer"
    assert signed.last().detail["device"] == "Phone 3, Kampot"
    upload = _events("import").get()
    assert upload.object_id == str(batch.pk) and upload.detail["step"] == "upload"
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Stored hashed: the secret is in no column, only its SHA-256.
    row = DeviceToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(v) for v in row.values()}
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def test_a_token_opens_nothing_but_openrosa(client, officer):
    _token, secret = device_token_issue(actor=None, user=officer, name="Phone")
    signed = client.post(reverse("login"), {"username": "officer", "password": secret})
    assert signed.status_code == 200  # refused, the sign-in form again
    api = client.post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": secret},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert client.get("/api/v1/cases/", **basic("officer", secret)).status_code in (401, 403)


def test_revoked_disabled_and_borrowed_tokens_are_refused(client, officer, make_member):
    token, secret = device_token_issue(actor=None, user=officer, name="Phone")
    other = make_member("case_officer", "PCCT-12", username="other")
    # Someone else's token under one's own name is refused.
    assert client.get(FORM_LIST, **basic("other", secret)).status_code == 401
    device_token_revoke(actor=None, token=token)
    assert client.get(FORM_LIST, **basic("officer", secret)).status_code == 401
    _token2, secret2 = device_token_issue(actor=None, user=other, name="Phone 2")
    assert client.get(FORM_LIST, **basic("other", secret2)).status_code == 200
    user_disable(actor=None, user=other)
    assert client.get(FORM_LIST, **basic("other", secret2)).status_code == 401
    assert _events("sign_in_failed").count() == 3


def test_administrator_issues_and_revokes_on_the_page(client, officer, admin):
    verified_login(client, admin)
    url = reverse("access:device-tokens")
    page = client.post(url, {"username": "officer", "name": "Tablet 7"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = DeviceToken.objects.get(name="Tablet 7")
    html = page.content.decode()
    secret = html.split('id="device-token-secret">', 1)[1].split("<", 1)[0]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get(url).content.decode()  # shown once only
    assert client.get(FORM_LIST, **basic("officer", secret)).status_code == 200
    revoke = client.post(reverse("access:device-token-revoke", args=[token.pk]))
    assert revoke.status_code == 302
    assert client.get(FORM_LIST, **basic("officer", secret)).status_code == 401
    changes = AuditEvent.objects.filter(action="admin", actor_username="admin1")
    assert [e.detail["device_token"] for e in changes.order_by("sequence")] == [
        "issued",
        "revoked",
    ]


def test_others_may_not_manage_tokens_and_are_audited(client, officer):
    verified_login(client, officer)
    assert client.get(reverse("access:device-tokens")).status_code == 403
    refused = client.post(reverse("access:device-tokens"), {"username": "officer", "name": "x"})
    assert refused.status_code == 403
    assert not DeviceToken.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor_username="officer").count() == 2
    with pytest.raises(Exception, match="administrator"):
        device_token_issue(actor=officer, user=officer, name="My phone")


def test_command_issues_lists_and_revokes(officer):
    out = io.StringIO()
    call_command("device_token", "issue", "officer", "--name", "Phone 9", stdout=out)
    secret = out.getvalue().splitlines()[1]
    token = DeviceToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    listing = io.StringIO()
    call_command("device_token", "list", stdout=listing)
    assert "Phone 9" in listing.getvalue() and secret not in listing.getvalue()
    call_command("device_token", "revoke", str(token.pk), stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
