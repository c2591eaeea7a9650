"""`ctip linkage run`: resolve identities over the registry now (what the job after an import
does), printing what the run found: counts only, never a name."""

import argparse
import json
from typing import Any

from django.core.management.base import CommandError


def add_run_parser(sub: Any) -> argparse.ArgumentParser:
    run = sub.add_parser(
        "run",
        help="train on the registry, link the pairs above the upper threshold, queue the band "
        "between the thresholds for review",
    )
    run.add_argument("--json", action="store_true", help="print the run's counts as JSON")
    run.add_argument("--reason", default="command line", help="recorded on the run")
    return run


def handle_run(options: dict[str, Any], stdout: Any) -> None:
    from ctip.linkage.choices import RunStatus
    from ctip.linkage.services import linkage_run

    def progress(step: str) -> None:
        if not options.get("json"):
            stdout.write(f"… {step}")

    try:
        run = linkage_run(reason=options.get("reason") or "", on_progress=progress)
    except Exception as error:
        raise CommandError(f"linkage run failed: {error}") from error
    counts = {
        "run": run.pk,
        "status": run.status,
        "records": run.records,
        "pairs": run.pairs,
        "accepted": run.accepted,
        "queued": run.queued,
        "lower": run.lower,
        "upper": run.upper,
    }
    if options.get("json"):
        stdout.write(json.dumps(counts))
    else:
        stdout.write(
            f"run {run.pk} {run.status}: {run.records} records, {run.pairs} pairs scored, "
            f"{run.accepted} links accepted, {run.queued} pairs for review"
            + (f" ({run.message})" if run.status != RunStatus.DONE and run.message else "")
        )
