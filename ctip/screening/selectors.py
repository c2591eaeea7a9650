"""Every read of the screening app: operations, persons found, interviews, figures and the
embassy lists, each scoped to the acting user through the operation's case."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action, AgencyKind
from ctip.access.models import Agency
from ctip.access.policies import restrict
from ctip.access.selectors import can_register_somewhere
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.referrals.choices import Service
from ctip.referrals.models import Referral

from .choices import Decision
from .models import FoundPerson, Operation, Screening


def may_record_operations(actor: Any) -> bool:
    """Whether the actor may record an operation for some agency (the menu asks this)."""
    return can_register_somewhere(actor=actor)


def operation_list(*, actor: Any) -> QuerySet[Operation]:
    """Operations whose case the actor may see, newest first, with their head counts."""
    return (
        restrict(Operation.objects.all(), actor, Action.VIEW)
        .select_related("province", "lead_agency", "case")
        .annotate(found_count=Count("found", distinct=True))
    )


def operation_get(*, actor: Any, pk: int, action: str = Action.VIEW) -> Operation:
    """One operation the actor may see (or change); unknown and forbidden look the same."""
    operation = (
        restrict(Operation.objects.filter(pk=pk), actor, action)
        .select_related("province", "lead_agency", "case", "case__owning_agency")
        .first()
    )
    if operation is None:
        if Operation.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="screening.operation",
                object_id=str(pk),
                detail={"wanted": action},
            )
        raise Http404(_("No such operation."))
    return operation


@dataclass
class FoundFilters:
    decision: str = ""
    nationality: str = ""


def found_list(
    *, actor: Any, operation: Operation, filters: FoundFilters | None = None
) -> QuerySet[FoundPerson]:
    """The persons found in an operation the actor may see (the operation was read through
    operation_get); each read of the list is audited as one event."""
    filters = filters or FoundFilters()
    rows = restrict(FoundPerson.objects.filter(operation=operation), actor, Action.VIEW)
    if filters.decision in Decision.values:
        rows = rows.filter(decision=filters.decision)
    if filters.nationality:
        rows = rows.filter(nationality=filters.nationality.upper()[:3])
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=operation,
        detail={
            "persons_found": True,
            "decision": filters.decision,
            "nationality": filters.nationality,
        },
    )
    return rows.select_related("person").order_by("number")


def found_get(*, actor: Any, pk: int, action: str = Action.VIEW) -> FoundPerson:
    """One person found, with their interviews; the read is audited."""
    found = (
        restrict(FoundPerson.objects.filter(pk=pk), actor, action)
        .select_related("person", "operation", "operation__case", "operation__lead_agency")
        .prefetch_related(
            Prefetch("screenings", queryset=Screening.objects.select_related("agency"))
        )
        .first()
    )
    if found is None:
        if FoundPerson.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="screening.foundperson",
                object_id=str(pk),
                detail={"wanted": action},
            )
        raise Http404(_("No such person found."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=found)
    return found


def found_by_number(*, actor: Any, operation: Operation, number: int) -> FoundPerson:
    """A person found by their number in the operation (field forms name them so)."""
    pk = (
        FoundPerson.objects.filter(operation=operation, number=number)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise Http404(_("No such person found."))
    return found_get(actor=actor, pk=pk, action=Action.CHANGE)


@dataclass
class Figures:
    """Head counts of an operation: by decision, and by nationality and decision."""

    total: int = 0
    by_decision: dict[str, int] = field(default_factory=dict)
    by_nationality: dict[str, dict[str, int]] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, list[int], int]]:
        """(nationality, counts in Decision order, total) for a table."""
        out = []
        for nationality, counts in sorted(self.by_nationality.items()):
            cells = [counts.get(d, 0) for d in Decision.values]
            out.append((nationality, cells, sum(cells)))
        return out


def operation_figures(*, actor: Any, operation: Operation) -> Figures:
    """Counts only (no person): read through the same scope as the list."""
    figures = Figures()
    rows = (
        restrict(FoundPerson.objects.filter(operation=operation), actor, Action.VIEW)
        .values_list("nationality", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for nationality, decision, n in rows:
        figures.total += n
        figures.by_decision[decision] = figures.by_decision.get(decision, 0) + n
        figures.by_nationality.setdefault(nationality or "—", {})[decision] = n
    return figures


@dataclass
class EmbassyRow:
    found: FoundPerson
    referral: Referral | None


def embassy_rows(*, actor: Any, operation: Operation, nationality: str) -> list[EmbassyRow]:
    """The identified victims of one nationality in an operation, with the repatriation
    referral (and its exchange package) already sent for each, if any."""
    found = list(
        found_list(
            actor=actor,
            operation=operation,
            filters=FoundFilters(decision=Decision.IDENTIFIED, nationality=nationality),
        )
    )
    referrals = {
        r.participant.person_id: r
        for r in Referral.objects.filter(
            case_id=operation.case_id,
            service=Service.REPATRIATION,
            participant__person_id__in=[f.person_id for f in found],
        )
        .select_related("participant", "to_agency", "exchange_package")
        .order_by("sent_at")
    }
    return [EmbassyRow(f, referrals.get(f.person_id)) for f in found]


def screening_list(*, actor: Any, found: FoundPerson) -> list[Screening]:
    """The interviews of a person found (read through found_get, which audited the read)."""
    return list(
        restrict(Screening.objects.filter(found=found), actor, Action.VIEW).select_related(
            "agency", "interviewer"
        )
    )


def embassy_agencies(nationality: str) -> QuerySet[Agency]:
    """The foreign partner agencies of a country (its embassy or ministry): where an embassy
    list for that nationality can go."""
    return Agency.objects.filter(
        kind=AgencyKind.FOREIGN_PARTNER, country__alpha3=nationality, is_active=True
    ).order_by("code")
