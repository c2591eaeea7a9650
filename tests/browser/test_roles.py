"""Each role's main job in the real headless Chromium, from its home page with links and forms
only (no typed URLs after signing in), on the demo accounts and `ctip demo-activity`'s data.

Every role's main pages are also checked with axe-core (axe-playwright-python ships it: no
network) for serious and critical violations, in English and in Khmer, and at 390 px wide
for sideways scrolling. The test takes the user guide's role screenshots (see `shots`).
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from .helpers import offline_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(live_reference: None) -> None:
    """The demo accounts and their day's work, as `make demo` makes them."""
    call_command("demo_accounts", stdout=io.StringIO())
    call_command("demo_activity", stdout=io.StringIO())


def _sign_in(page: Any, base: str, username: str) -> None:
    from ctip.registry.management.commands.demo_accounts import DEMO_PASSWORD

    page.goto(base + "/")
    page.wait_for_url("**/sign-in/**")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def _accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, (page.url, bad)


def _no_sideways_scroll(page: Any) -> None:
    page.set_viewport_size(PHONE)
    wide = page.evaluate("document.documentElement.scrollWidth")
    culprits = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > w + 1)
             .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                              Math.round(e.getBoundingClientRect().right))""",
        PHONE["width"],
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert wide <= PHONE["width"], (page.url, wide, culprits)


def _check_pages(page: Any, base: str, shots: Path, name: str) -> None:
    """Axe in English and Khmer and the phone width on every page the role's menu offers."""
    hrefs = page.eval_on_selector_all(".nav-links a", "links => links.map(a => a.href)")
    for language in ("en", "km"):
        if language == "km":
            page.goto(base + "/")
            page.select_option("#lang-select", "km")
            page.click(".lang-switch button")
            page.wait_for_function("document.documentElement.lang === 'km'")
        for href in [base + "/", *hrefs]:
            page.goto(href)
            _accessible(page)
            _no_sideways_scroll(page)
        page.goto(base + "/")
        page.screenshot(path=shots / f"home-{name}-{language}.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=shots / f"home-{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    # Back to English for the next test's context (the language lives in a cookie).
    page.select_option("#lang-select", "en")
    page.click(".lang-switch button")
    page.wait_for_function("document.documentElement.lang === 'en'")


@contextmanager
def _signed_in_as(
    browser: Any, base: str, shots: Path, username: str, name: str, timeout_ms: int = 15_000
) -> Iterator[Any]:
    """A fresh offline page with `username` signed in, on its home page. After the role's job
    (the `with` body) every page its menu offers is checked (`_check_pages`); then nothing may
    have been fetched from another host."""
    context, page, elsewhere = offline_page(browser, base, timeout_ms)
    try:
        _sign_in(page, base, username)
        yield page
        page.goto(base + "/")
        _check_pages(page, base, shots, name)
    finally:
        context.close()
    assert elsewhere == []


def test_officer_registers_a_case_with_victim_and_suspect_and_refers_the_victim(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    from ctip.referrals.models import Referral

    base = live_server.url
    with _signed_in_as(browser, base, shots, "ahtjp.officer", "officer") as page:
        loads = [page.url]  # the home page is the first load counted
        page.on("load", lambda p: loads.append(p.url))
        assert "My open cases" in page.content()
        page.screenshot(path=shots / "home-officer.png", full_page=True)

        page.click("main >> text=Register a case")
        page.select_option("#id_kind", "trafficking")
        page.select_option("#id_source", "hotline")
        page.select_option("#id_province", label="Kampot")
        page.fill("#id_opened_on", "2026-11-20")
        page.fill("#id_summary", "A girl promised work in a restaurant, sold to a brothel.")
        page.click("text=Register and add a person")
        page.wait_for_url("**/persons/add/")

        page.select_option("#id_new-role", "victim")
        page.fill("#id_new-family_name_latin", "Mao")
        page.fill("#id_new-given_name_latin", "Sreyleak")
        page.select_option("#id_new-sex", "female")
        page.fill("#id_new-estimated_age", "15")
        page.select_option("#id_new-citizenships", label="Cambodia")
        page.click("text=Register and add to the case")
        page.wait_for_url("**/victims/*/profile/")

        page.select_option("#id_trafficking_status", "ActualVictimOfTrafficking")
        page.check("#id_consent_to_share")
        page.fill("#id_consent_recorded_on", "2026-11-20")
        page.click("text=Save and add another person")
        page.wait_for_url("**/persons/add/")

        page.select_option("#id_new-role", "suspect")
        page.fill("#id_new-family_name_latin", "Pov")
        page.fill("#id_new-given_name_latin", "Rathana")
        page.select_option("#id_new-sex", "male")
        page.fill("#id_new-estimated_age", "38")
        page.click("text=Register and add to the case")
        page.wait_for_url("**/cases/*/")
        assert "Rathana" in page.content()

        page.click("article.person:has-text('Sreyleak') >> [data-link=referral-send]")
        page.wait_for_url("**/referrals/send/*/")
        assert (
            "Refer Sreyleak Mao" in page.locator("h1").inner_text()
            or "Mao" in page.locator("h1").inner_text()
        )
        page.select_option("#id_service", "shelter")
        page.select_option(
            "#id_to_agency",
            label=page.locator("#id_to_agency option:has-text('(DOSVY-12)')").inner_text(),
        )
        page.check("#id_shares_identity")
        page.screenshot(path=shots / "referral-send.png", full_page=True)
        page.click("main button[type=submit]")
        page.wait_for_url("**/referrals/*/")
        assert "Sent" in page.locator("#referral-status").inner_text()
        assert len(loads) <= 8, loads
        referral = Referral.objects.order_by("-pk").first()
        assert referral is not None and referral.to_agency.code == "DOSVY-12"


def test_social_worker_accepts_and_completes_a_referral(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    base = live_server.url
    with _signed_in_as(browser, base, shots, "dosvy12.social", "social-worker") as page:
        page.screenshot(path=shots / "home-social-worker.png", full_page=True)
        page.click("#incoming >> li >> a")
        page.wait_for_url("**/referrals/*/")
        page.click("button[value=accept]")
        page.wait_for_selector("button[value=start]")
        # Its own task on the referral it now serves (decision 0510).
        page.click("#referral-task-create")
        page.wait_for_url("**/referrals/*/tasks/new/")
        page.fill("#id_title", "Check a bed is free")
        page.select_option("#id_owner_agency", index=1)
        page.fill("#id_due_on", "2030-01-15")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=Check a bed is free")
        page.click("button[value=start]")
        page.wait_for_selector("button[value=complete]")
        page.fill("textarea[name=outcome]", "Stayed six weeks in the shelter; back at school.")
        page.click("button[value=complete]")
        page.wait_for_selector("#referral-status:has-text('Completed')")
        assert "back at school" in page.content()
        # A note on the referral, which the sending police read too.
        page.fill("#id_text", "Her mother visited twice; she wants to go home in March.")
        page.click("#referral-note-submit")
        page.wait_for_selector("#referral-notes >> text=wants to go home in March")
        page.screenshot(path=shots / "referral-completed.png", full_page=True)


def test_ngo_partner_sees_its_referred_victims_without_one_reveal_per_person(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    base = live_server.url
    with _signed_in_as(browser, base, shots, "ngo.partner", "ngo-partner") as page:
        page.click("#incoming >> text=All received referrals")
        page.wait_for_url("**/referrals/?box=inbox")
        rows = page.locator("table tbody tr").all_inner_texts()
        assert any("Malis" in row for row in rows), rows
        assert any("Pisey" in row for row in rows), rows
        assert "•••" not in page.locator("main").inner_text()
        page.screenshot(path=shots / "referrals-ngo-partner.png", full_page=True)
        page.click("table tbody tr >> nth=0 >> a")
        page.wait_for_url("**/referrals/*/")
        assert "•••" not in page.locator("dl.facts").inner_text()
        assert page.locator("a.reveal").count() == 0


def test_analyst_opens_the_half_year_report_and_downloads_the_pdf(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    base = live_server.url
    with _signed_in_as(browser, base, shots, "ncct.analyst", "analyst", 30_000) as page:
        assert "0 cases match" not in page.content()
        page.click("#statistics >> text=Half-year report")
        page.wait_for_url("**/stats/reports/half-year/*/")
        assert "Half-year report" in page.locator("h1").inner_text()
        page.screenshot(path=shots / "report-half-year.png", full_page=True)
        with page.expect_download() as info:
            page.click(".downloads >> text=PDF")
        pdf = Path(info.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        _accessible(page)
        _no_sideways_scroll(page)


def test_auditor_finds_who_viewed_a_victim(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    from django.test import Client

    from ctip.access.models import User
    from ctip.registry.models import Participant

    victim = Participant.objects.filter(role="victim", case__external_id="DEMO-ACTIVITY").first()
    assert victim is not None
    reader = Client()
    reader.force_login(User.objects.get(username="dosvy12.social"))
    assert reader.get(f"/persons/{victim.person_id}/").status_code == 200

    base = live_server.url
    with _signed_in_as(browser, base, shots, "ncct.auditor", "auditor") as page:
        assert "Recent sensitive access" in page.content()
        page.click("text=Search the audit trail")
        page.wait_for_url("**/audit/")
        page.click("summary")
        page.select_option("#id_object_type", "registry.person")
        page.fill("#id_object_id", str(victim.person_id))
        page.select_option("#id_action", "view")
        page.click("main button[type=submit]")
        page.wait_for_url("**/audit/?*")
        rows = page.locator("table.audit-trail tbody tr")
        text = rows.all_inner_texts()
        assert any("dosvy12.social" in row and "viewed" in row for row in text), text
        assert f"person P{victim.person_id}" in page.content()
        page.screenshot(path=shots / "audit-who-viewed.png", full_page=True)


def test_secretariat_supervisor_signs_off_a_release_and_the_public_sees_it(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    from ctip.stats.models import Release

    draft = Release.objects.get(status="draft")
    base = live_server.url
    with _signed_in_as(browser, base, shots, "ncct.supervisor", "secretariat", 30_000) as page:
        page.click("text=Sign off and publish releases")
        page.wait_for_url("**/stats/releases/")
        page.click(f"form:has(input[name=release][value='{draft.pk}']) >> button")
        page.wait_for_url("**/stats/releases/")
        page.click(f"form:has(input[name=release][value='{draft.pk}']) >> button")
        page.wait_for_url("**/stats/releases/")
        draft.refresh_from_db()
        assert draft.status == "published" and draft.signed_off_by.username == "ncct.supervisor"
        page.click("text=ctip")  # the brand leads home
        page.click("text=Published statistics")
        page.wait_for_url("**/stats/public/")
        assert draft.period in page.content()
        page.screenshot(path=shots / "public-releases.png", full_page=True)
