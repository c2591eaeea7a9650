"""Case management's refusals: who may not change the case is refused before any field check
(whose answer would tell them about the case), and an addition to a closed case is refused and
audited like every other refusal."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.casework import services as casework

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2000, 1, 1)  # before the case was opened: a field error


def _denied(actor: Any, case: Any) -> list[dict[str, Any]]:
    return [
        event.detail
        for event in AuditEvent.objects.filter(
            actor_id=actor.pk, action="denied", object_type="registry.case", object_id=str(case.pk)
        )
    ]


def test_who_may_not_change_the_case_is_refused_before_the_field_checks(
    outsider: Any, victim: Any, suspect: Any
):
    case = victim.case
    follow_up = casework.follow_up_plan(
        actor=case.created_by, case=case, kind="home_visit", due_on=datetime.date(2024, 4, 1)
    )
    casework.follow_up_record(
        actor=case.created_by, follow_up=follow_up, status="missed", done_on=None
    )
    attempts = [
        # Each of these is a field error for one who may change the case.
        lambda: casework.case_note_add(actor=outsider, case=case, text="", sensitivity="x"),
        lambda: casework.follow_up_plan(actor=outsider, case=case, kind="visit", due_on=LONG_AGO),
        lambda: casework.follow_up_record(actor=outsider, follow_up=follow_up, status="done"),
        lambda: casework.assessment_record(
            actor=outsider, participant=suspect, needs={}, risk_level="high", risk_reasons="x"
        ),
        lambda: casework.child_steps_save(actor=outsider, participant=suspect),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert len(_denied(outsider, case)) == len(attempts)


def test_an_addition_to_a_closed_case_is_refused_and_audited(
    officer: Any, supervisor: Any, victim: Any
):
    case = victim.case
    services.case_close(
        actor=supervisor, case=case, closed_on=datetime.date(2024, 4, 1), reason="x"
    )
    case.refresh_from_db()
    attempts = [
        lambda: casework.follow_up_plan(
            actor=officer, case=case, kind="visit", due_on=datetime.date(2024, 5, 1)
        ),
        lambda: casework.assessment_record(
            actor=officer, participant=victim, needs={}, risk_level="high", risk_reasons="x"
        ),
        lambda: casework.child_steps_save(actor=officer, participant=victim),
        lambda: services.event_add(
            actor=officer, case=case, kind="recruitment", occurred_on=datetime.date(2024, 1, 1)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="closed"):
            attempt()
    denied = _denied(officer, case)
    assert len(denied) == len(attempts)
    assert all(detail.get("refused") == "case closed" for detail in denied)
