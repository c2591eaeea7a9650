"""From a report to a verification and back: triage orders it, the assigned unit starts it
from the matter, the sign-off closes it, the reporter reads the outcome on the receipt page, a
summary is published at district level, and the indicators count it."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from ctip.access.models import Agency
from ctip.intake import selectors as intake_selectors
from ctip.intake import services as intake_services
from ctip.intake.hooks import matter_links
from ctip.stats.indicators import CATALOGUE
from ctip.stats.periods import parse_period
from ctip.verification import services
from ctip.verification.models import Verification

from .conftest import photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake_officer(make_member: Any) -> Any:
    return make_member("intake_officer", "AHTJP", username="intake")


@pytest.fixture
def submission() -> Any:
    data = intake_services.ReportInput(
        what="About forty young people held in a building; guards take their phones.",
        place_code="18010101",
        phones=["+855 12 999 000"],
    )
    return intake_services.report_submit_public(data=data, language="km")


@pytest.fixture
def ordered(submission: Any, intake_officer: Any) -> Any:
    """Triage grouped the report into a matter, assigned it to AHTJP and ordered a check."""
    matter = intake_services.matter_create(actor=intake_officer, reports=[submission.report])
    intake_services.matter_assign(
        actor=intake_officer, matter=matter, agency=Agency.objects.get(code="AHTJP")
    )
    intake_services.matter_decide(
        actor=intake_officer, matter=matter, outcome="verification_ordered"
    )
    matter.refresh_from_db()
    return matter


def _through_sign_off(verification: Any, lead: Any, partner: Any, signer: Any, **outcome: Any):
    for user, code in ((lead, "AHTJP"), (partner, "PAHT-18")):
        services.team_member_add(
            actor=lead, verification=verification, user=user, agency=Agency.objects.get(code=code)
        )
    services.visit_record(
        actor=lead, verification=verification, visited_on=datetime.date.today(), notes="Visited."
    )
    services.finding_add(
        actor=lead,
        verification=verification,
        kind="photo",
        description="Locked dormitory.",
        upload=photo(),
        file_name="dormitory.jpg",
    )
    services.verification_submit(
        actor=lead,
        verification=verification,
        sign_off_agency=Agency.objects.get(code="NCCT"),
        **outcome,
    )
    return services.verification_sign_off(actor=signer, verification=verification)


def test_the_assigned_unit_starts_the_verification_triage_ordered(
    ordered: Any, lead: Any, intake_officer: Any
) -> None:
    links = matter_links(actor=lead, matters=[ordered])
    assert [link.name for link in links[ordered.pk]] == ["verification-start"]
    verification = services.verification_order(
        actor=lead, matter=ordered, plan="Visit with the province police."
    )
    assert verification.matter == ordered and verification.lead_agency.code == "AHTJP"
    # The place and the allegation come from the report.
    assert verification.place_code == "18010101"
    assert verification.province is not None and verification.province.code == "KH-18"
    assert "forty young people" in verification.allegation
    links = matter_links(actor=intake_officer, matters=[ordered])
    assert [link.name for link in links[ordered.pk]] == ["verification"]
    with pytest.raises(ValidationError, match="under way"):
        services.verification_order(actor=lead, matter=ordered, plan="Again.")


def test_a_matter_not_ordered_for_verification_is_refused(
    submission: Any, intake_officer: Any, lead: Any
) -> None:
    matter = intake_services.matter_create(actor=intake_officer, reports=[submission.report])
    with pytest.raises(ValidationError) as error:
        services.verification_order(
            actor=intake_officer,
            matter=matter,
            plan="Visit.",
            lead_agency=Agency.objects.get(code="AHTJP"),
        )
    assert "has not ordered" in error.value.message_dict["matter"][0]
    assert not Verification.objects.exists()


def test_an_agency_not_assigned_cannot_start_it(ordered: Any, make_member: Any) -> None:
    stranger = make_member("case_officer", "PAHT-12", username="stranger")
    with pytest.raises(PermissionDenied):
        services.verification_order(
            actor=stranger,
            matter=ordered,
            plan="Visit.",
            lead_agency=Agency.objects.get(code="AHTJP"),
        )
    assert not Verification.objects.exists()


def test_reporter_reads_the_outcome_and_the_public_reads_the_district(
    ordered: Any, submission: Any, lead: Any, partner: Any, signer: Any
) -> None:
    verification = services.verification_order(actor=lead, matter=ordered, plan="Visit.")
    view = intake_selectors.public_view(report=submission.report)
    assert view.outcomes == []  # nothing told before the sign-off
    _through_sign_off(
        verification,
        lead,
        partner,
        signer,
        outcome="not_substantiated",
        reason="situation_ended",
        note="The building was empty; neighbours say the company left in May.",
    )
    view = intake_selectors.public_view(report=submission.report)
    assert "could not be confirmed" in view.outcomes[0].title
    assert "The situation had ended before the visit" in view.outcomes[0].title
    assert "neighbours" not in view.outcomes[0].title  # the team's grounds stay inside

    with pytest.raises(ValidationError) as error:
        services.summary_publish(actor=signer, verification=verification, text="   ")
    assert "text" in error.value.message_dict
    services.summary_publish(
        actor=signer,
        verification=verification,
        text="The building was empty when checked; the situation had ended.",
    )
    page = Client().get(reverse("verification:public")).content.decode()
    assert "Prey Nob" in page or "Sihanoukville" in page  # district 1801 of Preah Sihanouk
    assert "The building was empty when checked" in page
    assert "Not substantiated" in page
    for secret in ("forty young people", "999 000", "neighbours"):
        assert secret not in page
    view = intake_selectors.public_view(report=submission.report)
    assert view.outcomes[0].text.startswith("The building was empty")


def test_publishing_is_refused_before_sign_off_and_without_a_report(
    submitted: Any, signer: Any
) -> None:
    with pytest.raises(ValidationError, match="after the other agency"):
        services.summary_publish(actor=signer, verification=submitted, text="x")
    services.verification_sign_off(actor=signer, verification=submitted)
    with pytest.raises(ValidationError, match="from the public"):
        services.summary_publish(actor=signer, verification=submitted, text="x")
    submitted.refresh_from_db()
    assert submitted.published_at is None


def test_indicators_count_verifications_and_cases_from_reports(
    ordered: Any, lead: Any, partner: Any, signer: Any
) -> None:
    from ctip.registry.models import Case

    verification = services.verification_order(actor=lead, matter=ordered, plan="Visit.")
    services.found_person_add(
        actor=lead, verification=verification, role="victim", given_name_latin="Srey"
    )
    _through_sign_off(verification, lead, partner, signer, outcome="substantiated")
    case = services.verification_open_case(
        actor=lead, verification=verification, kind="trafficking"
    )
    assert case.source == "tip"
    year = parse_period(str(datetime.date.today().year))
    every_case = Case.objects.all()
    assert CATALOGUE["share_substantiated"].query(every_case, year).total == 100.0
    assert CATALOGUE["cases_from_reports"].query(every_case, year).by("kind") == {"trafficking": 1}
    days = CATALOGUE["time_to_verification"].query(every_case, year).total
    assert 0 <= days < 1
    # Cases the reader may not aggregate are not counted.
    assert CATALOGUE["cases_from_reports"].query(Case.objects.none(), year).total == 0


def test_the_matter_page_links_to_the_verification(
    ordered: Any, lead: Any, intake_officer: Any
) -> None:
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("intake:matter-detail", args=[ordered.pk])).content.decode()
    start = reverse("verification:create") + f"?matter={ordered.pk}"
    assert start in page
    verification = services.verification_order(actor=lead, matter=ordered, plan="Visit.")
    page = client.get(reverse("intake:matter-detail", args=[ordered.pk])).content.decode()
    assert reverse("verification:detail", args=[verification.pk]) in page
