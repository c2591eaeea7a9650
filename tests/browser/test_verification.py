"""From triage to a verification to the other agency's sign-off to a case, in the real headless
Chromium: the unit the matter is assigned to starts the verification triage ordered, puts a
two-agency team together, records the visit, evidence and a person found, submits; the
secretariat supervisor signs off from the Verifications menu; the officer opens the case and
the person found is in it. Pages checked with axe and at 390 px; screenshots for the guide."""

from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in
from .test_roles import PHONE, _accessible, _no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _user(username: str, agency: str, role: str) -> Any:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency), role=role)
    otp_device(user)
    return user


def _ordered_matter(intake: Any) -> Any:
    """A hotline call triaged into a matter, assigned to AHTJP, verification ordered."""
    from ctip.access.models import Agency
    from ctip.intake import services

    report = services.report_record(
        actor=intake,
        channel="hotline",
        language="km",
        data=services.ReportInput(
            what="Young workers locked in a building by the port; passports taken.",
            place_code="18010101",
        ),
    ).report
    matter = services.matter_create(actor=intake, reports=[report])
    services.matter_assign(actor=intake, matter=matter, agency=Agency.objects.get(code="AHTJP"))
    return services.matter_decide(actor=intake, matter=matter, outcome="verification_ordered")


def _check(page: Any) -> None:
    _accessible(page)
    _no_sideways_scroll(page)


def test_triage_to_verification_to_sign_off_to_a_case(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.access.models import Agency
    from ctip.registry.models import Participant
    from ctip.verification.models import Verification

    settings.CTIP_REQUIRE_OTP = True
    intake = _user("sreyleak", "AHTJP", "intake_officer")
    officer = _user("sokha", "AHTJP", "case_officer")
    _user("rithy", "PAHT-18", "case_officer")
    same = _user("vuthy", "AHTJP", "supervisor")
    signer = _user("bopha", "NCCT", "supervisor")
    matter = _ordered_matter(intake)
    base = live_server.url

    context, page, outside = offline_page(browser, base, 40_000)
    try:
        sign_in(page, base, officer, PASSWORD)
        # The verification triage ordered (the triage pages link here, see intake.hooks).
        page.goto(f"{base}/verification/new/?matter={matter.pk}")
        assert "passports taken" in page.input_value("#id_allegation")
        page.fill("#id_plan", "Visit with the province police on Monday morning.")
        page.click("main button[type=submit]")
        page.wait_for_selector("#verification-status")
        verification = Verification.objects.get()
        assert verification.matter_id == matter.pk
        assert "Sihanoukville" in page.inner_text("main")  # the matter's place, by name

        for member in ("sokha — AHTJP", "rithy — PAHT-18"):
            page.click("text=Add an officer")
            page.select_option("#id_member", label=member)
            page.click("main button[type=submit]")
            page.wait_for_selector("#team")
        page.click("text=Record the visit")
        page.fill("#id_visited_on", verification.created_at.date().isoformat())
        page.fill("#id_notes", "Entered with the province police; spoke with nine workers.")
        page.click("main button[type=submit]")
        page.click("text=Add a finding or evidence")
        page.select_option("#id_kind", "statement")
        page.fill("#id_description", "A worker: passports kept by the manager, debt of 1,500 USD.")
        page.set_input_files(
            "#id_file",
            files=[
                {
                    "name": "statement.txt",
                    "mimeType": "text/plain",
                    "buffer": b"The manager keeps our passports; we owe 1,500 USD.\n",
                }
            ],
        )
        page.click("main button[type=submit]")
        page.click("text=Add a person")
        page.select_option("#id_role", "victim")
        page.fill("#id_family_name_latin", "Sok")
        page.fill("#id_given_name_latin", "Dara")
        page.fill("#id_estimated_age", "19")
        page.click("main button[type=submit]")
        page.wait_for_selector("#persons")
        assert "Sok Dara" in page.inner_text("#persons")

        page.click("#actions >> text=Outcome and sign-off")
        page.check("input[name=outcome][value=substantiated]")
        page.select_option("#id_sign_off_agency", label=str(Agency.objects.get(code="NCCT")))
        page.fill("#id_note", "Confiscated passports and debt: indicators of trafficking.")
        page.click("main button[type=submit]")
        page.wait_for_selector("#verification-status")
        assert "Awaiting sign-off" in page.inner_text("#verification-status")
        _check(page)
        page.screenshot(path=shots / "verification-awaiting-en.png", full_page=True)
    finally:
        context.close()
    assert outside == []

    # A supervisor of the verifying agency is told why not, and nothing changes.
    context, page, outside = offline_page(browser, base, 40_000)
    try:
        sign_in(page, base, same, PASSWORD)
        page.click(".nav-links >> text=Verifications")
        page.click(f"text={verification.reference}")
        page.click("#actions >> text=Sign off")
        page.click("text=Sign off and close")
        assert "the agency that verified" in page.inner_text(".error-summary")
        verification.refresh_from_db()
        assert verification.status == "awaiting_sign_off"
    finally:
        context.close()

    # The secretariat supervisor finds it from the menu and signs it off.
    context, page, outside = offline_page(browser, base, 40_000)
    try:
        sign_in(page, base, signer, PASSWORD)
        page.click(".nav-links >> text=Verifications")
        page.click("text=Awaiting my sign-off")
        page.click(f"text={verification.reference}")
        page.click("#actions >> text=Sign off")
        _check(page)
        page.screenshot(path=shots / "verification-sign-off-en.png", full_page=True)
        page.click("text=Sign off and close")
        page.wait_for_selector("#verification-status")
        assert "Closed" in page.inner_text("#verification-status")
    finally:
        context.close()
    assert outside == []

    # The officer opens the case from it; the person found is in the case, linked both ways.
    context, page, outside = offline_page(browser, base, 40_000)
    try:
        sign_in(page, base, officer, PASSWORD)
        page.click(".nav-links >> text=Verifications")
        page.click(f"text={verification.reference}")
        page.click("#actions >> text=Open a case")
        page.select_option("#id_kind", "forced_labour")
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases/*/")
        case = verification.opened_cases.get().case
        assert Participant.objects.filter(case=case, role="victim").count() == 1
        assert "Dara" in page.inner_text("main")
        page.click(f"text=Opened from verification {verification.reference}")
        page.wait_for_selector("#cases")
        assert case.reference in page.inner_text("#cases")
        page.set_viewport_size(PHONE)
        page.screenshot(path=shots / "verification-phone.png", full_page=True)
    finally:
        context.close()
    assert outside == []
