"""Case management in the real headless Chromium, by links and forms alone from the officer's
home page: "my cases", assigning a caseworker, a note, a follow-up visit planned and recorded,
a document attached, a victim's needs and risk assessment and its versions, a child's
best-interest steps and guardian, a care plan whose service is sent as a referral, and the
case transferred. Every page is checked with axe-core in English and Khmer and at 390 px;
the user guide's case-management screenshots are taken here (decision 0240)."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from .helpers import offline_page
from .test_roles import _accessible, _no_sideways_scroll, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_reference: None) -> None:
    """The demo accounts and their day's work, as `make demo` makes them."""
    call_command("demo_accounts", stdout=io.StringIO())
    call_command("demo_activity", stdout=io.StringIO())


def _check(page: Any, seen: list[str]) -> None:
    _accessible(page)
    _no_sideways_scroll(page)
    if page.url not in seen:
        seen.append(page.url)


def _back_to_case(page: Any) -> None:
    page.click("main button[type=submit]")
    page.wait_for_url("**/cases/*/")


def _language(page: Any, base: str, code: str) -> None:
    page.goto(base + "/")
    page.select_option("#lang-select", code)
    page.click(".lang-switch button")
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def test_officer_manages_a_case_by_links_alone(
    browser: Any,
    live_server: Any,
    demo: None,
    shots: Path,
) -> None:
    from ctip.referrals.models import CarePlanItem
    from ctip.registry.models import Case, ChildProtection, NeedsAssessment

    base = live_server.url
    # The demo's case with notes: Heng Dalin's, assigned to this officer.
    case = Case.objects.filter(notes__isnull=False).distinct().get()
    today = datetime.date.today()
    context, page, elsewhere = offline_page(browser, base, 20_000)
    seen: list[str] = []
    try:
        _sign_in(page, base, "ahtjp.officer")
        page.click("#my-cases >> text=All my cases")
        page.wait_for_url("**/cases/?mine=on")
        _check(page, seen)
        page.click(f"main >> text={case.reference}")
        page.wait_for_url(f"**/cases/{case.pk}/")
        _check(page, seen)

        page.click("text=Assign a caseworker")
        _check(page, seen)
        page.select_option("#id_caseworker", index=1)
        _back_to_case(page)

        page.click("text=Write a note")
        _check(page, seen)
        page.fill("#id_text", "Called Dalin's mother: the broker has not called again.")
        _back_to_case(page)
        assert "has not called again" in page.content()

        page.click("text=Plan a follow-up")
        _check(page, seen)
        page.select_option("#id_kind", "home_visit")
        page.fill("#id_due_on", today.isoformat())
        _back_to_case(page)
        page.click("section[aria-labelledby=casework-heading] >> td >> text=Record")
        _check(page, seen)
        page.select_option("#id_status", "done")
        page.fill("#id_done_on", today.isoformat())
        page.fill("#id_outcome", "At home and at school; her mother walks her there.")
        _back_to_case(page)

        page.click("text=Attach a file")
        _check(page, seen)
        page.set_input_files(
            "#id_file",
            files=[
                {
                    "name": "school-letter.txt",
                    "mimeType": "text/plain",
                    "buffer": b"The school confirms Dalin is enrolled (synthetic).\n",
                }
            ],
        )
        _back_to_case(page)
        assert "school-letter.txt" in page.content()

        page.click("text=Assess again")
        _check(page, seen)
        page.select_option("#id_risk_level", "low")
        page.fill("#id_risk_reasons", "The broker is in prison; the family is watchful.")
        page.select_option("#id_safety_level", "none")
        page.screenshot(path=shots / "assessment-form.png", full_page=True)
        _back_to_case(page)
        assert "Low risk" in page.content()
        page.click("text=Earlier versions")
        page.wait_for_url("**/assessments/")
        _check(page, seen)
        assert "Version 3" in page.content() and "Version 1" in page.content()
        page.go_back()

        page.click("text=Record child protection steps")
        _check(page, seen)
        page.fill("#id_determined_on", today.isoformat())
        page.fill(
            "#id_determination", "She stays with her mother; monthly visits by the social worker."
        )
        page.screenshot(path=shots / "child-steps.png", full_page=True)
        _back_to_case(page)

        page.click("section[aria-labelledby=care-plan-heading] >> text=Plan a service")
        _check(page, seen)
        page.select_option("#id_service", "psychosocial_support")
        page.fill("#id_goal", "Counselling once a week until she sleeps well again.")
        _back_to_case(page)
        page.click("tr:has-text('Psycho') >> text=Send as a referral")
        page.wait_for_url("**/referrals/send/*/?plan=*")
        _check(page, seen)
        receiver = page.eval_on_selector(
            "#id_to_agency",
            """s => [...s.options].find(o => (o.dataset.services || '').split(' ')
                 .includes('psychosocial_support') && o.value).value""",
        )
        page.select_option("#id_to_agency", receiver)
        page.screenshot(path=shots / "care-plan-refer.png", full_page=True)
        page.click("main button[type=submit]")
        page.wait_for_url("**/referrals/*/")
        page.click("#referral-case")
        page.wait_for_url(f"**/cases/{case.pk}/")
        assert "Sent · " in page.content()  # the plan shows the referral's state
        page.screenshot(path=shots / "case-management.png", full_page=True)

        # The same pages in Khmer, and at 390 px.
        _language(page, base, "km")
        for url in seen:
            page.goto(url)
            _accessible(page)
            _no_sideways_scroll(page)
        page.goto(seen[1])  # the case page
        page.screenshot(path=shots / "case-management-km.png", full_page=True)
        _language(page, base, "en")

        # Last, the case goes to the social affairs department.
        page.goto(seen[1])
        page.click("text=Transfer")
        _check(page, seen)
        page.select_option(
            "#id_to_agency",
            label=page.locator("#id_to_agency option:has-text('DOSVY-12')").first.inner_text(),
        )
        page.fill("#id_reason", "Care and reintegration: the social affairs department carries it.")
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases/*/")
        assert "Case transferred" in page.content()
    finally:
        context.close()
    assert elsewhere == []
    case.refresh_from_db()
    assert case.owning_agency.code == "DOSVY-12" and case.assigned_to is None
    assert NeedsAssessment.objects.filter(participant__case=case).count() == 3
    steps = ChildProtection.objects.get(participant__case=case)
    assert steps.has_determination and steps.has_guardian
    planned = CarePlanItem.objects.get(participant__case=case, service="psychosocial_support")
    assert planned.referral is not None and planned.referral.status == "sent"
