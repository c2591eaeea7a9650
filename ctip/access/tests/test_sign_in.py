"""Sign-in: password then one-time code, enrolment by QR code, lockout, sessions, timeout."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ctip.access.services import user_disable
from ctip.access.testing import current_code, otp_device, verified_login
from ctip.audit.models import AuditEvent

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _security_on(settings):
    """Test settings switch these off for other apps' tests; here they are what we test."""
    settings.CTIP_REQUIRE_OTP = True
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "PAHT-12", username="sokha")


def _password_step(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _actions(username=""):
    rows = AuditEvent.objects.order_by("sequence")
    if username:
        rows = rows.filter(actor_username=username)
    return list(rows.values_list("action", flat=True))


def test_first_sign_in_enrols_an_authenticator_by_qr_code(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = _password_step(client, "sokha")
    assert response.status_code == 302
    page = client.get(reverse("registry:case-list"))
    assert page.status_code == 302 and reverse("access:otp-enrol") in page["Location"]
    enrol = client.get(page["Location"])
    html = enrol.content.decode()
    assert enrol.status_code == 200 and "<svg" in html and "<path" in html
    assert 'src="http' not in html and "cdn" not in html.lower()  # drawn locally, no CDN
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")

    wrong = client.post(page["Location"], {"token": "12345"})
    assert wrong.status_code == 200 and "not valid" in wrong.content.decode()
    done = client.post(page["Location"], {"token": current_code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("registry:case-list")
    assert client.get(reverse("registry:case-list")).status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    actions = _actions("sokha")
    assert actions[-4:] == ["sign_in", "otp_failed", "otp_enrolled", "sign_in"]


def test_password_alone_reaches_no_page_or_api(client, officer):
    otp_device(officer)
    _password_step(client, "sokha")
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 302 and reverse("access:otp-verify") in response["Location"]
    assert client.get("/api/schema/").status_code == 403
    assert client.get(reverse("audit:event-list")).status_code == 302


def test_forged_and_replayed_codes_are_refused_and_audited(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # test the refusal itself, not the slowdown
    device = otp_device(officer)
    _password_step(client, "sokha")
    code = current_code(device)
    forged = "000000" if code != "000000" else "111111"
    response = client.post(reverse("access:otp-verify"), {"token": forged})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert client.get(reverse("registry:case-list")).status_code == 302
    assert client.post(reverse("access:otp-verify"), {"token": code}).status_code == 302
    assert client.get(reverse("registry:case-list")).status_code == 200

    client.post(reverse("logout"))
    _password_step(client, "sokha")
    replay = client.post(reverse("access:otp-verify"), {"token": code})  # same code again
    assert replay.status_code == 200 and "not valid" in replay.content.decode()
    assert client.get(reverse("registry:case-list")).status_code == 302
    assert _actions("sokha").count("otp_failed") == 2


def test_repeated_failures_slow_down_code_guessing(client, officer):
    device = otp_device(officer)
    _password_step(client, "sokha")
    code = current_code(device)
    client.post(reverse("access:otp-verify"), {"token": "000000" if code != "000000" else "1"})
    # django-otp throttles: straight after a failure even the right code is refused.
    response = client.post(reverse("access:otp-verify"), {"token": code})
    assert response.status_code == 200


def test_lockout_looks_the_same_for_unknown_and_known_usernames(client, officer):
    responses = {}
    for username in ("sokha", "nobody-by-this-name"):
        for _attempt in range(3):
            first = _password_step(client, username, "wrong-password-1")
        assert first.status_code in (200, 429)
        locked = _password_step(client, username, "wrong-password-2")
        # Every page carries a fresh CSRF token (the language switch is a form); ignore it.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", locked.content.decode())
        responses[username] = (locked.status_code, html)
    assert responses["sokha"][0] == 429
    assert responses["sokha"] == responses["nobody-by-this-name"]
    # Locked out: even the right password is refused for now.
    assert _password_step(client, "sokha").status_code == 429
    failed = AuditEvent.objects.filter(action="sign_in_failed")
    assert failed.filter(detail__username="nobody-by-this-name").count() == 4
    assert failed.filter(detail__locked_out=True).count() >= 2


def test_wrong_password_answer_does_not_say_whether_the_user_exists(client, officer):
    known = _password_step(client, "sokha", "wrong-password")
    unknown = _password_step(client, "nobody-by-this-name", "wrong-password")
    assert known.status_code == unknown.status_code == 200

    def page(response, username):
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return html.replace(username, "X")

    assert page(known, "sokha") == page(unknown, "nobody-by-this-name")


def test_session_id_changes_at_sign_in(client, officer):
    device = otp_device(officer)
    session = client.session
    session["language"] = "km"
    session.save()
    before = session.session_key
    _password_step(client, "sokha")
    after_password = client.cookies["sessionid"].value
    assert after_password != before and not Session.objects.filter(pk=before).exists()
    client.post(reverse("access:otp-verify"), {"token": current_code(device)})
    after_code = client.cookies["sessionid"].value
    assert after_code != after_password
    assert not Session.objects.filter(pk=after_password).exists()


def test_idle_session_expires(client, officer, settings):
    from ctip.settings import base

    assert base.SESSION_COOKIE_AGE == 30 * 60
    assert "ctip.access.middleware.IdleTimeoutMiddleware" in base.MIDDLEWARE
    settings.SESSION_COOKIE_AGE = 2  # seconds, so the test can wait it out
    verified_login(client, officer)
    for _ in range(3):  # activity keeps pushing the expiry forward
        assert client.get(reverse("registry:case-list")).status_code == 200
        time.sleep(1)
    time.sleep(2.2)  # idle longer than the timeout
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_activity_writes_the_session_at_most_once_per_interval(client, officer, settings):
    settings.CTIP_SESSION_REFRESH_SECONDS = 60
    verified_login(client, officer)
    key = client.cookies["sessionid"].value
    client.get(reverse("registry:case-list"))  # the first page after sign-in stamps the session
    stamped = Session.objects.get(pk=key).expire_date
    time.sleep(0.05)
    client.get(reverse("registry:case-list"))
    assert Session.objects.get(pk=key).expire_date == stamped  # within the minute: no write
    settings.CTIP_SESSION_REFRESH_SECONDS = 0
    client.get(reverse("registry:case-list"))
    assert Session.objects.get(pk=key).expire_date > stamped  # interval passed: pushed forward


def test_sign_out_ends_the_session_on_the_server(client, officer):
    verified_login(client, officer)
    key = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    client.cookies["sessionid"] = key  # a stolen copy of the old cookie is worth nothing
    assert client.get(reverse("registry:case-list")).status_code == 302
    assert "sign_out" in _actions("sokha")


def test_disabling_a_user_ends_all_their_sessions_and_tokens(client, officer, make_member):
    from django.test import Client

    admin = make_member("administrator", "NCCT", username="admin1")
    other_browser = Client()
    verified_login(client, officer)
    verified_login(other_browser, officer)
    Token.objects.create(user=officer)
    user_disable(actor=admin, user=officer)
    for browser in (client, other_browser):
        response = browser.get(reverse("registry:case-list"))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Token.objects.filter(user=officer).exists()
    event = AuditEvent.objects.filter(action="admin", actor_username="admin1").last()
    assert event.detail["sessions_ended"] == 2


def test_tampered_session_cookie_is_refused(client, officer):
    verified_login(client, officer)
    client.cookies["sessionid"] = client.cookies["sessionid"].value[:-2] + "xx"
    response = client.get(reverse("registry:case-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_passwords_are_hashed_with_argon2(settings):
    from django.contrib.auth.hashers import make_password

    from ctip.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert make_password("a-long-test-password").startswith("argon2$argon2id$")
