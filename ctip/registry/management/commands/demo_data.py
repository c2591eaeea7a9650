"""`ctip demo-data --cases N --seed S`: fill the registry with seeded synthetic cases."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ctip.cli import validation_message
from ctip.registry.models import Case
from ctip.registry.synthetic import DEFAULT_BATCH_SIZE, demo_data_generate


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--until: {text!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Write synthetic cases with their persons, victims, events, arrests and proceedings. "
        "Invented data for demos, tests and benchmarks; the same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1000, help="how many cases (default 1000)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"cases built and written per step (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--until",
            default="",
            help="last date any generated event may have, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the registry has cases"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes building batches while one writes (default: 0 below 50,000 cases, "
            "else up to 2)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("The registry already has cases; no demo data added (--if-empty).")
            return
        until = _date(options["until"]) if options["until"] else None
        show = not options["no_progress"] and options["verbosity"] > 0
        bar = tqdm(total=options["cases"], unit="case", disable=not show, dynamic_ncols=True)
        try:
            result = demo_data_generate(
                actor=None,
                cases=options["cases"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                until=until,
                workers=options["workers"],
                progress=bar.update,
            )
        except ValidationError as error:
            raise CommandError(validation_message(error, options=True)) from error
        finally:
            bar.close()
        rate = result.total_rows / result.seconds if result.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {result.cases} synthetic cases ({result.total_rows} rows) in "
                f"{result.seconds:.1f} s, {rate:,.0f} rows/s, seed {result.seed}."
            )
        )
        for key, count in result.rows.items():
            self.stdout.write(f"  {key}: {count}")
        self.stdout.write(
            f"  persons registered again by another agency: {result.recurring_persons}; "
            f"persons in more than one case: {result.reused_persons}"
        )
