"""Triage: reports grouped into matters, matters assigned to a specialised unit or a province
committee with a response deadline, and the outcome that ends triage. Every step audited."""

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind, Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.referrals.choices import Service
from ctip.referrals.services.offers import deadline_days
from ctip.registry.validation import Errors, check_choice, text_problem

from ..choices import (
    OUTCOME_STATUSES,
    MatterStatus,
    NotActionableReason,
    Outcome,
    Priority,
    ReportStatus,
)
from ..models import Matter, Report
from .reports import require_intake

# Who a matter may be assigned to: the specialised police units and the province committees.
ASSIGNABLE_KINDS = (AgencyKind.POLICE_UNIT, AgencyKind.PROVINCE_COMMITTEE)
# The assigned agency's members who may decide the outcome.
DECIDING_ROLES = frozenset({Role.SUPERVISOR, Role.CASE_OFFICER})


def _refresh(matter: Matter) -> None:
    """A matter is as urgent as its most urgent report, and sits where its reports point."""
    reports = list(matter.reports.order_by("priority", "received_at"))
    matter.priority = min((r.priority for r in reports), default=Priority.NORMAL)
    if matter.province_id is None or not matter.place_code:
        for report in reports:
            if report.place_code and not matter.place_code:
                matter.place_code = report.place_code
            if report.province_id and matter.province_id is None:
                matter.province_id = report.province_id
    matter.save(update_fields=["priority", "province", "place_code"])


def _check_open(errors: Errors, matter: Matter) -> None:
    if matter.status in OUTCOME_STATUSES:
        errors.add(
            "matter",
            _("This matter is decided already (%(status)s).")
            % {"status": matter.get_status_display()},
        )


def _attach(actor: Any, report: Report, matter: Matter) -> str | None:
    """Put a report in a matter; the matter it left, if any, is refreshed by the caller."""
    before = report.matter.reference if report.matter is not None else None
    report.matter = matter
    report.status = ReportStatus.TRIAGED
    if report.triaged_at is None:
        report.triaged_at = timezone.now()
        report.triaged_by = actor
    report.save(update_fields=["matter", "status", "triaged_at", "triaged_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        changes={"matter": [before, matter.reference]},
    )
    return before


@audited_atomic
def matter_create(*, actor: Any, reports: list[Report], title: str = "") -> Matter:
    """Open a matter for these reports (triage of the first report of a situation)."""
    require_intake(actor, what="matter_create")
    errors = Errors()
    if not reports:
        errors.add("reports", _("Choose at least one report."))
    title = (title or "").strip()
    if len(title) > 500:
        errors.add("title", _("Keep this under %(limit)d characters.") % {"limit": 500})
    problem = text_problem(title)
    if problem:
        errors.add("title", problem)
    errors.raise_if_any()
    matter = Matter.objects.create(
        # A unique placeholder until the id is known; it must fit the column (20 characters):
        # PostgreSQL refuses a longer one where SQLite does not check.
        reference=f"new-{secrets.token_hex(8)}",
        title=title,
        created_by=actor,
    )
    matter.reference = f"M-{matter.created_at:%Y}-{matter.pk:05d}"
    matter.save(update_fields=["reference"])
    left = set()
    for report in reports:
        left.add(_attach(actor, report, matter))
    _refresh(matter)
    for reference in left - {None}:
        old = Matter.objects.get(reference=reference)
        if old.reports.exists():
            _refresh(old)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=matter,
        detail={"reports": [r.reference for r in reports], "priority": matter.priority},
    )
    return matter


@audited_atomic
def report_group(*, actor: Any, report: Report, matter: Matter) -> Report:
    """Add a report to an existing matter (another report about the same place, compound,
    phone or account), or move it there from another matter."""
    require_intake(actor, what="report_group", obj=report)
    errors = Errors()
    _check_open(errors, matter)
    if report.matter_id == matter.pk:
        errors.add("matter", _("The report is in this matter already."))
    errors.raise_if_any()
    before = report.matter
    _attach(actor, report, matter)
    _refresh(matter)
    if before is not None and before.reports.exists():
        _refresh(before)
    return report


def _response_due(matter: Matter) -> tuple[datetime.date, str]:
    """The response deadline: the referral deadlines' rule for an investigation (days to
    accept), shortened to one day for an urgent matter."""
    days, _complete, stamp = deadline_days(Service.INVESTIGATION)
    if matter.priority == Priority.URGENT:
        days = min(days, 1)
    return timezone.localdate() + datetime.timedelta(days=days), stamp


@audited_atomic
def matter_assign(*, actor: Any, matter: Matter, agency: Agency | None) -> Matter:
    """Assign a matter to a specialised unit or a province committee, which must respond by
    the deadline the referral rules give."""
    require_intake(actor, what="matter_assign", obj=matter)
    errors = Errors()
    _check_open(errors, matter)
    if agency is None or not agency.is_active:
        errors.add("agency", _("Choose the unit or committee to assign it to."))
    elif agency.kind not in ASSIGNABLE_KINDS:
        errors.add("agency", _("Assign to a specialised police unit or a province committee."))
    errors.raise_if_any()
    assert agency is not None
    before = matter.assigned_agency.code if matter.assigned_agency is not None else None
    matter.assigned_agency = agency
    matter.assigned_at = timezone.now()
    matter.response_due_on, matter.deadline_stamp = _response_due(matter)
    matter.status = MatterStatus.ASSIGNED
    matter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=matter,
        changes={
            "assigned_agency": [before, agency.code],
            "response_due_on": [None, matter.response_due_on.isoformat()],
        },
    )
    return matter


def may_decide(actor: Any, matter: Matter) -> bool:
    """The intake team, or a case officer or supervisor of the agency the matter is assigned to."""
    scope = actor_scope(actor)
    if scope.is_superuser or scope.roles.get(Role.INTAKE_OFFICER):
        return True
    return bool(matter.assigned_agency_id) and matter.assigned_agency_id in scope.agencies_with(
        DECIDING_ROLES
    )


@audited_atomic
def matter_decide(
    *,
    actor: Any,
    matter: Matter,
    outcome: str,
    reason: str = "",
    note: str = "",
    referred_to: str = "",
) -> Matter:
    """End triage: order a verification (the verification app takes it from there), refer to
    another competent authority (named), or close as not actionable (with a reason)."""
    if not may_decide(actor, matter):
        raise refusal(
            PermissionDenied(_("Only the intake team or the assigned agency may decide this.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=matter,
            detail={"attempted": "matter_decide"},
        )
    errors = Errors()
    _check_open(errors, matter)
    check_choice(errors, "outcome", outcome, Outcome.values)
    referred_to = (referred_to or "").strip()
    note = (note or "").strip()
    if outcome == Outcome.NOT_ACTIONABLE:
        if not reason:
            errors.add("reason", _("Say why it is not actionable."))
        else:
            check_choice(errors, "reason", reason, NotActionableReason.values)
    if outcome == Outcome.REFERRED and not referred_to:
        errors.add("referred_to", _("Name the authority it is referred to."))
    for name, value, limit in (("referred_to", referred_to, 200), ("note", note, 2000)):
        if len(value) > limit:
            errors.add(name, _("Keep this under %(limit)d characters.") % {"limit": limit})
        problem = text_problem(value, multiline=name == "note")
        if problem:
            errors.add(name, problem)
    if not matter.reports.exists():
        errors.add("matter", _("A matter without reports cannot be decided."))
    errors.raise_if_any()
    before = matter.status
    matter.status = MatterStatus(outcome)
    matter.outcome_reason = reason if outcome == Outcome.NOT_ACTIONABLE else ""
    matter.referred_to = referred_to if outcome == Outcome.REFERRED else ""
    matter.outcome_note = note
    matter.decided_at = timezone.now()
    matter.decided_by = actor
    matter.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=matter,
        changes={"status": [before, matter.status]},
        detail={"reason": matter.outcome_reason, "referred_to": matter.referred_to},
    )
    return matter
