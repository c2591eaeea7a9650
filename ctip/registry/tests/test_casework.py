"""Case management: caseworker and "my cases", notes by sensitivity, follow-ups, transfer."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ctip.access.models import Agency, Notification
from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.casework.selectors import case_notes, follow_ups_due
from ctip.registry.casework.services import (
    case_assign,
    case_note_add,
    case_transfer,
    child_steps_save,
    follow_up_plan,
    follow_up_record,
)
from ctip.registry.selectors import CaseFilters, case_list

pytestmark = pytest.mark.django_db


def test_assign_a_caseworker_makes_it_their_case(officer: Any, make_member: Any, case: Any):
    colleague = make_member("case_officer", "PAHT-12")
    assert list(case_list(actor=officer, filters=CaseFilters(mine=True))) == [case]
    case_assign(actor=officer, case=case, caseworker=colleague)
    assert list(case_list(actor=colleague, filters=CaseFilters(mine=True))) == [case]
    assert list(case_list(actor=officer, filters=CaseFilters(mine=True))) == []
    told = Notification.objects.get(recipient=colleague)
    assert told.kind == "assignment" and case.reference in told.message
    assert AuditEvent.objects.filter(action="update", object_type="registry.case").exists()


def test_caseworker_must_be_staff_of_the_owner(officer: Any, outsider: Any, case: Any):
    with pytest.raises(ValidationError) as refused:
        case_assign(actor=officer, case=case, caseworker=outsider)
    assert "caseworker" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        case_assign(actor=outsider, case=case, caseworker=outsider)


def test_sensitive_notes_are_masked_for_roles_not_cleared(officer: Any, supervisor: Any, case: Any):
    case_note_add(actor=officer, case=case, text="Called the family; all well.")
    case_note_add(
        actor=officer, case=case, text="She described the abuse in detail.", sensitivity="testimony"
    )
    by_officer = {n.sensitivity: n.shown for n in case_notes(actor=officer, case=case)}
    assert by_officer[""] == "Called the family; all well."
    assert by_officer["testimony"] == "•••"  # case officers reveal testimony, not read it
    by_supervisor = {n.sensitivity: n.shown for n in case_notes(actor=supervisor, case=case)}
    assert by_supervisor["testimony"] == "She described the abuse in detail."
    # Stored encrypted; the audit trail does not repeat the text.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM registry_casenote")
        assert all("abuse" not in row[0] for row in cursor.fetchall())
    assert not AuditEvent.objects.filter(changes__icontains="abuse").exists()


def test_note_bad_input_names_the_field(officer: Any, case: Any):
    with pytest.raises(ValidationError) as refused:
        case_note_add(actor=officer, case=case, text=" ", sensitivity="secret")
    assert set(refused.value.message_dict) == {"text", "sensitivity"}


def test_follow_up_planned_notified_due_and_recorded(
    officer: Any, make_member: Any, case: Any, victim: Any
):
    worker = make_member("case_officer", "PAHT-12")
    case_assign(actor=officer, case=case, caseworker=worker)
    soon = datetime.date.today() + datetime.timedelta(days=2)
    visit = follow_up_plan(
        actor=officer, case=case, kind="home_visit", due_on=soon, participant=victim
    )
    assert visit.caseworker == worker
    assert Notification.objects.filter(recipient=worker, kind="follow_up").exists()
    assert follow_ups_due(actor=worker) == [visit]
    with pytest.raises(ValidationError) as refused:
        follow_up_record(actor=worker, follow_up=visit, status="done")
    assert "done_on" in refused.value.message_dict
    follow_up_record(
        actor=worker,
        follow_up=visit,
        status="done",
        done_on=datetime.date.today(),
        outcome="Back at school.",
    )
    assert follow_ups_due(actor=worker) == []


def test_transfer_hands_the_case_over_and_keeps_the_former_owner_reading(
    officer: Any, supervisor: Any, make_member: Any, case: Any, victim: Any, client: Any
):
    social = make_member("case_officer", "DOSVY-12")
    receiver = Agency.objects.get(code="DOSVY-12")
    # She is a child (16): her best interests assessed and a guardian appointed (decision 0150).
    child_steps_save(
        actor=officer,
        participant=victim,
        assessed_on=datetime.date(2024, 3, 6),
        assessment="Safe to move to a shelter.",
        guardian_name="Chan Ratha",
        guardian_relationship="relative",
    )
    # The victim has not consented: an officer may not pass her identity on.
    with pytest.raises(PermissionDenied):
        case_transfer(actor=officer, case=case, to_agency=receiver, reason="Shelter care")
    services.victim_profile_save(
        actor=officer,
        participant=victim,
        consent_to_share=True,
        consent_recorded_on=datetime.date(2024, 3, 6),
    )
    transfer = case_transfer(actor=officer, case=case, to_agency=receiver, reason="Shelter care")
    case.refresh_from_db()
    assert case.owning_agency == receiver and not transfer.consent_override
    assert list(case_list(actor=social)) == [case]
    assert list(case_list(actor=officer)) == [case]  # still readable by the former owner
    assert Notification.objects.filter(recipient=social, kind="transfer").exists()
    # The new owner carries it now: it may assign its own staff; the former owner may not
    # pass it on again.
    case_assign(actor=social, case=case, caseworker=social)
    with pytest.raises(PermissionDenied):
        case_transfer(
            actor=officer, case=case, to_agency=Agency.objects.get(code="PAHT-12"), reason="Back"
        )


def test_pages_from_the_case_page(officer: Any, outsider: Any, case: Any, client: Any):
    client.force_login(officer)
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    for name in ("case-assign", "note-add", "follow-up-add", "case-transfer"):
        assert reverse(f"registry:{name}", args=[case.pk]) in page
    sent = client.post(
        reverse("registry:note-add", args=[case.pk]), {"text": "Met the mother.", "sensitivity": ""}
    )
    assert sent.status_code == 302
    assert (
        "Met the mother."
        in client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    )
    refused = client.post(reverse("registry:note-add", args=[case.pk]), {"text": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    client.force_login(outsider)
    for name in ("case-assign", "note-add", "follow-up-add", "case-transfer"):
        assert client.get(reverse(f"registry:{name}", args=[case.pk])).status_code == 404
