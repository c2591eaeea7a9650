"""The verification's life: plan, team, visit, evidence, outcome, sign-off, cases, summary;
and every refusal on the way leaves nothing changed and is on the audit trail."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.audit.models import AuditEvent
from ctip.registry.models import Participant
from ctip.verification import services
from ctip.verification.models import FoundPerson, Verification

from .conftest import add_evidence, agency, photo

pytestmark = pytest.mark.django_db


def _denials(object_id: Any) -> int:
    return AuditEvent.objects.filter(
        action="denied", object_type="verification.verification", object_id=str(object_id)
    ).count()


def test_a_verification_is_ordered_with_a_reference_and_audited(planned: Any) -> None:
    assert planned.reference.startswith("VER-") and planned.status == "planned"
    event = AuditEvent.objects.filter(object_type="verification.verification").get()
    assert event.action == "create"
    # What is alleged is encrypted in the table and never copied into the trail.
    assert event.changes["allegation"] == [None, "•••"]
    assert "compound" not in str(event.changes)


def test_plan_needs_allegation_plan_and_unit_when_officials_are_concerned(lead: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.verification_create(
            actor=lead,
            lead_agency=agency("AHTJP"),
            allegation="  ",
            plan="",
            concerns_officials=True,
        )
    assert set(error.value.message_dict) == {"allegation", "plan", "unit_concerned"}
    assert not Verification.objects.exists()


def test_an_officer_orders_verifications_only_for_their_own_agency(partner: Any) -> None:
    with pytest.raises(PermissionDenied, match="AHTJP"):
        services.verification_create(
            actor=partner, lead_agency=agency("AHTJP"), allegation="x", plan="y"
        )
    assert not Verification.objects.exists()
    assert AuditEvent.objects.filter(action="denied", detail__wanted="verification_create").exists()


def test_visit_needs_officers_of_two_agencies(lead: Any) -> None:
    verification = services.verification_create(
        actor=lead, lead_agency=agency("AHTJP"), allegation="a", plan="p"
    )
    services.team_member_add(
        actor=lead, verification=verification, user=lead, agency=agency("AHTJP")
    )
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            actor=lead, verification=verification, visited_on=datetime.date.today(), notes="n"
        )
    assert "at least two agencies" in error.value.message_dict["team"][0]
    verification.refresh_from_db()
    assert verification.status == "planned" and verification.visited_on is None


def test_allegation_against_officials_needs_an_officer_from_outside_the_unit(
    lead: Any, make_member: Any
) -> None:
    # The allegation concerns the national police (GCNP); AHTJP sits under it, and so does the
    # immigration department: a team of the two is all from the unit concerned.
    immigration = make_member("case_officer", "GDI", username="immigration")
    verification = services.verification_create(
        actor=lead,
        lead_agency=agency("AHTJP"),
        allegation="Police officers protect the compound.",
        plan="Joint visit.",
        concerns_officials=True,
        unit_concerned=agency("GCNP"),
    )
    services.team_member_add(
        actor=lead, verification=verification, user=lead, agency=agency("AHTJP")
    )
    services.team_member_add(
        actor=lead, verification=verification, user=immigration, agency=agency("GDI")
    )
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            actor=lead, verification=verification, visited_on=datetime.date.today(), notes="n"
        )
    assert "GCNP" in error.value.message_dict["team"][0]
    outsider = make_member("case_officer", "MOSVY", username="outsider")
    services.team_member_add(
        actor=lead, verification=verification, user=outsider, agency=agency("MOSVY")
    )
    services.visit_record(
        actor=lead, verification=verification, visited_on=datetime.date.today(), notes="n"
    )
    assert verification.status == "visited"


def test_a_team_member_must_work_for_the_agency_named(planned: Any, lead: Any, signer: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=lead, verification=planned, user=signer, agency=agency("AHTJP")
        )
    assert "does not work for AHTJP" in error.value.message_dict["member"][0]
    assert planned.team.count() == 2


def test_submitting_without_evidence_is_refused_and_changes_nothing(
    visited: Any, lead: Any
) -> None:
    services.finding_add(
        actor=lead, verification=visited, kind="observation", description="Gate guarded."
    )
    with pytest.raises(ValidationError) as error:
        services.verification_submit(
            actor=lead,
            verification=visited,
            outcome="substantiated",
            sign_off_agency=agency("NCCT"),
        )
    assert "evidence" in error.value.message_dict
    visited.refresh_from_db()
    assert visited.status == "visited" and visited.outcome == ""


def test_not_substantiated_needs_a_reason(visited: Any, lead: Any) -> None:
    add_evidence(visited, lead)
    with pytest.raises(ValidationError) as error:
        services.verification_submit(
            actor=lead,
            verification=visited,
            outcome="not_substantiated",
            sign_off_agency=agency("NCCT"),
        )
    assert {"reason", "note"} <= set(error.value.message_dict)
    visited.refresh_from_db()
    assert visited.status == "visited"


def test_sign_off_cannot_be_asked_of_the_verifying_agency(visited: Any, lead: Any) -> None:
    add_evidence(visited, lead)
    with pytest.raises(ValidationError) as error:
        services.verification_submit(
            actor=lead,
            verification=visited,
            outcome="substantiated",
            sign_off_agency=agency("AHTJP"),
        )
    assert "another agency" in error.value.message_dict["sign_off_agency"][0]


def test_a_supervisor_of_the_verifying_agency_cannot_sign_off(
    submitted: Any, same_supervisor: Any
) -> None:
    before = _denials(submitted.pk)
    with pytest.raises(PermissionDenied, match="the agency that verified"):
        services.verification_sign_off(actor=same_supervisor, verification=submitted)
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_sign_off" and submitted.signed_off_by is None
    assert _denials(submitted.pk) == before + 1


def test_an_officer_cannot_close_without_a_supervisors_sign_off(
    submitted: Any, partner: Any, make_member: Any
) -> None:
    with pytest.raises(PermissionDenied, match="You were on the team"):
        services.verification_sign_off(actor=partner, verification=submitted)
    officer = make_member("case_officer", "NCCT", username="ncct-officer")
    with pytest.raises(PermissionDenied, match="sign-off of a supervisor of NCCT"):
        services.verification_sign_off(actor=officer, verification=submitted)
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_sign_off"


def test_closing_before_submission_is_refused(visited: Any, signer: Any) -> None:
    with pytest.raises(PermissionDenied, match="submit it first"):
        services.verification_sign_off(actor=signer, verification=visited)
    visited.refresh_from_db()
    assert visited.status == "visited"


def test_a_supervisor_of_another_agency_signs_off_and_the_team_is_frozen(
    submitted: Any, signer: Any, lead: Any
) -> None:
    services.verification_sign_off(actor=signer, verification=submitted, note="Checked.")
    submitted.refresh_from_db()
    assert submitted.status == "closed" and submitted.signed_off_by == signer
    event = AuditEvent.objects.filter(object_id=str(submitted.pk), action="close").get()
    assert event.detail["signed_for"] == "NCCT"
    with pytest.raises(PermissionDenied, match="can no longer change"):
        services.finding_add(
            actor=lead, verification=submitted, kind="observation", description="late"
        )


def test_sign_off_may_send_it_back_with_a_note(submitted: Any, signer: Any, lead: Any) -> None:
    with pytest.raises(ValidationError):
        services.verification_return(actor=signer, verification=submitted, note="")
    services.verification_return(
        actor=signer, verification=submitted, note="Add the photos of the dormitory."
    )
    submitted.refresh_from_db()
    assert submitted.status == "visited"
    assert submitted.returned_note == "Add the photos of the dormitory."


def test_a_substantiated_verification_opens_a_case_with_its_persons(
    submitted: Any, signer: Any, lead: Any
) -> None:
    services.verification_sign_off(actor=signer, verification=submitted)
    case = services.verification_open_case(
        actor=lead, verification=submitted, kind="forced_criminality"
    )
    assert case.owning_agency.code == "AHTJP" and case.source == "other"
    assert case.province.code == "KH-18"
    roles = sorted(Participant.objects.filter(case=case).values_list("role", flat=True))
    assert roles == ["suspect", "victim"]
    victim = Participant.objects.get(case=case, role="victim").person
    assert (victim.given_name_latin, victim.family_name_latin) == ("Dara", "Sok")
    assert victim.citizenships == ["KHM"]
    assert all(p.person_id for p in FoundPerson.objects.filter(verification=submitted))
    assert list(submitted.opened_cases.values_list("case_id", flat=True)) == [case.pk]
    # Carried over once: a second case takes no one twice.
    second = services.verification_open_case(
        actor=lead, verification=submitted, kind="forced_labour"
    )
    assert not Participant.objects.filter(case=second).exists()


def test_no_case_from_an_unsigned_or_unsubstantiated_verification(
    submitted: Any, lead: Any
) -> None:
    with pytest.raises(ValidationError, match="signed off"):
        services.verification_open_case(actor=lead, verification=submitted, kind="trafficking")
    assert not submitted.opened_cases.exists()


def test_only_the_verifying_agency_opens_its_cases(
    submitted: Any, signer: Any, partner: Any
) -> None:
    services.verification_sign_off(actor=signer, verification=submitted)
    with pytest.raises(PermissionDenied, match="AHTJP"):
        services.verification_open_case(actor=partner, verification=submitted, kind="trafficking")
    assert not submitted.opened_cases.exists()
    assert not Participant.objects.exists()


def test_evidence_needs_its_file_and_a_file_must_be_what_it_claims(planned: Any, lead: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.finding_add(
            actor=lead, verification=planned, kind="photo", description="The gate."
        )
    assert "file" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.finding_add(
            actor=lead,
            verification=planned,
            kind="photo",
            description="The gate.",
            upload=b"MZ\x90\x00 not a photo at all",
            file_name="gate.jpg",
        )
    assert "file" in error.value.message_dict
    assert not planned.findings.exists()
    from ctip.registry.models import StoredFile

    assert not StoredFile.objects.exists()
    finding = services.finding_add(
        actor=lead,
        verification=planned,
        kind="photo",
        description="The gate.",
        upload=photo(gps=True),
        file_name="gate.jpg",
    )
    assert finding.is_evidence and getattr(finding.file, "content_type", "") == "image/jpeg"
    services.finding_remove(actor=lead, verification=planned, finding=finding)
    assert not StoredFile.objects.exists()


def test_hostile_text_is_refused_by_field(planned: Any, lead: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.finding_add(
            actor=lead,
            verification=planned,
            kind="photo",
            description="x" * 5000,
        )
    assert "description" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.found_person_add(
            actor=lead,
            verification=planned,
            role="victim",
            given_name_latin="Evil\u202ename",
            estimated_age=300,
            citizenship="XXX",
        )
    assert {"given_name_latin", "estimated_age", "citizenship"} <= set(error.value.message_dict)
    assert not planned.findings.exists() and not planned.persons.exists()
