"""Every read of the intake app's protected data, scoped to the acting user.

The intake team (role intake_officer, in any agency) reads every report and matter: it is one
national queue. An agency a matter is assigned to reads that matter and its reports through
its case officers and supervisors. Anyone else reads nothing, and an unknown id and a
forbidden one look alike (404). The public reads one report, through its receipt code
(services.report_by_receipt), and only what `public_view` returns.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ctip.access.choices import Role
from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import OUTCOME_STATUSES, Author, MatterStatus, ReportStatus
from .hooks import ReceiptOutcome, receipt_outcomes
from .models import Matter, Report, ReportAttachment, ReportKey, ReportMessage
from .services.triage import ASSIGNABLE_KINDS, DECIDING_ROLES


def is_intake(actor: Any) -> bool:
    scope = actor_scope(actor)
    return scope.is_superuser or bool(scope.roles.get(Role.INTAKE_OFFICER))


def _assigned_agencies(actor: Any) -> frozenset[int]:
    return actor_scope(actor).agencies_with(DECIDING_ROLES)


def may_use_intake(actor: Any) -> bool:
    """Whether the actor has any intake page to see (the menu asks): the intake team, and
    officers of an agency that has matters assigned to it (one query)."""
    if is_intake(actor):
        return True
    agencies = _assigned_agencies(actor)
    return bool(agencies) and Matter.objects.filter(assigned_agency_id__in=agencies).exists()


def matter_list(*, actor: Any, status: str = "", assigned: bool | None = None) -> QuerySet[Matter]:
    """Matters the actor may see, most urgent first, with their report counts."""
    matters = Matter.objects.select_related("assigned_agency", "province")
    if not is_intake(actor):
        matters = matters.filter(assigned_agency_id__in=_assigned_agencies(actor))
    if status == "undecided":
        matters = matters.exclude(status__in=OUTCOME_STATUSES)
    elif status:
        matters = matters.filter(status=status)
    if assigned is not None:
        matters = matters.filter(assigned_agency__isnull=not assigned)
    return matters.annotate(report_count=Count("reports")).order_by("priority", "created_at", "id")


def matter_get(*, actor: Any, pk: int) -> Matter:
    """One matter (audited read), or 404 for unknown and forbidden alike."""
    matter = matter_list(actor=actor).filter(pk=pk).first()
    if matter is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="intake.matter",
            object_id=pk,
            detail={"attempted": "view"},
        )
        raise Http404
    audit_record(actor=actor, action=AuditAction.VIEW, obj=matter)
    return matter


def report_queue(
    *,
    actor: Any,
    status: str = ReportStatus.NEW,
    channel: str = "",
    priority: int | None = None,
) -> QuerySet[Report]:
    """The triage queue: reports not yet in a matter (or all), most urgent and oldest first;
    for the intake team only (others get an empty queue)."""
    if not is_intake(actor):
        return Report.objects.none()
    reports = Report.objects.select_related("matter", "province")
    if status:
        reports = reports.filter(status=status)
    if channel:
        reports = reports.filter(channel=channel)
    if priority:
        reports = reports.filter(priority=priority)
    return reports.annotate(
        reporter_wrote=Exists(
            ReportMessage.objects.filter(report=OuterRef("pk"), author=Author.REPORTER)
        )
    ).order_by("priority", "received_at", "id")


def visible_reports(*, actor: Any) -> QuerySet[Report]:
    """The reports the actor may open: all for the intake team, else those whose matter is
    assigned to an agency where the actor decides."""
    if is_intake(actor):
        return Report.objects.all()
    return Report.objects.filter(matter__assigned_agency_id__in=_assigned_agencies(actor))


def report_get(*, actor: Any, pk: int) -> Report:
    """One report (audited read): the intake team, or the agency its matter is assigned to."""
    report = (
        visible_reports(actor=actor)
        .select_related("matter", "province", "recorded_agency")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="intake.report",
            object_id=pk,
            detail={"attempted": "view"},
        )
        raise Http404
    audit_record(actor=actor, action=AuditAction.VIEW, obj=report)
    return report


def matter_reports(*, actor: Any, matter: Matter) -> list[Report]:
    """The reports of a matter the actor has opened with matter_get."""
    return list(
        matter.reports.annotate(file_count=Count("attachments")).order_by("priority", "received_at")
    )


def report_files_scope(*, actor: Any) -> Q:
    """Which report files the actor may read: those of reports the actor may open (the
    registry's file store asks, ctip/registry/files/scopes.py)."""
    attached = ReportAttachment.objects.filter(
        file_id=OuterRef("pk"), report__in=visible_reports(actor=actor)
    )
    return Q(Exists(attached))


def report_attachments(*, report: Report) -> list[ReportAttachment]:
    """A report's files, oldest first, without their content (the caller opened the report;
    each file is read through registry:file-download, which applies report_files_scope)."""
    return list(report.attachments.select_related("file", "message").defer("file__content"))


def report_messages(*, report: Report) -> list[ReportMessage]:
    """A report's conversation, oldest first (the caller has opened the report already)."""
    return list(report.messages.select_related("staff_user"))


@dataclass(frozen=True)
class GroupingHint:
    """Another report or matter that names the same place, phone, account or website."""

    report: Report
    kinds: tuple[str, ...]


def grouping_hints(*, actor: Any, report: Report, limit: int = 20) -> list[GroupingHint]:
    """Reports sharing a grouping key with this one (found by keyed hash, nothing decrypted
    to compare), most recent first, so that triage can put them in one matter."""
    if not is_intake(actor):
        return []
    keys = list(report.keys.values_list("kind", "digest"))
    if not keys:
        return []
    match = Q()
    for kind, digest in keys:
        match |= Q(kind=kind, digest=digest)
    rows = ReportKey.objects.filter(match).exclude(report=report).values_list("report_id", "kind")
    kinds: dict[int, set[str]] = {}
    for report_id, kind in rows[: limit * 4]:
        kinds.setdefault(report_id, set()).add(kind)
    others = (
        Report.objects.select_related("matter")
        .filter(pk__in=kinds)
        .order_by("-received_at")[:limit]
    )
    return [GroupingHint(report=o, kinds=tuple(sorted(kinds[o.pk]))) for o in others]


def assignable_agencies() -> QuerySet[Agency]:
    """Specialised units and province committees a matter may be assigned to (public facts)."""
    return Agency.objects.filter(is_active=True, kind__in=ASSIGNABLE_KINDS).order_by("code")


# --- what the reporter sees ------------------------------------------------------------------

# The reporter's view of where their report stands: plain words, no staff names or agencies.
PUBLIC_STATES: dict[str | None, str] = {
    None: "received",
    MatterStatus.OPEN: "in_review",
    MatterStatus.ASSIGNED: "in_review",
    MatterStatus.VERIFICATION_ORDERED: "verification",
    MatterStatus.REFERRED: "referred",
    MatterStatus.NOT_ACTIONABLE: "closed",
}


@dataclass(frozen=True)
class PublicView:
    """What a receipt code shows: the report as sent, its state in plain words, the messages."""

    report: Report
    state: str
    messages: list[ReportMessage]
    # How many files the reporter sent (their names and contents are not shown back).
    files: list[ReportAttachment] = field(default_factory=list)
    # What apps above intake tell the reporter (the verification's outcome), see hooks.py.
    outcomes: list[ReceiptOutcome] = field(default_factory=list)


def public_view(*, report: Report) -> PublicView:
    """The reporter's page (the caller opened `report` with the receipt code)."""
    status = report.matter.status if report.matter is not None else None
    return PublicView(
        report=report,
        state=PUBLIC_STATES.get(status, "in_review"),
        messages=list(report.messages.all()),
        files=list(report.attachments.only("id", "report_id")),
        outcomes=receipt_outcomes(report=report),
    )
