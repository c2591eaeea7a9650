"""A case officer's day in the real headless Chromium: sign in, register, find, read in Khmer.

The test also takes the screenshots of the user guide (docs/user-guide.md). They are written
to a temporary folder unless CTIP_SCREENSHOT_DIR names one; `make screenshots` points it at
docs/img so that a normal test run leaves the working tree untouched.
"""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, one_time_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
OPENED = datetime.date(2025, 6, 14)


def _seed_other_cases(officer: Any) -> None:
    """Cases already in the registry, so the list has something the filters must leave out."""
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    agency = Agency.objects.get(code="PAHT-18")
    sihanouk = Province.objects.get(code="KH-18")
    for kind, source, opened in [
        ("forced_criminality", "foreign_referral", datetime.date(2025, 2, 3)),
        ("sexual_exploitation", "hotline", datetime.date(2025, 6, 2)),
        ("forced_labour", "ngo", datetime.date(2025, 6, 20)),
        ("trafficking", "operation", datetime.date(2025, 5, 11)),
        ("forced_marriage", "tip", datetime.date(2025, 4, 28)),
    ]:
        services.case_create(
            actor=officer,
            kind=kind,
            source=source,
            owning_agency=agency,
            province=sihanouk,
            opened_on=opened,
            summary="Synthetic case for the browser test.",
        )


def _add_suspect_and_arrest(officer: Any, reference: str) -> None:
    """A suspect and an arrest, through the services, so the case page shows every section."""
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services
    from ctip.registry.models import Case

    case = Case.objects.get(reference=reference)
    suspect = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Meas",
        given_name_latin="Vuthy",
        family_name_km="មាស",
        given_name_km="វុទ្ធី",
        sex="male",
        date_of_birth=datetime.date(1986, 3, 9),
        citizenships=["KHM"],
    )
    services.arrest_add(
        actor=officer,
        case=case,
        person=suspect,
        arrested_on=datetime.date(2025, 6, 12),
        agency=Agency.objects.get(code="PAHT-18"),
        province=Province.objects.get(code="KH-18"),
        place="Sangkat 4, Sihanoukville",
        charges=["LSHTSE-15", "LSHTSE-19"],
    )


def test_case_officer_registers_finds_and_reads_a_case_in_khmer(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    settings.CTIP_REQUIRE_OTP = True  # the second factor, as in production
    officer = User.objects.create_user(
        username="sophea", password=PASSWORD, first_name="Sophea", last_name="Keo"
    )
    Membership.objects.create(
        user=officer, agency=Agency.objects.get(code="PAHT-18"), role="case_officer"
    )
    otp_device(officer)  # enrolled earlier: the enrolment itself is test_browser_sign_in's
    _seed_other_cases(officer)

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 10_000)
    try:
        # Sign in: password, then the code from the authenticator.
        page.goto(base + "/cases/")
        page.wait_for_url("**/sign-in/**")
        page.screenshot(path=shots / "sign-in.png")
        page.fill("#id_username", "sophea")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/account/two-factor/**")
        page.fill("#id_token", one_time_code(officer))
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/cases/")
        assert page.locator("h1").inner_text() == "Cases"

        # Register a case through the form.
        page.click("text=Register a case")
        page.wait_for_url("**/cases/new/")
        page.select_option("#id_kind", "forced_criminality")
        page.select_option("#id_source", "operation")
        page.select_option("#id_province", label="Preah Sihanouk")
        page.fill("#id_opened_on", OPENED.isoformat())
        page.fill(
            "#id_summary",
            "Eleven workers held in an online-scam compound after a fake job offer; "
            "passports taken on arrival.",
        )
        page.screenshot(path=shots / "case-register.png", full_page=True)
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases/*/")
        heading = page.locator("h1").inner_text()
        assert heading.startswith("Case ")
        reference = heading.split()[1]
        assert "registered" in page.locator(".messages").inner_text()

        # Add a victim, then her victim profile.
        page.click("text=Add a person")
        page.wait_for_url("**/persons/add/**")
        page.select_option("#id_new-role", "victim")
        page.fill("#id_new-family_name_latin", "Chan")
        page.fill("#id_new-given_name_latin", "Sokha")
        page.fill("#id_new-family_name_km", "ចាន់")
        page.fill("#id_new-given_name_km", "សុខា")
        page.select_option("#id_new-sex", "female")
        page.fill("#id_new-estimated_age", "17")
        page.select_option("#id_new-citizenships", label="Cambodia")
        page.click("text=Register and add to the case")
        page.wait_for_url("**/victims/*/profile/")
        page.select_option("#id_trafficking_status", "ActualVictimOfTrafficking")
        page.fill("#id_age_when_trafficked", "17")
        page.check("input[name=recruitment_methods][value=ThroughOnlineSocialNetworks]")
        page.fill("#id_recruitment_platforms", "Facebook, Telegram")
        page.check("input[name=means_of_control][value=WithholdsDocuments]")
        page.check("input[name=means_of_control][value=DebtBondage]")
        page.check("input[name=exploitation_types][value=ForcedLabour]")
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases/*/")
        assert "Victim profile saved." in page.locator(".messages").inner_text()

        # Two steps of the story on the timeline.
        for kind, day, place in [
            ("recruitment", "2025-05-20", "Online, through a job advert"),
            ("rescue", "2025-06-12", "Compound in Sangkat 4, Sihanoukville"),
        ]:
            page.click("text=Add an event")
            page.wait_for_url("**/events/add/")
            page.select_option("#id_kind", kind)
            page.fill("#id_occurred_on", day)
            page.fill("#id_place", place)
            page.check("input[name=persons]")
            page.click("main button[type=submit]")
            page.wait_for_url("**/cases/*/")
        _add_suspect_and_arrest(officer, reference)
        page.reload()
        story = page.locator("ol.timeline").inner_text()
        assert story.index("Recruitment") < story.index("Rescue")
        assert "Actual victim of trafficking" in page.locator("article.person").first.inner_text()
        page.screenshot(path=shots / "case-page.png", full_page=True)

        # Find the case in the list with filters: kind, province and period.
        page.click("nav >> text=Cases")
        page.click("summary:has-text('Filter cases')")
        page.select_option("#id_kind", "forced_criminality")
        page.select_option("#id_province", label="Preah Sihanouk")
        page.fill("#id_opened_from", "2025-06-01")
        page.fill("#id_opened_to", "2025-06-30")
        # Selects and text or date inputs share one height, so the filter bar lines up.
        heights = {
            round(page.locator(selector).bounding_box()["height"])
            for selector in ("#id_reference", "#id_kind", "#id_opened_from")
        }
        assert max(heights) - min(heights) <= 1, heights
        page.click("text=Apply filters")
        page.wait_for_url("**/cases/?*")
        rows = page.locator("tbody tr")
        assert rows.count() == 1  # the February scam case and the other kinds are left out
        assert reference in rows.first.inner_text()
        page.screenshot(path=shots / "case-list.png", full_page=True)

        # Find the victim by another romanisation and the family name first.
        page.click("nav >> text=Find a person")
        page.fill("#id_name", "Chan Sokhar")
        page.click("main button[type=submit]")
        page.wait_for_url("**/persons/?*")
        found = page.locator("tbody tr")
        assert found.count() == 1 and "Sokha" in found.first.inner_text()
        page.screenshot(path=shots / "person-search.png", full_page=True)

        # Switch to Khmer on the case page: Khmer words, drawn with the shipped font.
        page.click("nav >> text=Cases")
        page.click(f"text={reference}")
        page.wait_for_url("**/cases/*/")
        page.select_option("#lang-select", "km")
        page.click(".lang-switch button")
        page.wait_for_function("document.documentElement.lang === 'km'")
        assert "ករណី" in page.locator("h1").inner_text()  # "Case"
        assert "បុគ្គលក្នុងករណី" in page.content()  # "People in the case"
        assert "Add a person" not in page.content()
        family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert family.startswith('"Noto Sans Khmer"')
        loaded = page.evaluate(
            """async () => { await document.fonts.ready;
                 return [...document.fonts]
                   .filter(f => f.family.replace(/"/g, '') === 'Noto Sans Khmer'
                                && f.status === 'loaded')
                   .map(f => f.weight); }"""
        )
        assert "400" in loaded  # the Khmer face was downloaded from our own static files
        assert page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'ករណី')")
        page.screenshot(path=shots / "case-page-km.png")

        # Signing out keeps the language: the sign-in page and the code step are in Khmer too.
        page.click("form.inline button[type=submit]")
        page.wait_for_url("**/sign-in/**")
        assert "បន្ត" in page.locator("main button[type=submit]").inner_text()  # "Continue"
        assert "Next you will be asked" not in page.content()
    finally:
        context.close()
    assert elsewhere == []  # nothing loaded from another host: no CDN
