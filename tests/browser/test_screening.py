"""A raid screened to the embassy list in the real headless Chromium: the officer records the
operation, enters the persons found in the grid (on a phone-sized screen too), screens them,
is refused when recording a victim as a suspect, and sends the Vietnamese embassy its list.

It also takes the screenshots of docs/screening.md when CTIP_SCREENSHOT_DIR is set."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}


def _officer() -> Any:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(
        username="rithy", password=PASSWORD, first_name="Rithy", last_name="Keo"
    )
    Membership.objects.create(
        user=user, agency=Agency.objects.get(code="PAHT-18"), role="case_officer"
    )
    otp_device(user)
    return user


def _accessible(page: Any) -> None:
    """No serious or critical axe-core violation. Checked on the page as it is without a
    flash message: the layout's message list (role=status on a <ul>) is the web app's."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, (page.url, bad)


def _screen(page: Any, decision: str, consent: bool) -> None:
    """Answer the interview: three indicators yes, the rest no, then the decision."""
    page.fill("#id_interviewed_on", datetime.date.today().isoformat())
    for code in ("deception", "documents_confiscated", "forced_criminality"):
        page.check(f"input[name=a_{code}][value=yes]")
    page.check("input[name=a_debt_bondage][value=no]")
    page.check(f"input[name=decision][value={decision}]")
    page.fill("#id_reasons", "Promised an office job; passport taken; made to run scams.")
    if consent:
        page.check("#id_consent_to_embassy")
    page.click("form.screening-form button[type=submit]")
    page.wait_for_url("**/operations/found/*/")
    assert "Screening recorded." in page.locator(".messages").inner_text()


def test_an_operation_screened_to_the_embassy_list(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.referrals.models import ExchangePackage
    from ctip.screening.models import FoundPerson

    settings.CTIP_REQUIRE_OTP = True
    officer = _officer()
    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 60_000)
    try:
        sign_in(page, base, officer, PASSWORD)
        page.click("nav >> text=Operations")
        page.wait_for_url("**/operations/")
        page.click("text=Record an operation")
        page.select_option("#id_kind", "raid")
        page.fill("#id_name", "Compound raid, Otres")
        page.fill(
            "#id_conducted_on", (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        )
        page.select_option("#id_province", label="Preah Sihanouk")
        page.fill("#id_place", "Building C")
        page.select_option("#id_lead_agency", index=1)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/operations/*/grid/")

        # The grid: three persons, one row left blank between them; also usable on a phone.
        rows = [
            ("Nguyen", "Van Minh", "VNM", "vi", "male"),
            ("Tran", "Thi Lan", "VNM", "vi", "female"),
            ("Wang", "Lei", "CHN", "zh", "male"),
        ]
        for position, (family, given, nationality, language, sex) in zip(
            (0, 1, 3), rows, strict=True
        ):
            page.fill(f"input[name=r{position}-family_name]", family)
            page.fill(f"input[name=r{position}-given_name]", given)
            page.fill(f"input[name=r{position}-nationality]", nationality)
            page.select_option(f"select[name=r{position}-language]", language)
            page.select_option(f"select[name=r{position}-sex]", sex)
        page.fill("input[name=r3-age]", "17")
        page.check("input[name=r3-age_is_apparent]")
        page.evaluate("document.querySelector('ul.messages')?.remove()")
        _accessible(page)
        page.set_viewport_size(PHONE)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        page.screenshot(path=shots / "screening-grid-phone.png")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.click("text=Register these persons")
        page.wait_for_url("**/operations/*/grid/")
        assert "3 persons registered" in page.locator(".messages").inner_text()
        assert FoundPerson.objects.count() == 3

        # Screen them: the first two identified (one without consent), the third not a victim.
        page.click("text=Back to the operation")
        page.wait_for_url("**/operations/*/")
        for number, decision, consent in ((1, "identified", True), (2, "identified", False)):
            page.locator("#found tbody tr").nth(number - 1).locator("a").click()
            page.wait_for_url("**/operations/found/*/")
            if number == 1:
                page.screenshot(path=shots / "screening-interview.png", full_page=True)
            _screen(page, decision, consent)
            page.click(".subnav >> text=Compound raid, Otres")
            page.wait_for_url("**/operations/*/")

        # Non-punishment: an identified victim cannot be recorded as a suspect.
        page.locator("#found tbody tr").first.locator("a").click()
        page.wait_for_url("**/operations/found/*/")
        page.click("text=Record as a suspect")
        page.wait_for_url("**/operations/found/*/")
        assert "non-punishment" in page.locator(".messages").inner_text()
        page.click(".subnav >> text=Compound raid, Otres")
        page.wait_for_url("**/operations/*/")
        figures = page.locator("#figures").inner_text()
        assert "VNM" in figures

        # The Vietnamese embassy list: only the victim who consented is sent.
        page.click("text=Identified victims of nationality VNM")
        page.wait_for_url("**/operations/*/embassy/VNM/")
        assert "No — not sent" in page.locator("#embassy").inner_text()
        page.select_option("#id_to_agency", index=1)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/operations/*/embassy/VNM/")
        assert "1 victims sent to the embassy; 1 left out" in page.locator(".messages").inner_text()
        assert page.locator("#embassy a[href*='/referrals/exchange/']").count() == 1
        page.screenshot(path=shots / "screening-embassy-list.png", full_page=True)
        page.reload()
        _accessible(page)
    finally:
        context.close()
    assert elsewhere == []
    package = ExchangePackage.objects.get()
    assert package.referral.to_agency.code == "FP-VNM"
    assert package.payload["per_FamilyName"] == "Nguyen"
