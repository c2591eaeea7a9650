"""A hand-over in the real headless Chromium: the police refer a victim to social affairs for
shelter, social affairs accept, serve and complete, and the victim's pathway shows it.

It also takes the screenshots of the user guide's referrals section (see the journey test)."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _member(username: str, first: str, last: str, agency: str) -> Any:
    """A case officer of `agency`, enrolled in the second factor earlier."""
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )
    Membership.objects.create(
        user=user, agency=Agency.objects.get(code=agency), role="case_officer"
    )
    otp_device(user)
    return user


def _victims_case(officer: Any) -> Any:
    """A police case with one identified victim; her consent to share is not recorded yet."""
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    opened = datetime.date.today() - datetime.timedelta(days=3)
    case = services.case_create(
        actor=officer,
        kind="sexual_exploitation",
        source="operation",
        owning_agency=Agency.objects.get(code="PAHT-12"),
        province=Province.objects.get(code="KH-12"),
        opened_on=opened,
        summary="Two girls found in a karaoke bar during a police operation.",
    )
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Srey",
        given_name_latin="Neang",
        family_name_km="ស្រី",
        given_name_km="នាង",
        sex="female",
        estimated_age=16,
        citizenships=["KHM"],
    )
    victim = services.participant_add(actor=officer, case=case, person=person, role="victim")
    services.victim_profile_save(
        actor=officer,
        participant=victim,
        trafficking_status="ActualVictimOfTrafficking",
        identified_on=opened,
        exploitation_types=["SexualExploitation"],
    )
    return victim


def _sign_in(page: Any, base: str, user: Any) -> None:
    sign_in(page, base, user, PASSWORD)


def test_police_refer_a_victim_for_shelter_and_social_affairs_complete_it(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.referrals.models import Referral

    settings.CTIP_REQUIRE_OTP = True  # the second factor, as in production
    police = _member("dara", "Dara", "Sok", "PAHT-12")
    social = _member("channary", "Channary", "Lim", "MOSVY")
    victim = _victims_case(police)
    reference = victim.case.reference

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 10_000)
    try:
        # The police case officer opens the victim's case.
        _sign_in(page, base, police)
        page.click(f"text={reference}")
        page.wait_for_url("**/cases/*/")
        card = page.locator("article.person").first
        assert card.locator("[data-link=pathway]").count() == 1
        assert page.locator(".toolbar [data-link=task-create]").count() == 1

        # She consents to her identity being shared: record it on her victim profile first.
        card.locator("text=Edit victim profile").click()
        page.wait_for_url("**/victims/*/profile/")
        page.check("#id_consent_to_share")
        page.fill("#id_consent_recorded_on", datetime.date.today().isoformat())
        page.click("main button[type=submit]")
        page.wait_for_url("**/cases/*/")
        assert "Victim profile saved." in page.locator(".messages").inner_text()

        # Refer her to the Ministry of Social Affairs for shelter, identity shared.
        page.locator("article.person").first.locator("[data-link=referral-send]").click()
        page.wait_for_url("**/referrals/send/*/")
        page.select_option("#id_service", "shelter")
        page.select_option(
            "#id_to_agency",
            label="Ministry of Social Affairs, Veterans and Youth Rehabilitation (MOSVY)",
        )
        page.check("#id_shares_identity")
        page.fill(
            "#id_note", "16 years old; needs a safe place tonight and a Khmer-speaking counsellor."
        )
        page.screenshot(path=shots / "referral-send.png", full_page=True)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/referrals/*/")
        assert "Referral sent to MOSVY." in page.locator(".messages").inner_text()
        assert page.locator("#referral-status").inner_text() == "Sent"
        referral = Referral.objects.get()
        assert referral.consent_basis == "consent" and referral.shares_identity
        # Only the receiving agency may accept: the police get no Accept button.
        assert page.locator("button[value=accept]").count() == 0
        page.click("form.inline button[type=submit]")  # sign out
        page.wait_for_url("**/sign-in/**")

        # A MOSVY officer finds it among the referrals received.
        _sign_in(page, base, social)
        page.click("nav >> text=Referrals")
        page.wait_for_url("**/referrals/?box=inbox")
        rows = page.locator("tbody tr")
        assert rows.count() == 1
        assert "Shelter" in rows.first.inner_text() and "PAHT-12" in rows.first.inner_text()
        page.screenshot(path=shots / "referral-inbox.png", full_page=True)
        rows.first.locator(f"text={reference}").click()
        page.wait_for_url(f"**/referrals/{referral.pk}/")

        # Accept, start the service, complete it with the outcome.
        for button, status in (("accept", "Accepted"), ("start", "In progress")):
            page.click(f"button[value={button}]")
            page.wait_for_url(f"**/referrals/{referral.pk}/")
            assert page.locator("#referral-status").inner_text() == status
        page.fill("textarea[name=outcome]", "Sheltered at the Phnom Penh centre; family traced.")
        page.click("button[value=complete]")
        page.wait_for_url(f"**/referrals/{referral.pk}/")
        assert page.locator("#referral-status").inner_text() == "Completed"

        # The victim's pathway shows the hand-over, in order, ending with the completion.
        page.click("text=Service pathway")
        page.wait_for_url(f"**/referrals/pathway/{victim.pk}/")
        steps = page.locator("#timeline li").all_inner_texts()
        texts = [" ".join(step.split()[1:]) for step in steps]  # drop the date
        sent = texts.index("Shelter: referred by PAHT-12 to MOSVY")
        assert texts[0].startswith(f"Identified in case {reference}")
        assert texts[sent + 1 :] == [
            "Shelter: accepted by MOSVY",
            "Shelter: started by MOSVY",
            "Shelter: completed by MOSVY",
        ]
        assert page.locator("#timeline li.referral_completed").count() == 1
        page.screenshot(path=shots / "referral-pathway.png", full_page=True)
    finally:
        context.close()
    assert elsewhere == []  # nothing loaded from another host: no CDN
