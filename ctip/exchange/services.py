"""Every write of the exchange app: uploads, their checks, applying them, saved mappings.

An import is applied in one transaction after every row has been checked; the check keeps
the rows it prepared, and the apply streams them into the tables in bulk (registry services
write one row per call, too slow for a million rows). The import is audited as one event
naming the batch and what it created (docs/decisions/0400-bulk-import.md).
"""

import datetime
import hashlib
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.access.policies import can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal

from . import checked
from .choices import BatchStatus, Layout
from .htcds import COLUMN_BY_NAME
from .importer import (
    Context,
    Counts,
    Loader,
    Problem,
    Source,
    prepare,
    prepared_chunks,
    validated_chunks,
)
from .models import ColumnMapping, ImportBatch, ImportProblem
from .readers import FileRefused, detect_format
from .selectors import import_apply_refusal

PROGRESS_EVERY = 2000


def import_dir() -> Path:
    path = Path(getattr(settings, "CTIP_IMPORT_DIR", "") or settings.VAR_DIR / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _source(batch: ImportBatch) -> Source:
    return Source(
        path=Path(batch.stored_path),
        file_format=batch.file_format,
        layout=batch.layout,
        sheet=batch.sheet,
        columns=dict(batch.mapping.columns) if batch.mapping else {},
        day_first=batch.day_first,
    )


def import_upload(
    *,
    actor: Any,
    path: Path,
    file_name: str,
    agency: Agency,
    mapping: ColumnMapping | None = None,
    layout: str = "",
    sheet: str = "",
    day_first: bool | None = None,
) -> ImportBatch:
    """Keep an uploaded file for checking. A file that cannot be read is refused at once."""
    if not can_create_in(actor, agency.pk):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="exchange.importbatch",
            detail={"wanted": "import", "agency": agency.code},
        )
        raise PermissionDenied(
            _("You may not import cases for %(agency)s.") % {"agency": agency.code}
        )
    try:
        file_format = detect_format(path, file_name)
    except FileRefused as error:
        raise ValidationError({"file": [str(error)]}) from error
    stored = import_dir() / f"{uuid.uuid4().hex}{Path(file_name).suffix.lower()}"
    shutil.copyfile(path, stored)
    batch = ImportBatch.objects.create(
        file_name=Path(file_name).name[:255],
        stored_path=str(stored),
        sha256=_sha256(stored),
        file_format=file_format,
        layout=layout or (Layout.MAPPING if mapping else Layout.HTCDS),
        mapping=mapping,
        sheet=sheet or (mapping.sheet if mapping else ""),
        day_first=day_first if day_first is not None else (mapping.day_first if mapping else True),
        agency=agency,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return batch


def _context(batch: ImportBatch, actor: Any) -> Context:
    return Context(actor=actor, default_agency=batch.agency, day_first=batch.day_first)


def _save_problems(batch: ImportBatch, problems: list[Problem]) -> None:
    ImportProblem.objects.bulk_create(
        [
            ImportProblem(
                batch=batch, row=p.row, column=p.column, code=p.code, message=p.message[:2000]
            )
            for p in problems
        ],
        batch_size=1000,
    )


def import_validate(
    *,
    actor: Any,
    batch: ImportBatch,
    on_progress: Callable[[int, int], None] | None = None,
    keep_rows: bool = True,
) -> ImportBatch:
    """Check every row of the file and store the report. Nothing else is written to the
    database; the clean rows, ready to store, are kept beside the upload for the apply
    (unless `keep_rows` is false: a dry run that will not be applied)."""
    batch.problems.all().delete()
    checked.remove(batch.stored_path)
    batch.status = BatchStatus.VALIDATING
    batch.refusal = ""
    batch.processed_rows = batch.rejected_rows = batch.problem_count = 0
    batch.save()
    _beat(batch.pk)

    def progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done, total_rows=total)
        if on_progress:
            on_progress(done, total)

    rows = rejected = problems = 0
    ctx = _context(batch, actor)
    store = (
        checked.Store(batch.stored_path, sha256=batch.sha256, fingerprint=ctx.fingerprint())
        if keep_rows
        else None
    )
    try:
        # One upload may not hold a worker for ever, whatever its content costs to check.
        seconds = int(getattr(settings, "CTIP_IMPORT_MAX_SECONDS", 3600))
        deadline = time.monotonic() + seconds
        for chunk, file_problems in validated_chunks(_source(batch), ctx, progress):
            _beat(batch.pk)
            if time.monotonic() > deadline:
                raise FileRefused(
                    _(
                        "Checking the file took longer than %(minutes)d minutes and was "
                        "stopped at row %(row)d; split it into smaller files."
                    )
                    % {"minutes": seconds // 60, "row": rows}
                )
            found = list(file_problems)
            for result in chunk:
                found.extend(result.problems)
                rejected += bool(result.problems)
            rows += len(chunk)
            problems += len(found)
            _save_problems(batch, found)
            if store:
                store.add([prepare(result, ctx) for result in chunk])
        if store:
            store.finish()
    except FileRefused as error:
        if store:
            store.discard()
        batch.status = BatchStatus.FAILED
        batch.refusal = str(error)
        batch.save()
        return batch
    except BaseException:
        if store:
            store.discard()
        # Never left "Checking" for ever: the batch says the check stopped, and may be
        # uploaded again. The error itself still propagates (logged, or the worker's failure).
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED,
            refusal=_("The check stopped on an unexpected error; nothing was imported."),
        )
        raise
    _beat(batch.pk, done=True)
    batch.status = BatchStatus.VALIDATED
    batch.total_rows = batch.processed_rows = rows
    batch.rejected_rows = rejected
    batch.problem_count = problems
    batch.save()
    return batch


def import_apply(
    *,
    actor: Any,
    batch: ImportBatch,
    skip_rejected: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    """Write the checked rows in one transaction; refused unless clean or skipping is chosen.

    The rows kept by the check are checked against the database again as they are applied
    (it may have changed since), and any new problem rolls everything back. Without kept
    rows (or when they are stale) the file itself is read and checked again.
    """
    refusal = import_apply_refusal(actor=actor, batch=batch, skip_rejected=skip_rejected)
    if refusal is not None:
        raise refusal
    # Only one apply at a time: a second click, or a retry while the first still runs.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).update(
        status=BatchStatus.APPLYING
    )
    if not claimed:
        raise ValidationError({"batch": [_("This file is already being imported.")]})
    _beat(batch.pk)
    counts = Counts()
    try:
        with transaction.atomic():
            ctx = _context(batch, actor)
            chunks = checked.read(
                batch.stored_path, sha256=batch.sha256, fingerprint=ctx.fingerprint()
            )
            if chunks is None:
                chunks = prepared_chunks(_source(batch), ctx)
            loader = Loader(ctx, counts, rejected_at_check=batch.rejected_rows)
            done = 0
            for records in chunks:
                loader.load(records)
                _beat(batch.pk)
                done += len(records)
                if on_progress:
                    on_progress(done, batch.total_rows)
            result = counts.as_dict()
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=batch,
                detail={
                    "file": batch.file_name,
                    "sha256": batch.sha256,
                    **result,
                    "first_case_id": counts.first_case_id,
                    "last_case_id": counts.last_case_id,
                },
            )
            batch.status = BatchStatus.APPLIED
            batch.result = result
            batch.applied_at = timezone.now()
            batch.save()
    except FileRefused as error:
        checked.remove(batch.stored_path)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, refusal=str(error)
        )
        batch.refresh_from_db()
        return batch
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.VALIDATED)
        raise
    checked.remove(batch.stored_path)  # applied: the kept rows are of no more use
    _beat(batch.pk, done=True)
    return batch


# --- jobs that died ------------------------------------------------------------------------
# A check or an apply touches a heartbeat file beside the uploads at its start and after each
# chunk of rows (the apply's own row updates are invisible until it commits, so the database
# cannot carry the heartbeat). A batch "Checking" or "Importing" whose heartbeat has been
# silent for CTIP_IMPORT_STALE_SECONDS was killed (kill -9, a restart, out of memory).


def _heartbeat_path(batch_id: int) -> Path:
    return import_dir() / f"{batch_id}.heartbeat"


def _beat(batch_id: int, *, done: bool = False) -> None:
    path = _heartbeat_path(batch_id)
    if done:
        path.unlink(missing_ok=True)
    else:
        path.touch()


def import_recover_stale(*, actor: Any = None) -> list[int]:
    """Release batches whose check or apply died, so they are not "Importing" for ever.

    An apply runs in one transaction, so a dead one wrote nothing: its batch goes back to
    "Checked" and may be imported again. A dead check goes to "Refused" (upload again).
    Each release is audited. Returns the ids released.
    """
    stale_after = int(getattr(settings, "CTIP_IMPORT_STALE_SECONDS", 600))
    released = []
    for batch in ImportBatch.objects.filter(
        status__in=(BatchStatus.VALIDATING, BatchStatus.APPLYING)
    ).only("pk", "status", "created_at"):
        try:
            last = _heartbeat_path(batch.pk).stat().st_mtime
        except OSError:
            last = batch.created_at.timestamp()
        if time.time() - last < stale_after:
            continue
        if batch.status == BatchStatus.APPLYING:
            new_status = BatchStatus.VALIDATED
            why = _(
                "The last attempt to import this file stopped before it finished (the server "
                "restarted or the job was stopped); nothing was written. You may import it again."
            )
        else:
            new_status = BatchStatus.FAILED
            why = _(
                "Checking this file stopped before it finished (the server restarted or the "
                "job was stopped); upload it again."
            )
        # Conditional: a job that beat again meanwhile keeps its batch.
        if ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
            status=new_status, refusal=why
        ):
            _beat(batch.pk, done=True)
            audit_record(
                actor=actor,
                action=AuditAction.ADMIN,
                obj=batch,
                detail={"stale_import": batch.status, "now": new_status},
            )
            released.append(batch.pk)
    return released


# A batch in these states is being worked on by a person or the worker: never pruned.
BUSY_STATUSES = (BatchStatus.PENDING, BatchStatus.VALIDATING, BatchStatus.APPLYING)


def import_prune(*, actor: Any = None, older_than_days: int) -> int:
    """Delete the uploaded files, and the rows kept by their check, of imports older than
    the given number of days; the batches, their reports and the audit trail stay.

    Uploads hold victims' data in clear (the spreadsheet as the agency sent it) and the kept
    rows about 2.5 times its size: neither should outlive its use. Returns how many batches
    lost their files.
    """
    if older_than_days < 1:
        raise ValidationError({"older_than_days": [_("Keep uploads at least one day.")]})
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    pruned = []
    for batch in ImportBatch.objects.filter(created_at__lt=cutoff).exclude(
        status__in=BUSY_STATUSES
    ):
        stored = Path(batch.stored_path)
        kept = checked.path_for(batch.stored_path)
        if not stored.exists() and not kept.exists():
            continue
        checked.remove(batch.stored_path)
        stored.unlink(missing_ok=True)
        pruned.append(batch.pk)
    if pruned:
        audit_record(
            actor=actor,
            action=AuditAction.ADMIN,
            object_type="exchange.importbatch",
            detail={"pruned_uploads": pruned, "older_than_days": older_than_days},
        )
    return len(pruned)


@audited_atomic
def column_mapping_check(
    *, actor: Any, name: str, agency: Agency, columns: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """Refuse a mapping column_mapping_save would refuse (ValidationError naming the field, or
    PermissionDenied); return the name and columns as they would be saved. The admin's form
    asks this before saving, so that a refusal shows on the form."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    columns = {k: str(v).strip() for k, v in columns.items() if v and str(v).strip()}
    unknown = sorted(set(columns) - set(COLUMN_BY_NAME))
    if unknown:
        errors["columns"] = [_("Unknown ctip columns: %(cols)s.") % {"cols": ", ".join(unknown)}]
    elif not columns:
        errors["columns"] = [_("Map at least one column.")]
    headers = [h.casefold() for h in columns.values()]
    if len(headers) != len(set(headers)):
        errors.setdefault("columns", []).append(_("One file column is mapped twice."))
    if errors:
        raise ValidationError(errors)
    existing = ColumnMapping.objects.filter(name=name).first()
    for owner in {agency, *([existing.agency] if existing else [])}:
        if not can_create_in(actor, owner.pk):
            raise refusal(
                PermissionDenied(
                    _("You may not import cases for %(agency)s.") % {"agency": owner.code}
                ),
                actor=actor,
                action=AuditAction.DENIED,
                obj=existing if owner != agency else owner,
                detail={"layout": name},
            )
    return name, columns


@audited_atomic
def column_mapping_save(
    *,
    actor: Any,
    name: str,
    agency: Agency,
    columns: dict[str, str],
    sheet: str = "",
    day_first: bool = True,
) -> ColumnMapping:
    """Create or replace a named column mapping (ctip column -> the file's header)."""
    name, columns = column_mapping_check(actor=actor, name=name, agency=agency, columns=columns)
    mapping, created = ColumnMapping.objects.update_or_create(
        name=name,
        defaults={
            "agency": agency,
            "columns": columns,
            "sheet": sheet.strip(),
            "day_first": day_first,
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=mapping,
        changes={"columns": [None, columns]},
    )
    return mapping


def import_settle(
    *,
    actor: Any,
    batch: ImportBatch,
    problems: list[Problem],
    total_rows: int,
    result: dict[str, Any] | None = None,
) -> ImportBatch:
    """Close a batch that an app above exchange read and wrote itself (screening's list of
    persons found, written through the registry's services): its problems go into the same
    report as an HTCDS import's, and the batch ends "Imported" (with `result`) or "Refused",
    never "Checked", so it cannot be applied again as an HTCDS file."""
    batch.problems.all().delete()
    _save_problems(batch, problems)
    rejected = len({p.row for p in problems})
    batch.total_rows = batch.processed_rows = total_rows
    batch.rejected_rows = rejected
    batch.problem_count = len(problems)
    if result is not None and not problems:
        batch.status = BatchStatus.APPLIED
        batch.result = result
        batch.applied_at = timezone.now()
    else:
        batch.status = BatchStatus.FAILED
        batch.refusal = batch.refusal or _(
            "%(rows)d rows have problems; nothing was imported. Correct them and upload again."
        ) % {"rows": rejected}
    batch.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=batch,
        detail={
            "file": batch.file_name,
            "sha256": batch.sha256,
            "problems": len(problems),
            **(result or {}),
        },
    )
    return batch
