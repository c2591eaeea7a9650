"""Background job: a linkage run over the registry, queued after every applied import."""

from django.conf import settings
from django_tasks import task

from .services import linkage_run


@task()
def run_linkage(reason: str = "") -> int:
    """Resolve identities over the whole registry; returns the run's id."""
    return linkage_run(reason=reason).pk


def after_import(batch_id: int) -> None:
    """Queue a run once an import committed (unless the installation turned it off)."""
    if settings.CTIP_LINKAGE_AFTER_IMPORT:
        run_linkage.enqueue(reason=f"import {batch_id}")
