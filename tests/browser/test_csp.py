"""Chromium enforces ctip's Content-Security-Policy: no page's own parts are refused by it."""

from typing import Any

import pytest

from .helpers import offline_page, one_time_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
# Listens before any page script runs; Playwright's init scripts are not subject to the CSP.
LISTEN = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e =>"
    " window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline')));"
)


def test_pages_run_under_the_policy_without_violations(
    browser: Any, live_server: Any, live_reference: None, settings: Any
) -> None:
    from ctip.access.models import User
    from ctip.access.testing import otp_device

    settings.CTIP_REQUIRE_OTP = True
    root = User.objects.create_superuser(username="root1", password=PASSWORD)
    otp_device(root)
    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 20_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(LISTEN)
    violations: dict[str, list[str]] = {}
    policies: dict[str, str] = {}
    try:
        # The admin site's sign-in is ctip's: password, then the code, then the admin.
        page.goto(base + "/admin/")
        page.wait_for_url("**/admin/login/**")
        violations["/admin/login/"] = page.evaluate("window.__csp")
        page.fill("#id_username", "root1")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/account/two-factor/**")
        page.fill("#id_token", one_time_code(root))
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/admin/")
        for path in ["/admin/", "/admin/access/user/", "/", "/cases/", "/exchange/"]:
            response = page.goto(base + path)
            policies[path] = response.headers.get("content-security-policy", "")
            page.wait_for_load_state("networkidle")
            violations[path] = page.evaluate("window.__csp")
        # Swagger UI starts from a script file; it must draw the operations.
        page.goto(base + "/api/docs/")
        page.wait_for_selector(".opblock", timeout=20_000)
        violations["/api/docs/"] = page.evaluate("window.__csp")
        page.goto(base + "/api/redoc/")
        page.wait_for_selector("redoc h1, .api-content", timeout=20_000)
        violations["/api/redoc/"] = page.evaluate("window.__csp")
    finally:
        context.close()
    # The browser got the policy, and it forbids inline scripts and styles. Directives come in
    # no fixed order, so they are compared by name.
    for path, policy in policies.items():
        directives = {
            name: value.strip()
            for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
            if name
        }
        assert directives.get("script-src") == "'self'", path
        assert directives.get("style-src") == "'self'", path
    # What the policy blocks from other hosts is it working (ReDoc's footer logo, on its
    # CDN); anything of ctip's own (inline, or from this server) refused is a defect.
    own = {
        path: [v for v in found if "http" not in v or base in v]
        for path, found in violations.items()
    }
    assert {path: found for path, found in own.items() if found} == {}
    assert [m for m in refused if "cdn.redoc.ly" not in m] == []
    # Chromium reports the logo's request although the policy stops it; nothing else leaves.
    assert [url for url in elsewhere if not url.startswith("https://cdn.redoc.ly/")] == []
