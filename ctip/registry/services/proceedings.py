"""Writes to a case's court proceedings: recorded, then their progress (stage, verdict)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind
from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic

from ..choices import ProceedingStage, Verdict
from ..models import Case, Person, Proceeding
from ..validation import Errors, check_choice, check_codes, check_not_future, check_order
from .base import _require, _require_open, _save_changes


@audited_atomic
def proceeding_add(
    *,
    actor: Any,
    case: Case | None,
    filed_on: datetime.date,
    defendant: Person | None = None,
    court: Agency | None = None,
    charges: list[str] | None = None,
    stage: str = ProceedingStage.INVESTIGATION,
    verdict: str = Verdict.PENDING,
    verdict_on: datetime.date | None = None,
    sentence_months: int | None = None,
    fine_riel: int | None = None,
) -> Proceeding:
    """Record a court proceeding; it always belongs to a case."""
    if case is None:
        raise ValidationError({"case": [_("A proceeding belongs to a case.")]})
    # Asked first: one who may not change the case learns nothing from the checks below.
    _require(actor, case, Action.CHANGE)
    _require_open(actor, case)
    charges = charges or []
    errors = Errors()
    check_not_future(errors, "filed_on", filed_on)
    check_not_future(errors, "verdict_on", verdict_on)
    check_order(errors, "verdict_on", filed_on, verdict_on)
    check_codes(errors, "charges", "charge", charges)
    _check_proceeding(
        errors,
        stage=stage,
        verdict=verdict,
        verdict_on=verdict_on,
        court=court,
        sentence_months=sentence_months,
    )
    errors.raise_if_any()
    proceeding = Proceeding.objects.create(
        case=case,
        defendant=defendant,
        court=court,
        charges=charges,
        filed_on=filed_on,
        stage=stage,
        verdict=verdict,
        verdict_on=verdict_on,
        sentence_months=sentence_months,
        fine_riel=fine_riel,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=proceeding,
        changes={
            "case": [None, case.reference],
            "verdict": [None, verdict],
            "charges": [None, charges],
        },
    )
    return proceeding


def _check_proceeding(
    errors: Errors,
    *,
    stage: str,
    verdict: str,
    verdict_on: datetime.date | None,
    court: Agency | None,
    sentence_months: int | None,
) -> None:
    """What a proceeding must satisfy whether it is recorded or later updated."""
    check_choice(errors, "stage", stage, ProceedingStage.values)
    check_choice(errors, "verdict", verdict, Verdict.values)
    if court is not None and court.kind != AgencyKind.COURT:
        errors.add("court", _("%(agency)s is not a court.") % {"agency": court.code})
    if verdict == Verdict.CONVICTED and verdict_on is None:
        errors.add("verdict_on", _("A verdict needs its date."))
    if sentence_months is not None and verdict != Verdict.CONVICTED:
        errors.add("sentence_months", _("Only a conviction carries a sentence."))


@audited_atomic
def proceeding_update(*, actor: Any, proceeding: Proceeding, **changes: Any) -> Proceeding:
    """Record progress of a proceeding: stage, verdict, sentence."""
    allowed = {"stage", "verdict", "verdict_on", "sentence_months", "fine_riel", "charges", "court"}
    # Asked first: the date check below would tell one who may not change the case when the
    # proceeding was filed.
    _require(actor, proceeding.case, Action.CHANGE)
    errors = Errors()
    for field in sorted(set(changes) - allowed):
        errors.add(field, _("This field cannot be changed here."))
    merged = {f: changes.get(f, getattr(proceeding, f)) for f in allowed}
    check_not_future(errors, "verdict_on", merged["verdict_on"])
    check_order(errors, "verdict_on", proceeding.filed_on, merged["verdict_on"])
    check_codes(errors, "charges", "charge", merged["charges"])
    _check_proceeding(
        errors,
        stage=merged["stage"],
        verdict=merged["verdict"],
        verdict_on=merged["verdict_on"],
        court=merged["court"],
        sentence_months=merged["sentence_months"],
    )
    errors.raise_if_any()
    _save_changes(actor=actor, instance=proceeding, changes=changes)
    return proceeding
