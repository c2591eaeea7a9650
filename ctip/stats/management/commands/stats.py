"""`ctip stats mse FILE.csv | --period 2024H1 [--json]`: multiple systems estimation;
`ctip stats refresh [--all]`: read the indicator rows of changed (or all) cases again."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.access.actors import COMMAND_LINE
from ctip.cli import validation_message
from ctip.stats.mse import INTERVALS, METHODS, read_capture_csv
from ctip.stats.selectors import dark_figure


class Command(BaseCommand):
    help = (
        "Statistical tools. `mse FILE.csv` or `mse --period 2024H1`: estimate the total "
        "population from overlapping lists (a capture-history table, or the registry). "
        "`refresh`: recount cases changed since statistics were last read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="tool", required=True)
        mse = sub.add_parser("mse", help="multiple systems estimation")
        mse.add_argument(
            "file", nargs="?", help="CSV: one 0/1 column per list, then a 'count' column"
        )
        mse.add_argument(
            "--period",
            default=None,
            help="estimate from the registry for this period (2024H1, 2024H2 or 2024): one "
            "list per kind of agency that recorded a victim; instead of FILE",
        )
        mse.add_argument("--json", action="store_true", help="print JSON")
        mse.add_argument(
            "--method",
            default="stepwise",
            choices=METHODS,
            help="model selection: stepwise (SparseMSE, default), bic (lowest BIC over every "
            "model), bic-average (BIC-weighted average over every model)",
        )
        mse.add_argument(
            "--interval",
            default="bca",
            choices=INTERVALS,
            help="bca (nonparametric bootstrap, BCa, default) or parametric-percentile",
        )
        mse.add_argument("--bootstrap", type=int, default=1000, help="replicates (0: none)")
        mse.add_argument("--seed", type=int, default=2024)
        refresh = sub.add_parser("refresh", help="read changed cases' indicator rows again")
        refresh.add_argument(
            "--all", action="store_true", help="every case, not only those marked as changed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tool"] == "refresh":
            self._refresh(everything=options["all"])
            return
        file, period = options["file"], options["period"]
        # argparse cannot make a positional and an option exclusive with a clear message.
        if file and period is not None:
            raise CommandError("file, period: give FILE or --period, not both.")
        if not file and period is None:
            raise CommandError("file, period: give FILE (a capture-history CSV) or --period.")
        estimate = {
            "method": options["method"],
            "interval": options["interval"],
            "bootstrap": options["bootstrap"],
            "seed": options["seed"],
        }
        try:
            if file:
                path = Path(file)
                if not path.is_file():
                    raise ValidationError({"file": f"{path} does not exist."})
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise ValidationError({"file": "The file is not UTF-8 text."}) from None
                table = read_capture_csv(text)
                result = dark_figure(actor=COMMAND_LINE, table=table, **estimate)
            else:
                result = dark_figure(actor=COMMAND_LINE, period=period, **estimate)
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        terms = ", ".join(result["terms"])
        sizes = ", ".join(f"{name} {n}" for name, n in result["list_sizes"].items())
        upper = "no upper limit" if result["upper"] is None else f"{result['upper']:.0f}"
        interval = (
            f"{result['level']:.0%} {result['interval_method']} interval {result['lower']:.0f} "
            f"to {upper}"
            if result["lower"] is not None
            else "no interval"
        )
        self.stdout.write(
            f"Estimated total: {result['estimate']:.0f} ({interval}); observed "
            f"{result['observed']}, unknown {result['unknown']:.0f}; lists: {sizes}; "
            f"model: {terms}"
        )

    def _refresh(self, *, everything: bool) -> None:
        import time

        from ctip.stats.rows import indicator_rows_refresh

        started = time.perf_counter()
        marked = indicator_rows_refresh(everything=everything)
        what = "every case" if everything else f"{marked} changed case(s)"
        self.stdout.write(
            f"Indicator rows read again for {what} in {time.perf_counter() - started:.1f} s."
        )
