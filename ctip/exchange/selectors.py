"""Reads of the exchange app, each scoped to the acting user."""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import BatchStatus
from .models import ColumnMapping, ImportBatch, ImportProblem


def import_batch_list(*, actor: Any) -> QuerySet[ImportBatch]:
    """The actor's own uploads (everyone's, for a superuser)."""
    queryset = ImportBatch.objects.select_related("agency", "mapping")
    if actor_scope(actor).is_superuser:
        return queryset
    return queryset.filter(created_by_id=getattr(actor, "pk", None))


def import_batch_get(*, actor: Any, pk: int, wanted: str = "view") -> ImportBatch:
    """One of the actor's uploads. Someone else's answers like an unknown one (404), and the
    attempt is audited as a denial (a guessed id), like every other record out of reach."""
    batch = import_batch_list(actor=actor).filter(pk=pk).first()
    if batch is None:
        if ImportBatch.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type=ImportBatch._meta.label_lower,
                object_id=str(pk),
                detail={"wanted": wanted},
            )
        raise Http404(_("No such import."))
    return batch


def import_apply_refusal(
    *, actor: Any, batch: ImportBatch, skip_rejected: bool = False
) -> ValidationError | PermissionDenied | None:
    """Why services.import_apply would refuse this batch now, or None when it would apply it.

    The one list of conditions, so that the import page offers the Import button exactly
    when the service will accept it (asked with `skip_rejected`, which its check box can give).
    """
    if batch.status != BatchStatus.VALIDATED:
        return ValidationError({"batch": [_("Check the file before importing it.")]})
    if batch.problem_count and not skip_rejected:
        return ValidationError(
            {"batch": [_("The file has problems: fix them, or choose to skip the rejected rows.")]}
        )
    if batch.problems.filter(row=0).exists():
        return ValidationError(
            {"batch": [_("The file itself has problems (such as merged cells); fix the file.")]}
        )
    if batch.created_by_id and getattr(actor, "pk", None) != batch.created_by_id:
        return PermissionDenied(_("Only the person who uploaded the file may import it."))
    if not Path(batch.stored_path).exists():
        return ValidationError(
            {"batch": [_("The uploaded file is no longer kept (pruned); upload it again.")]}
        )
    return None


def import_problems(*, actor: Any, batch: ImportBatch) -> QuerySet[ImportProblem]:
    """The report of a batch the actor may see (the caller got it through import_batch_get)."""
    return ImportProblem.objects.filter(batch=batch).order_by("row", "id")


def report_rows(*, actor: Any, batch: ImportBatch) -> Iterator[list[Any]]:
    """The report as rows for a CSV download: row, column, kind of problem, message."""
    yield [_("row"), _("column"), _("kind of problem"), _("problem")]
    for problem in import_problems(actor=actor, batch=batch).iterator(chunk_size=2000):
        yield [problem.row, problem.column, problem.code, problem.message]


def write_report_csv(*, actor: Any, batch: ImportBatch, handle: Any) -> None:
    from .export import neutralise

    writer = csv.writer(handle)
    for row in report_rows(actor=actor, batch=batch):
        writer.writerow([neutralise(v) for v in row])


def column_mapping_list(*, actor: Any) -> QuerySet[ColumnMapping]:
    """Mappings of the agencies the actor works for."""
    scope = actor_scope(actor)
    queryset = ColumnMapping.objects.select_related("agency")
    if scope.is_superuser:
        return queryset
    return queryset.filter(agency_id__in=sorted(scope.agencies_with(frozenset(scope.roles))))


def column_mapping_get(*, actor: Any, name: str) -> ColumnMapping:
    mapping = column_mapping_list(actor=actor).filter(name=name).first()
    if mapping is None:
        raise Http404(_("No column mapping named %(name)s.") % {"name": name})
    return mapping
