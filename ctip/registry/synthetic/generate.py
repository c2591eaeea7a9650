"""The service behind `ctip demo-data`: batches built (by worker processes when large), written."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .. import synthetic_worker
from ..bulk import TABLES, Writer, timestamp_text
from ..models import (
    Case,
)
from ..signals import cases_written
from .cases import BatchBuilder
from .drawing import (
    BULK_LOAD_CASES,
    DEFAULT_BATCH_SIZE,
    MAX_SUSPECTS,
    MAX_VICTIMS,
    Batch,
    Reference,
)

# --- id blocks ---------------------------------------------------------------------------

# Each batch numbers its rows inside a block of ids of its own, so that batches can be built
# in any process, in parallel, without knowing how many rows the batches before them made.
# A block holds the most rows a batch can make: batch size x the most rows one case can have
# (the draws are capped). Cases fill their blocks exactly, so case ids have no gaps; other
# tables have gaps between batches, which nothing relies on. A run of one batch is dense.
MOST_PER_CASE = {
    "case": 1,
    "share": 8,
    "person": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "document": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "participant": MAX_VICTIMS + MAX_SUSPECTS + 4,
    "victim": MAX_VICTIMS,
    "event": 6,
    "event_person": 1 + MAX_VICTIMS + MAX_SUSPECTS,
    "arrest": MAX_SUSPECTS,
    "proceeding": MAX_SUSPECTS,
    "twin": MAX_VICTIMS + MAX_SUSPECTS + 4,
}


def block_starts(first_ids: dict[str, int], batch_size: int, index: int) -> dict[str, int]:
    """The first id of each table for batch number `index`."""
    return {
        key: first + index * batch_size * MOST_PER_CASE[key] for key, first in first_ids.items()
    }


# --- the service ---------------------------------------------------------------------------


@dataclasses.dataclass
class GenerationResult:
    """What a run wrote: rows per table, persons recurring, time taken."""

    seed: int
    cases: int
    rows: dict[str, int]
    recurring_persons: int
    reused_persons: int
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _batches(
    ref: Reference,
    seed: int,
    until: datetime.date,
    timestamp: str,
    tasks: list[tuple[int, int, dict[str, int]]],
    workers: int,
) -> Iterator[Batch]:
    """Batches in order; built here, or by worker processes a few batches ahead (which hand
    PostgreSQL's rows over as COPY text, so that this process only has to stream them)."""
    if workers == 0:
        builder = BatchBuilder(ref, seed=seed, until=until, timestamp=timestamp)
        for index, size, first_ids in tasks:
            yield builder.build(index, size, dict(first_ids))
        return
    # spawn, not fork: a forked child would share this process's database connection.
    context = multiprocessing.get_context("spawn")
    options = {"seed": seed, "until": until, "timestamp": timestamp}
    init = (settings.SETTINGS_MODULE, dataclasses.asdict(ref), options, connection.vendor)
    with context.Pool(workers, initializer=synthetic_worker.start, initargs=init) as pool:
        pending: deque[Any] = deque()
        queue = iter(tasks)
        # A few batches in flight: enough to keep the workers busy, few enough to bound memory.
        for task in itertools.islice(queue, workers * 2):
            pending.append(pool.apply_async(synthetic_worker.build, (task,)))
        while pending:
            batch = pending.popleft().get()
            for task in itertools.islice(queue, 1):
                pending.append(pool.apply_async(synthetic_worker.build, (task,)))
            yield batch


def demo_data_generate(
    *,
    actor: Any,
    cases: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    until: datetime.date | None = None,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> GenerationResult:
    """Write `cases` synthetic cases with everything in them, in one transaction, audited once.

    `until` is the last date any generated event may have (default: today); with the same
    seed, number of cases, batch size and `until`, the data are the same, whatever the number
    of `workers` (processes that build batches while this one writes; default: none for small
    runs, one per core up to 2 for large ones).
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(cases, int) or cases < 1:
        errors["cases"] = [_("Give a number of cases of at least 1.")]
    if not isinstance(batch_size, int) or batch_size < 1:
        errors["batch_size"] = [_("Give a batch size of at least 1.")]
    today = timezone.localdate()
    until = until or today
    if until > today:
        errors["until"] = [_("The end date cannot be in the future.")]
    if workers is None:
        workers = 0 if cases < 50_000 else min(2, os.cpu_count() or 1)
    if not isinstance(workers, int) or workers < 0:
        errors["workers"] = [_("Give a number of worker processes of 0 or more.")]
    if errors:
        raise ValidationError(errors)
    started = time.perf_counter()
    ref = Reference.load()
    writer = Writer()
    counts = {table.key: 0 for table in TABLES}
    recurring = reused = 0
    with transaction.atomic():
        writer.lock()
        next_ids = writer.next_ids()
        timestamp = timestamp_text(timezone.now())
        tasks = [
            (index, min(batch_size, cases - start), block_starts(next_ids, batch_size, index))
            for index, start in enumerate(range(0, cases, batch_size))
        ]
        with writer.checks_after_load(cases >= BULK_LOAD_CASES):
            for batch in _batches(ref, seed, until, timestamp, tasks, workers):
                for table in TABLES:
                    if table.key in batch.text:
                        writer.write_text(table, batch.text[table.key])
                        counts[table.key] += batch.counts[table.key]
                    else:
                        rows = batch.rows[table.key]
                        writer.write(table, rows)
                        counts[table.key] += len(rows)
                recurring += batch.recurring
                reused += batch.reused
                if progress is not None:
                    progress(batch.counts.get("case") or len(batch.rows["case"]))
        writer.advance_sequences()
        # Written with COPY, past the models' signals: say which cases are new (statistics).
        cases_written.send(sender=Writer, cases=Case.objects.filter(pk__gte=next_ids["case"]))
        audit_record(
            actor=actor,
            action=AuditAction.BULK_CREATE,
            object_type="registry.case",
            detail={
                "generator": "demo-data",
                "seed": seed,
                "batch_size": batch_size,
                "until": until.isoformat(),
                "rows": counts,
            },
        )
    # Timed after COMMIT, which on PostgreSQL is where deferred key checks run.
    return GenerationResult(
        seed=seed,
        cases=cases,
        rows=counts,
        recurring_persons=recurring,
        reused_persons=reused,
        seconds=time.perf_counter() - started,
    )
