"""A victim's care plan whose services become referrals, and what a referral's receiver reads
of the referred victim's case management (assessment, plan), but of no other victim."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.audit.models import AuditEvent
from ctip.referrals import selectors, services
from ctip.referrals.models import CarePlanItem
from ctip.registry.casework.selectors import case_assessments
from ctip.registry.casework.services import assessment_record
from ctip.registry.services import participant_add, person_create, victim_profile_save

pytestmark = pytest.mark.django_db


def _other_victim(police: Any, case: Any, *, age: int = 30, consent: bool = True) -> Any:
    person = person_create(
        actor=police, given_name_latin="Dara", family_name_latin="Keo", estimated_age=age
    )
    participant = participant_add(actor=police, case=case, person=person, role="victim")
    victim_profile_save(
        actor=police,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=consent,
    )
    participant.refresh_from_db()
    return participant


def _plan(police: Any, victim: Any, service: str = "shelter", goal: str = "A safe bed") -> Any:
    return services.care_plan_item_add(actor=police, participant=victim, service=service, goal=goal)


def _section(actor: Any, case: Any, participants: list[Any]) -> Any:
    return selectors.care_plan_section(
        actor=actor, case=case, participants=participants, can_change=False
    )


def test_a_planned_service_sent_as_a_referral_shows_its_state(
    police: Any, social: Any, victim: Any
):
    shelter = _plan(police, victim, goal="A safe bed away from the broker")
    _plan(police, victim, service="legal_aid", goal="A lawyer for the hearing")
    referral = services.care_plan_refer(actor=police, item=shelter, to_agency="DOSVY-12")
    shelter.refresh_from_db()
    assert shelter.referral == referral and referral.service == "shelter"
    assert referral.participant == victim
    plan = _section(police, victim.case, [victim]).context["plans"][0]
    assert [(i.service, i.referral_id) for i in plan["items"]] == [
        ("shelter", referral.pk),
        ("legal_aid", None),
    ]
    assert plan["items"][0].referral_seen
    services.referral_accept(actor=social, referral=referral)
    seen = _section(social, victim.case, [victim]).context["plans"][0]["items"]
    assert seen[0].referral.get_status_display() == "Accepted" and seen[0].referral_seen
    with pytest.raises(PermissionDenied):
        services.care_plan_refer(actor=police, item=shelter, to_agency="DOSVY-12")
    assert AuditEvent.objects.filter(
        action="denied", object_type="referrals.careplanitem", detail__wanted="care_plan_refer"
    ).exists()


def test_the_consent_checked_is_the_planned_victims(police: Any, victim: Any):
    other = _other_victim(police, victim.case, consent=False)
    item = _plan(police, other)
    with pytest.raises(ValidationError) as refused:
        services.care_plan_refer(actor=police, item=item, to_agency="DOSVY-12")
    assert "Keo Dara (person" in " ".join(refused.value.messages)
    item.refresh_from_db()
    assert item.referral is None
    # The consenting victim's plan goes through although the other has not consented.
    services.care_plan_refer(actor=police, item=_plan(police, victim), to_agency="DOSVY-12")


def test_a_child_is_referred_for_a_durable_solution_only_with_the_steps(
    police: Any, social: Any, victim: Any
):
    child = _other_victim(police, victim.case, age=12)
    with pytest.raises(ValidationError) as refused:
        services.referral_send(
            actor=police, participant=child, to_agency="DOSVY-12", service="reintegration"
        )
    assert "is a child" in " ".join(refused.value.message_dict["service"])
    # The receiver of another referral, who may not refer, learns nothing of the child.
    services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    with pytest.raises(PermissionDenied):
        services.referral_send(
            actor=social, participant=child, to_agency="NGO-CWCC", service="reintegration"
        )
    # Immediate protection does not wait for the paperwork.
    services.referral_send(actor=police, participant=child, to_agency="DOSVY-12", service="shelter")
    # The fixture's child has the steps on record: her reintegration goes.
    services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="reintegration"
    )


def test_the_receiver_reads_the_referred_victims_part_only(police: Any, social: Any, victim: Any):
    other = _other_victim(police, victim.case)
    for person in (victim, other):
        assessment_record(
            actor=police,
            participant=person,
            needs={"shelter": {"level": "urgent", "note": "No safe place."}},
            risk_level="high",
            risk_reasons="Broker nearby.",
        )
        _plan(police, person)
    services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    assert set(case_assessments(actor=social, case=victim.case)) == {victim.pk}
    plans = _section(social, victim.case, [victim, other]).context["plans"]
    assert [len(p["items"]) for p in plans] == [1, 0]
    # The receiver reads; planning and assessing stay the owner's work.
    with pytest.raises(PermissionDenied):
        _plan(social, victim)


def test_plan_bad_input_names_each_field(police: Any, victim: Any):
    with pytest.raises(ValidationError) as refused:
        services.care_plan_item_add(
            actor=police,
            participant=victim,
            service="massage",
            goal=" ",
            due_on=datetime.date(2020, 1, 1),
        )
    assert set(refused.value.message_dict) == {"service", "goal", "due_on"}
    assert not CarePlanItem.objects.exists()


def test_pages_plan_and_refer_by_links(
    police: Any, social: Any, victim: Any, make_member: Any, client: Any
):
    case_url = reverse("registry:case-detail", args=[victim.case_id])
    client.force_login(police)
    add = reverse("referrals:care-plan-add", args=[victim.pk])
    assert add in client.get(case_url).content.decode()
    assert client.post(add, {"service": "medical_care", "goal": "Treat the arm"}).status_code == 302
    item = CarePlanItem.objects.get()
    send = f"{reverse('referrals:send', args=[victim.pk])}?plan={item.pk}"
    page = client.get(case_url).content.decode()
    assert send.replace("&", "&amp;") in page or send in page
    form = client.get(send).content.decode()
    assert "Treat the arm" in form and 'value="shelter"' not in form
    # She is a child: the form shows her steps (recorded in the fixture).
    assert "Best-interest determination" in form and "Chan Dara" in form
    sent = client.post(send, {"service": "medical_care", "to_agency": _offering("medical_care")})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    item.refresh_from_db()
    assert item.referral is not None and item.referral.service == "medical_care"
    client.force_login(make_member("case_officer", "PAHT-1"))
    assert client.get(add).status_code == 404
    assert client.get(send).status_code == 404


def _offering(service: str) -> int:
    agencies = selectors.agencies_offering(service=service)
    chosen = next(a for a in agencies if a.code != "PAHT-12")
    return chosen.pk


def test_one_who_may_not_change_the_case_is_refused_before_the_checks(
    police: Any, social: Any, victim: Any
):
    """Another agency's officer gets the same refusal for a bad plan as for a good one, not
    field errors that would say something of the case (the refusal is audited)."""
    with pytest.raises(PermissionDenied):
        services.care_plan_item_add(actor=social, participant=victim, service="nope", goal="")
    assert not CarePlanItem.objects.exists()
    assert AuditEvent.objects.filter(actor_id=social.pk, action="denied").exists()
