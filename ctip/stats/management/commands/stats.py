"""`ctip stats mse FILE.csv --json`: multiple systems estimation from a capture-history table."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.cli import validation_message
from ctip.stats.mse import METHODS, estimate_population, read_capture_csv


class Command(BaseCommand):
    help = (
        "Statistical tools. `mse FILE.csv`: estimate the total population from overlapping lists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="tool", required=True)
        mse = sub.add_parser("mse", help="multiple systems estimation")
        mse.add_argument("file", help="CSV: one 0/1 column per list, then a 'count' column")
        mse.add_argument("--json", action="store_true", help="print JSON")
        mse.add_argument("--method", default="stepwise", choices=METHODS)
        mse.add_argument("--bootstrap", type=int, default=500, help="replicates (0: none)")
        mse.add_argument("--seed", type=int, default=2024)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist.")
        try:
            table = read_capture_csv(path.read_text(encoding="utf-8"))
            result = estimate_population(
                table,
                method=options["method"],
                bootstrap=options["bootstrap"],
                seed=options["seed"],
            ).as_dict()
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        terms = ", ".join(result["terms"])
        self.stdout.write(
            f"Estimated total: {result['estimate']:.0f} (95% interval {result['lower']} to "
            f"{result['upper']}); observed {result['observed']}; model: {terms}"
        )
