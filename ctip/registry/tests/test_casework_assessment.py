"""Needs and risk assessments (versioned, encrypted, masked like notes) and the steps owed to a
child victim (best interests, guardian), required before a child's case is transferred."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.casework.children import current_age, is_child, missing_steps
from ctip.registry.casework.selectors import assessment_history, case_assessments
from ctip.registry.casework.services import assessment_record, case_transfer, child_steps_save

pytestmark = pytest.mark.django_db

NEEDS = {
    "safety": {"level": "urgent", "note": "The recruiter knows her village."},
    "health": {"level": "some", "note": "Untreated injury to the left arm."},
}


def _assess(actor: Any, victim: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "needs": NEEDS,
        "risk_level": "high",
        "risk_reasons": "Threatened by the broker's family.",
    }
    fields.update(overrides)
    return assessment_record(actor=actor, participant=victim, **fields)


def test_assessment_is_versioned_encrypted_and_audited_without_its_content(
    officer: Any, make_member: Any, victim: Any
):
    first = _assess(officer, victim)
    colleague = make_member("case_officer", "PAHT-12")
    second = _assess(colleague, victim, risk_level="medium", risk_reasons="Moved to a shelter.")
    assert (first.version, second.version) == (1, 2)
    history = assessment_history(actor=officer, participant=victim)
    assert [a.version for a in history] == [2, 1]
    assert history[0].assessed_by == colleague and history[1].assessed_by == officer
    current = case_assessments(actor=officer, case=victim.case)[victim.pk]
    assert current.version == 2 and current.risk_level == "medium"
    areas = {code: (level, note) for code, _label, level, note in history[1].areas()}
    assert areas["safety"] == ("Urgent need", "The recruiter knows her village.")
    assert areas["shelter"][0] == "Not assessed"  # every area is on record, unknown if unsaid
    with connection.cursor() as cursor:
        cursor.execute("SELECT needs, risk_reasons FROM registry_needsassessment")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert "village" not in stored and "broker" not in stored and "shelter" not in stored
    events = AuditEvent.objects.filter(object_type="registry.needsassessment")
    assert events.count() == 2
    assert not AuditEvent.objects.filter(changes__icontains="village").exists()


def test_assessment_masked_by_its_level_like_a_note(officer: Any, supervisor: Any, victim: Any):
    _assess(officer, victim, sensitivity="testimony")
    assert not case_assessments(actor=officer, case=victim.case)[victim.pk].readable
    assert case_assessments(actor=supervisor, case=victim.case)[victim.pk].readable
    _assess(officer, victim, sensitivity="health")
    assert case_assessments(actor=officer, case=victim.case)[victim.pk].readable


def test_assessment_refused_to_outsiders_and_audited(outsider: Any, officer: Any, victim: Any):
    with pytest.raises(PermissionDenied):
        _assess(outsider, victim)
    assert AuditEvent.objects.filter(action="denied", object_type="registry.case").exists()
    assert case_assessments(actor=outsider, case=victim.case) == {}
    assert assessment_history(actor=outsider, participant=victim) == []


def test_assessment_bad_input_names_each_field(officer: Any, victim: Any, suspect: Any):
    with pytest.raises(ValidationError) as refused:
        _assess(
            officer,
            victim,
            needs={"safety": {"level": "dire"}, "luck": {"level": "some"}},
            risk_level="extreme",
            risk_reasons=" ",
            sensitivity="secret",
        )
    assert set(refused.value.message_dict) == {
        "safety_level",
        "needs",
        "risk_level",
        "risk_reasons",
        "sensitivity",
    }
    with pytest.raises(ValidationError) as refused:
        _assess(officer, suspect)
    assert "participant" in refused.value.message_dict
    assert not victim.assessments.exists()


def test_who_is_a_child(officer: Any, victim: Any, suspect: Any):
    today = datetime.date(2026, 12, 7)
    person = victim.person
    assert is_child(victim)  # estimated 16 when registered
    person.age_recorded_on = datetime.date(2024, 1, 1)
    assert current_age(person, today) == 18  # the estimate grows with the years
    person.estimated_age = None
    person.birth_year = None
    person.age_recorded_on = None
    assert current_age(person, today) is None
    victim.person = person
    victim.victim_profile.age_when_trafficked = 15
    assert is_child(victim, today)  # no age known: trafficked as a child, treated as one
    assert not is_child(suspect)


def _child_steps(actor: Any, victim: Any) -> Any:
    return child_steps_save(
        actor=actor,
        participant=victim,
        assessed_on=datetime.date(2024, 3, 7),
        assessment="Wants to stay with her grandmother.",
        guardian_name="Chan Ratha",
        guardian_relationship="relative",
        guardian_agency=Agency.objects.get(code="DOSVY-12"),
    )


def test_child_steps_validated_encrypted_and_audited(officer: Any, victim: Any, suspect: Any):
    with pytest.raises(ValidationError) as refused:
        child_steps_save(
            actor=officer,
            participant=victim,
            assessed_on=datetime.date.today() + datetime.timedelta(days=3),
            determination="Return home.",
            guardian_relationship="relative",
        )
    assert set(refused.value.message_dict) == {
        "assessed_on",
        "assessment",
        "determined_on",
        "determination",
        "guardian_name",
    }
    with pytest.raises(ValidationError) as refused:
        _child_steps(officer, suspect)
    assert "participant" in refused.value.message_dict
    steps = _child_steps(officer, victim)
    assert steps.has_assessment and steps.has_guardian and not steps.has_determination
    with connection.cursor() as cursor:
        cursor.execute("SELECT guardian_name, assessment FROM registry_childprotection")
        assert all("Ratha" not in v and "grandmother" not in v for v in cursor.fetchone())
    event = AuditEvent.objects.get(object_type="registry.childprotection")
    assert event.changes["guardian_name"] == ["", "•••"]
    assert event.changes["guardian_agency"] == [None, "DOSVY-12"]


def test_child_case_transferred_only_with_best_interests_and_guardian(
    officer: Any, make_member: Any, victim: Any
):
    make_member("case_officer", "DOSVY-12")
    receiver = Agency.objects.get(code="DOSVY-12")
    services.victim_profile_save(
        actor=officer,
        participant=victim,
        consent_to_share=True,
        consent_recorded_on=datetime.date(2024, 3, 6),
    )
    victim.refresh_from_db()
    assert missing_steps(victim, purpose="transfer") == [
        "a best-interest assessment",
        "an appointed guardian",
    ]
    # Someone who may not transfer the case learns nothing of its children.
    with pytest.raises(PermissionDenied):
        case_transfer(
            actor=make_member("case_officer", "PAHT-1"),
            case=victim.case,
            to_agency=receiver,
            reason="Shelter care",
        )
    with pytest.raises(ValidationError) as refused:
        case_transfer(actor=officer, case=victim.case, to_agency=receiver, reason="Shelter care")
    assert "is a child" in " ".join(refused.value.messages)
    assert "an appointed guardian" in " ".join(refused.value.messages)
    _child_steps(officer, victim)
    transfer = case_transfer(
        actor=officer, case=victim.case, to_agency=receiver, reason="Shelter care"
    )
    assert transfer.to_agency == receiver


def test_pages_walked_from_the_case_page(officer: Any, outsider: Any, victim: Any, client: Any):
    case = victim.case
    client.force_login(officer)
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    add = reverse("registry:assessment-add", args=[case.pk, victim.pk])
    child = reverse("registry:child-steps", args=[case.pk, victim.pk])
    assert add in page and child in page and "Child protection" in page
    data = {
        f"{area}_level": "none"
        for area in (
            "safety",
            "health",
            "shelter",
            "psychosocial",
            "legal",
            "documents",
            "livelihood",
            "family_tracing",
        )
    }
    data.update(
        safety_level="urgent",
        safety_note="Broker nearby.",
        risk_level="high",
        risk_reasons="Broker nearby.",
        sensitivity="health",
    )
    assert client.post(add, data).status_code == 302
    refused = client.post(add, {**data, "risk_reasons": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    shown = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert "High risk" in shown and "Broker nearby." in shown
    history = reverse("registry:assessment-list", args=[case.pk, victim.pk])
    assert history in shown and "Version 1" in client.get(history).content.decode()
    # The form starts from the current version.
    assert "Broker nearby." in client.get(add).content.decode()
    transfer = client.get(reverse("registry:case-transfer", args=[case.pk])).content.decode()
    assert "still to record before the transfer" in transfer and "appointed guardian" in transfer
    saved = client.post(child, {"guardian_name": "Chan Ratha", "guardian_relationship": "relative"})
    assert saved.status_code == 302
    assert (
        "Chan Ratha" in client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    )
    client.force_login(outsider)
    for url in (add, child, history):
        assert client.get(url).status_code == 404


def test_pages_are_headed_with_the_victims_name(officer: Any, victim: Any, client: Any):
    """As the referral form: the person's name, not only their number."""
    client.force_login(officer)
    for name in ("registry:assessment-add", "registry:child-steps"):
        page = client.get(reverse(name, args=[victim.case.pk, victim.pk])).content.decode()
        heading = page.split("<h1", 1)[1].split("</h1>", 1)[0]
        assert victim.person.display_name in heading, heading
        assert f"person {victim.person_id}" in heading
