"""Identity resolution in the real headless Chromium: an officer registering a person already
known sees the possible matches (and is told of one they may not see), adds the existing
person instead; a reviewer decides a pair of the review queue. Screenshots for the user guide
(and in Khmer and at a phone's width, for looking at)."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
BORN = datetime.date(2008, 5, 17)


def _user(username: str, agency: str, role: str) -> Any:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency), role=role)
    otp_device(user)
    return user


def _registered(actor: Any, agency: str, province: str, **fields: Any) -> Any:
    """A victim registered by `agency` in a case of its own, through the services."""
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    owner = Agency.objects.get(code=agency)
    case = services.case_create(
        actor=actor,
        kind="trafficking",
        source="hotline",
        owning_agency=owner,
        province=Province.objects.get(code=province),
        opened_on=datetime.date(2025, 3, 1),
    )
    person = services.person_create(
        actor=actor,
        registered_by=owner,
        family_name_latin="Chan",
        sex="female",
        citizenships=["KHM"],
        **fields,
    )
    services.participant_add(actor=actor, case=case, person=person, role="victim")
    return person, case


def _resolve(monkeypatch: Any) -> None:
    """A linkage run as `ctip linkage run` does it. A handful of test records cannot train a
    model alone, so training also sees the engine's seeded population (the run still scores
    only the registry)."""
    from ctip.linkage import engine_api, services
    from ctip.linkage.engine import model, synthetic

    population = [engine_api.normalise(row) for row in synthetic.records(600, seed=7)[0]]
    real_train = model.train
    monkeypatch.setattr(
        engine_api,
        "train",
        lambda rows, **kw: real_train(
            [*model.record_table(rows).to_pylist(), *population], labels=kw.get("labels", ())
        ),
    )
    run = services.linkage_run(reason="browser test")
    assert run.status == "done", run.message


def _sign_in(page: Any, base: str, user: Any) -> None:
    sign_in(page, base, user, PASSWORD)


def test_registration_shows_matches_and_a_reviewer_decides(
    browser: Any,
    live_server: Any,
    live_reference: None,
    settings: Any,
    shots: Path,
    monkeypatch: Any,
) -> None:
    from ctip.linkage.models import Candidate, IdentityMember
    from ctip.registry.models import Participant

    settings.CTIP_REQUIRE_OTP = True
    officer = _user("sophea", "PAHT-18", "case_officer")
    social = _user("srey.mom", "DOSVY-12", "case_officer")
    reviewer = _user("bopha", "NCCT", "linkage_reviewer")
    known, _ = _registered(
        officer, "PAHT-18", "KH-18", given_name_latin="Sokha", date_of_birth=BORN
    )
    # The same girl, recorded by the Phnom Penh social affairs department (not visible to
    # the Preah Sihanouk police), and a girl of the same name whose birth is not known.
    elsewhere, _ = _registered(
        social, "DOSVY-12", "KH-12", given_name_latin="Sokhar", date_of_birth=BORN
    )
    _registered(officer, "PAHT-18", "KH-18", given_name_latin="Sokha")
    _, new_case = _registered(officer, "PAHT-18", "KH-18", given_name_latin="Dara")
    _resolve(monkeypatch)
    assert IdentityMember.objects.filter(person__in=[known, elsewhere]).count() == 2
    assert Candidate.objects.filter(decision="pending").exists()

    base = live_server.url
    context, page, outside = offline_page(browser, base, 15_000)
    try:
        _sign_in(page, base, officer)
        # Register the girl again, in a new case: ctip stops and shows who she may be.
        page.goto(f"{base}/cases/{new_case.pk}/persons/add/")
        page.select_option("#id_new-role", "victim")
        page.fill("#id_new-family_name_latin", "Chan")
        page.fill("#id_new-given_name_latin", "Sokha")
        page.select_option("#id_new-sex", "female")
        page.fill("#id_new-date_of_birth", BORN.isoformat())
        page.select_option("#id_new-citizenships", "KHM")
        page.click("text=Register and add to the case")
        notice = page.locator(".possible-matches")
        notice.wait_for()
        assert "This person may already be registered" in notice.inner_text()
        rows = notice.locator("tr.possible-match")
        assert "Sokha" in rows.first.inner_text()
        assert "Date of birth: the same date" in rows.first.inner_text()
        assert "Sokhar" not in notice.inner_text()  # the other agency's record stays unseen
        assert "may not see" in notice.locator(".hidden-matches").inner_text()
        page.screenshot(path=shots / "linkage-possible-matches.png", full_page=True)
        # Add the known girl instead of registering her twice.
        before = Participant.objects.filter(case=new_case).count()
        rows.first.locator("button", has_text="Add this person").click()
        page.wait_for_url("**/victims/*/profile/")
        assert Participant.objects.filter(case=new_case, person=known).exists()
        assert Participant.objects.filter(case=new_case).count() == before + 1

        # The person page shows the identity: one record seen, one held elsewhere.
        page.goto(f"{base}/persons/{known.pk}/")
        identity = page.locator("section.identity")
        assert "One more record of this person is held by an agency" in identity.inner_text()
        page.screenshot(path=shots / "linkage-person-identity.png", full_page=True)
        context.close()

        # A reviewer decides a pair of the queue.
        context, page, outside = offline_page(browser, base, 15_000)
        _sign_in(page, base, reviewer)
        page.click("nav >> text=Review queue")
        page.wait_for_url("**/linkage/")
        page.screenshot(path=shots / "linkage-queue.png", full_page=True)
        page.locator("tbody tr").first.locator("text=Review").click()
        page.wait_for_url("**/linkage/pairs/*/")
        assert "Same person?" in page.locator("h1").inner_text()
        assert page.locator(".side-by-side section").count() == 2
        page.screenshot(path=shots / "linkage-pair.png", full_page=True)
        pair_url = page.url
        page.click("button:has-text('Different persons')")
        page.wait_for_load_state()
        assert "Decision recorded." in page.locator(".messages").inner_text()
        decided = Candidate.objects.exclude(decision__in=["pending", "superseded"])
        assert decided.count() == 1 and decided.get().decision == "different"
        assert decided.get().decided_by == reviewer

        # The same page in Khmer, and at a phone's width, for the eye.
        page.goto(pair_url)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=shots / "linkage-pair-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.select_option("#lang-select", "km")
        page.click(".lang-switch button")
        page.wait_for_function("document.documentElement.lang === 'km'")
        assert "ជួរពិនិត្យ" in page.locator("nav").inner_text()
        page.screenshot(path=shots / "linkage-pair-km.png", full_page=True)
        assert outside == []
    finally:
        context.close()
