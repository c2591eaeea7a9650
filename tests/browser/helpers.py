"""What every browser test does the same way: a page that records requests to other hosts
(nothing may come from a CDN), and the current one-time code of a user."""

from typing import Any
from urllib.parse import urlsplit

VIEWPORT = {"width": 1280, "height": 800}


def offline_page(browser: Any, base: str, timeout_ms: int) -> tuple[Any, Any, list[str]]:
    """A new English browser context and page on `base`, and the list it fills with every URL
    requested from another host; the caller closes the context."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if urlsplit(r.url).netloc not in ("", urlsplit(base).netloc)
            and not r.url.startswith("data:")
            else None
        ),
    )
    return context, page, elsewhere


def one_time_code(user: Any) -> str:
    """A code the user's authenticator gives that the server will take.

    django-otp refuses a code of a 30-second step at or before the last one used (no replay),
    so a second sign-in of the same user within one step gets the next step's code, which the
    device's tolerance of one step accepts; past that, it waits for the next step.
    """
    import time

    from ctip.access.testing import current_code, otp_device

    while True:
        device = otp_device(user)
        now = int((time.time() - device.t0) // device.step) + device.drift
        if device.last_t < now:
            return current_code(device)
        if device.last_t == now and device.tolerance >= 1:
            return current_code(device, offset=1)
        time.sleep(1)


def sign_in(page: Any, base: str, user: Any, password: str) -> None:
    """Sign in through the pages, password then one-time code; ends on the case list."""
    page.goto(base + "/cases/")
    page.wait_for_url("**/sign-in/**")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/two-factor/**")
    page.fill("#id_token", one_time_code(user))
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/cases/")
