"""Operations, persons found, screening decisions and the non-punishment rule, as services."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ctip.audit.models import AuditEvent
from ctip.registry.models import Participant, Person, VictimProfile
from ctip.registry.services import arrest_add, participant_add
from ctip.screening import services
from ctip.screening.models import FoundPerson, Operation, Screening

from .conftest import ROWS, screen

pytestmark = pytest.mark.django_db


def test_operation_opens_a_case_shared_with_the_agencies(operation: Any) -> None:
    case = operation.case
    assert case.source == "operation" and case.owning_agency.code == "PAHT-18"
    assert list(case.shares.values_list("agency__code", flat=True)) == ["DOSVY-18"]


def test_operation_refused_for_an_agency_the_officer_is_not_in(
    outsider: Any, operation: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.operation_create(
            actor=outsider,
            kind="raid",
            name="x",
            conducted_on=datetime.date.today(),
            province=operation.province,
            place="y",
            lead_agency=operation.lead_agency,
        )
    assert Operation.objects.count() == 1


def test_persons_found_are_registered_with_encrypted_identity(found: list[Any]) -> None:
    assert [f.number for f in found] == [1, 2, 3]
    assert [f.nationality for f in found] == ["VNM", "CHN", "IDN"]
    person = Person.objects.get(pk=found[0].person_id)
    assert person.family_name_latin == "Nguyen" and person.estimated_age == 24
    assert person.documents.get().number == "C1234567"
    assert found[2].age_is_apparent and not found[0].age_is_apparent
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name_latin FROM registry_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "Nguyen" not in stored  # encrypted at rest
    roles = set(
        Participant.objects.filter(case=found[0].operation.case).values_list("role", flat=True)
    )
    assert roles == {"other"}


def test_one_bad_row_refuses_every_row_and_names_it(police: Any, operation: Any) -> None:
    rows = [dict(ROWS[0]), {"given_name": "A", "age": "200", "nationality": "Atlantis"}]
    with pytest.raises(ValidationError) as error:
        services.found_persons_add(actor=police, operation=operation, rows=rows)
    assert set(error.value.message_dict) == {"row 2: age", "row 2: nationality"}
    assert FoundPerson.objects.count() == 0 and Person.objects.count() == 0


def test_numbers_may_not_repeat(police: Any, operation: Any, found: list[Any]) -> None:
    with pytest.raises(ValidationError) as error:
        services.found_persons_add(
            actor=police, operation=operation, rows=[{"family_name": "X", "number": "2"}]
        )
    assert "row 1: number" in error.value.message_dict


def test_identified_victim_gets_a_victim_profile(police: Any, found: list[Any]) -> None:
    screening = screen(police, found[0])
    found[0].refresh_from_db()
    assert found[0].decision == "identified" and found[0].repatriation == "waiting"
    profile = VictimProfile.objects.get(
        participant__person=found[0].person, participant__role="victim"
    )
    assert profile.trafficking_status == "ActualVictimOfTrafficking"
    assert profile.means_of_control == ["FalsePromises", "WithholdsDocuments"]
    assert profile.consent_to_share and profile.status_decided_by == "Police"
    assert screening.indicators == ["deception", "documents_confiscated", "forced_criminality"]


def test_a_victim_decision_needs_supporting_indicators(police: Any, found: list[Any]) -> None:
    with pytest.raises(ValidationError) as error:
        screen(police, found[0], answers={"deception": "no"})
    assert "answers" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        screen(police, found[0], reasons=" ")
    assert "reasons" in error.value.message_dict
    assert Screening.objects.count() == 0


def test_presumed_then_not_a_victim_updates_the_profile(police: Any, found: list[Any]) -> None:
    screen(police, found[1], decision="presumed")
    second = screen(police, found[1], decision="not_victim", answers={}, consent_to_embassy=False)
    assert second.second_interview
    profile = VictimProfile.objects.get(participant__person=found[1].person)
    assert profile.trafficking_status == "NotAVictimOfTrafficking"


def test_non_punishment_victim_cannot_become_suspect(police: Any, found: list[Any]) -> None:
    screen(police, found[0], decision="presumed")
    before = AuditEvent.objects.filter(action="denied").count()
    with pytest.raises(ValidationError) as error:
        services.found_person_mark_suspect(actor=police, found=found[0])
    assert "non-punishment" in str(error.value)
    case = found[0].operation.case
    with pytest.raises(ValidationError):
        participant_add(actor=police, case=case, person=found[0].person, role="suspect")
    with pytest.raises(ValidationError):
        arrest_add(
            actor=police,
            case=case,
            person=found[0].person,
            arrested_on=datetime.date.today(),
            agency=case.owning_agency,
        )
    assert not Participant.objects.filter(case=case, role="suspect").exists()
    assert AuditEvent.objects.filter(action="denied").count() == before + 3


def test_non_punishment_suspect_cannot_become_victim(police: Any, found: list[Any]) -> None:
    services.found_person_mark_suspect(actor=police, found=found[1])
    with pytest.raises(ValidationError) as error:
        screen(police, found[1])
    assert "decision" in error.value.message_dict
    found[1].refresh_from_db()
    assert found[1].decision == "pending"
    # Not a victim stays possible: the rule forbids only the contradiction.
    screen(police, found[1], decision="not_victim", answers={})


def test_victim_in_another_case_may_still_be_a_suspect_there(police: Any, found: list[Any]) -> None:
    from ctip.registry.services import case_create

    screen(police, found[0])
    other = case_create(
        actor=police,
        kind="trafficking",
        source="tip",
        owning_agency=found[0].operation.lead_agency,
        province=found[0].operation.province,
        opened_on=datetime.date.today(),
    )
    participant_add(actor=police, case=other, person=found[0].person, role="suspect")


def test_outsider_cannot_screen(outsider: Any, found: list[Any]) -> None:
    with pytest.raises(PermissionDenied):
        screen(outsider, found[0])


def test_embassy_list_sends_only_consenting_identified_victims(
    police: Any, found: list[Any], make_member: Any
) -> None:
    from ctip.access.models import Agency
    from ctip.referrals.models import ExchangePackage

    screen(police, found[0])
    vnm_agency = Agency.objects.get(code="FP-VNM")
    row = {"family_name": "Tran", "given_name": "Thi Lan", "nationality": "VNM", "language": "vi"}
    [no_consent] = services.found_persons_add(
        actor=police, operation=found[0].operation, rows=[row]
    )
    screen(police, no_consent, consent_to_embassy=False)
    sent = services.embassy_list_send(
        actor=police, operation=found[0].operation, nationality="VNM", to_agency=vnm_agency
    )
    assert len(sent.packages) == 1 and sent.without_consent == [no_consent]
    package = ExchangePackage.objects.get()
    assert package.payload["per_FamilyName"] == "Nguyen"
    assert package.referral.to_agency == vnm_agency
    found[0].refresh_from_db()
    assert found[0].repatriation == "embassy_notified"
    again = services.embassy_list_send(
        actor=police, operation=found[0].operation, nationality="VNM", to_agency=vnm_agency
    )
    assert again.packages == [] and again.already == [found[0]]
    with pytest.raises(ValidationError):
        services.embassy_list_send(
            actor=police,
            operation=found[0].operation,
            nationality="VNM",
            to_agency=Agency.objects.get(code="FP-CHN"),
        )


def test_repatriation_status(police: Any, found: list[Any]) -> None:
    screen(police, found[0])
    services.repatriation_update(actor=police, found=found[0], status="returned")
    found[0].refresh_from_db()
    assert found[0].get_repatriation_display() == "Returned home"
    with pytest.raises(ValidationError):
        services.repatriation_update(actor=police, found=found[0], status="flown")


def test_embassy_list_leaves_out_a_child_without_best_interest_steps(
    police: Any, found: list[Any]
) -> None:
    """A child's repatriation waits for the best-interest determination and a guardian
    (decision 0150); the list goes for the others and names the child back."""
    import datetime

    from ctip.access.models import Agency
    from ctip.registry.casework.services import child_steps_save
    from ctip.registry.models import Participant

    vnm_agency = Agency.objects.get(code="FP-VNM")
    row = {"family_name": "Tran", "given_name": "Thi Lan", "nationality": "VNM", "age": "14"}
    [child] = services.found_persons_add(actor=police, operation=found[0].operation, rows=[row])
    screen(police, found[0])
    screen(police, child)
    sent = services.embassy_list_send(
        actor=police, operation=found[0].operation, nationality="VNM", to_agency=vnm_agency
    )
    assert len(sent.packages) == 1 and sent.child_steps_missing == [child]
    child.refresh_from_db()
    participant = Participant.objects.get(person=child.person, role="victim")
    child_steps_save(
        actor=police,
        participant=participant,
        assessed_on=datetime.date.today(),
        assessment="Her parents in Vietnam are looking for her.",
        determined_on=datetime.date.today(),
        determination="Return to her parents in An Giang.",
        guardian_name="Tran Van Hai",
        guardian_relationship="parent",
    )
    again = services.embassy_list_send(
        actor=police, operation=found[0].operation, nationality="VNM", to_agency=vnm_agency
    )
    assert len(again.packages) == 1 and again.child_steps_missing == []
