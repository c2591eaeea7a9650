"""Sign-in in the real browser (headless Chromium): enrolment, code, lockout, idle timeout."""

import os
import shutil
import time
from base64 import b32decode

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CTIP_CHROMIUM") or shutil.which("chromium") or ""
PASSWORD = "a-long-test-password"


@pytest.fixture
def page(settings):
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine (set CTIP_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # between browser steps are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.CTIP_REQUIRE_OTP = True
    settings.AXES_ENABLED = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _code(secret: str) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_enrol_sign_in_lock_out_and_time_out(page, live_server, settings):
    from ctip.access.models import Agency, Membership, User

    if not Agency.objects.exists():  # an earlier transactional test emptied the tables
        call_command("load_reference", verbosity=0)
    user = User.objects.create_user(username="sokha", password=PASSWORD)
    Membership.objects.create(
        user=user, agency=Agency.objects.get(code="PAHT-12"), role="case_officer"
    )
    base = live_server.url

    # First sign-in: password, then the enrolment page with a QR code drawn as inline SVG.
    _sign_in(page, base, "sokha")
    page.wait_for_url("**/account/two-factor/enrol/**")
    assert page.locator("figure.qr svg").count() == 1
    secret = page.inner_text("code.otp-secret")
    page.fill("#id_token", _code(secret))
    page.click("main button[type=submit]")
    # Enrolled and signed in, the officer lands on their home page with their work on it.
    page.wait_for_url(base + "/")
    assert page.locator("#my-cases").count() == 1

    # Idle for longer than the timeout: the next page asks to sign in again.
    settings.SESSION_COOKIE_AGE = 2
    page.goto(base + "/cases/")
    time.sleep(3)
    page.goto(base + "/cases/")
    assert "/sign-in/" in page.url

    # Lockout: after five wrong passwords even the right one is refused, with the same page
    # an unknown username gets.
    for _ in range(5):
        _sign_in(page, base, "sokha", "wrong-password")
    _sign_in(page, base, "sokha")
    assert "Sign-in paused" in page.content()
    _sign_in(page, base, "nobody-here", "wrong-password")
    assert "Sign-in paused" in page.content()
