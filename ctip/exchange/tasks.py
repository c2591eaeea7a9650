"""Background jobs: checking and applying large imports, with progress the page can poll."""

import json
from typing import Any

from django_tasks import task

from ctip.linkage.tasks import after_import

from .models import ImportBatch


def progress_path(batch_id: int) -> Any:
    from .services import import_dir

    return import_dir() / f"{batch_id}.progress.json"


def write_progress(batch_id: int, step: str, done: int, total: int) -> None:
    """Progress goes to a small file: an import applies inside one transaction, whose row
    updates no other connection can see until it commits."""
    path = progress_path(batch_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"step": step, "done": done, "total": total}))
    tmp.replace(path)


def read_progress(batch_id: int) -> dict[str, Any] | None:
    try:
        return json.loads(progress_path(batch_id).read_text())
    except (OSError, ValueError):
        return None


def _actor(batch: ImportBatch) -> Any:
    return batch.created_by


@task()
def validate_import(batch_id: int) -> int:
    """Check an uploaded file row by row."""
    from .services import import_validate

    batch = ImportBatch.objects.select_related("agency", "mapping", "created_by").get(pk=batch_id)
    import_validate(
        actor=_actor(batch),
        batch=batch,
        on_progress=lambda done, total: write_progress(batch_id, "validate", done, total),
    )
    return batch_id


def recount_imported_cases() -> None:
    """Recount the imported cases for the statistics now, after the import committed, so that
    the next statistics page does not do it inside a web request (decision 0306)."""
    from ctip.stats.rows import indicator_rows_refresh

    indicator_rows_refresh()


@task()
def apply_import(batch_id: int, skip_rejected: bool = False) -> int:
    """Apply a checked file in one transaction."""
    from .services import import_apply

    batch = ImportBatch.objects.select_related("agency", "mapping", "created_by").get(pk=batch_id)
    import_apply(
        actor=_actor(batch),
        batch=batch,
        skip_rejected=skip_rejected,
        on_progress=lambda done, total: write_progress(batch_id, "apply", done, total),
    )
    recount_imported_cases()
    after_import(batch_id)
    return batch_id
