"""Following a phone number across cases in the real headless Chromium: an investigator
opens a case's identifiers, follows the recruiter's number to the other cases that record
it (and is told of the one they may not see), opens one of them, draws the network and
exports it as an image. Screenshots for the user guide."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _user(username: str, agency: str, role: str) -> Any:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency), role=role)
    otp_device(user)
    return user


def _case(officer: Any, agency: str, province: str, days_ago: int) -> Any:
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    return services.case_create(
        actor=officer,
        kind="forced_criminality",
        source="operation",
        owning_agency=Agency.objects.get(code=agency),
        province=Province.objects.get(code=province),
        opened_on=datetime.date.today() - datetime.timedelta(days=days_ago),
    )


def test_follow_a_phone_number_and_export_the_network(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.investigations import services

    settings.CTIP_REQUIRE_OTP = True
    officer = _user("ahtjp.officer.t", "AHTJP", "case_officer")
    investigator = _user("pisey", "AHTJP", "investigator")
    siem_reap = _user("sr.officer", "PAHT-17", "case_officer")
    first = _case(officer, "AHTJP", "KH-12", 40)
    second = _case(officer, "AHTJP", "KH-18", 20)
    third = _case(officer, "AHTJP", "KH-1", 10)
    hidden = _case(siem_reap, "PAHT-17", "KH-17", 5)
    # One recruiter's number, typed four ways in four cases.
    for case, typed, actor in (
        (first, "012 345 678", officer),
        (second, "+855 12 345 678", officer),
        (third, "(012) 345-678", officer),
        (hidden, "855 12 345 678", siem_reap),
    ):
        services.identifier_record(actor=actor, case=case, kind="phone", value=typed)
    services.identifier_record(
        actor=officer, case=first, kind="account", value="https://t.me/GoldJob_HR"
    )
    services.identifier_record(actor=officer, case=second, kind="account", value="@goldjob_hr",
                               service="telegram")  # fmt: skip

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 60_000)
    try:
        sign_in(page, base, investigator, PASSWORD)
        page.click("nav >> text=Investigations")
        page.goto(f"{base}/investigations/cases/{first.pk}/")
        row = page.locator("tr", has=page.locator("a[data-identifier]", has_text="+855 12 345 678"))
        assert "in 2 other cases you may see, in 2 provinces" in row.inner_text()
        assert "1 more you may not see" in row.inner_text()
        page.screenshot(path=shots / "investigations-case.png", full_page=True)
        # Follow the number to the cases that record it.
        row.locator("a[data-identifier]").click()
        page.wait_for_url("**/investigations/identifiers/**")
        summary = page.locator("[data-summary]").inner_text()
        assert "Appears in 3 cases you may see, in 3 provinces." in summary
        assert "And in 1 case you may not see." in summary
        assert hidden.reference not in page.content()
        page.screenshot(path=shots / "investigations-identifier.png", full_page=True)
        page.click(f"a[data-case='{third.reference}']")
        page.wait_for_url(f"**/investigations/cases/{third.pk}/")
        assert page.locator(f"a[data-shared-case='{first.reference}']").count() == 1
        # The network around the case, drawn on the server, and its export.
        page.click("a[data-link=network]")
        page.wait_for_url("**/investigations/network/**")
        assert page.locator(".network-drawing svg a.network-node").count() >= 4
        page.screenshot(path=shots / "investigations-network.png", full_page=True)
        with page.expect_download() as download:
            page.click("a[data-link=network-image]")
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert exported.startswith("<svg") and "+855 12 345 678" in exported
        # At a phone's width the page still works (the drawing scrolls inside its frame).
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/investigations/cases/{first.pk}/")
        assert page.locator("a[data-identifier]").first.is_visible()
        assert elsewhere == []
    finally:
        context.close()
