"""Every read of the screening app: operations, persons found, interviews, figures and the
embassy lists, each scoped to the acting user through the operation's case."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
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
from ctip.registry.models import Case

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


@dataclass
class OperationAt:
    """An operation read from another app's page (a compound's): what, when, who led it, and
    how many people were found, by nationality. Counts only, no person."""

    operation: Operation
    found: int
    by_nationality: list[tuple[str, int]]
    may_open: bool  # whether the actor may open the operation's own page


def operations_in_cases(
    *, actor: Any, case_ids: Iterable[int], case_scope: Q | None = None
) -> list[OperationAt]:
    """The operations whose case is among `case_ids` and that the actor may see: by this
    app's rule, or by `case_scope`, a rule over cases that the calling app applies for the
    actor (investigations' rule for investigators: a compound's page shows the raids on it
    to those who may see the raid's case there). Newest first; four queries."""
    ids = set(case_ids)
    if not ids:
        return []
    opened = set(
        restrict(Operation.objects.filter(case_id__in=ids), actor, Action.VIEW).values_list(
            "pk", flat=True
        )
    )
    rows = Operation.objects.filter(case_id__in=ids)
    if case_scope is not None:
        rows = rows.filter(Q(pk__in=opened) | Q(case__in=Case.objects.filter(case_scope)))
    else:
        rows = rows.filter(pk__in=opened)
    operations = list(
        rows.select_related("province", "lead_agency")
        .prefetch_related("agencies")
        .order_by("-conducted_on", "-id")
    )
    counts: dict[int, dict[str, int]] = {}
    for operation_id, nationality, n in (
        FoundPerson.objects.filter(operation__in=[o.pk for o in operations])
        .values_list("operation_id", "nationality")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(operation_id, {})[nationality or "—"] = n
    out = []
    for operation in operations:
        by = sorted(counts.get(operation.pk, {}).items(), key=lambda item: (-item[1], item[0]))
        out.append(
            OperationAt(operation, sum(count for _n, count in by), by, operation.pk in opened)
        )
    return out
