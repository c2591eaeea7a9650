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
    """The code the user's authenticator shows now."""
    from ctip.access.testing import current_code, otp_device

    return current_code(otp_device(user))


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
