"""`ctip linkage match|encode|compare`: match person files, and match across borders blind;
`ctip linkage run`: resolve identities over the registry."""

import csv
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.linkage.engine import files, model
from ctip.linkage.management.run import add_run_parser, handle_run


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"--threshold: {text!r} is not a number") from None
    if not 0 < value < 1:
        raise CommandError(f"--threshold: {text} must lie strictly between 0 and 1")
    return value


class Command(BaseCommand):
    help = (
        "Identity resolution: match person files; encode and compare them across borders; "
        "run: resolve identities over the registry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        match = sub.add_parser(
            "match", help="deduplicate a person CSV (or link it to another) and print the pairs"
        )
        match.add_argument("file", help="CSV with the columns of docs/linkage.md")
        match.add_argument("--against", default="", help="a second CSV to link the first to")
        output = match.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="JSON output (the default)")
        output.add_argument("--format", choices=("json", "csv"), default="json")
        match.add_argument(
            "--threshold",
            default=str(model.DEFAULT_THRESHOLD),
            help=f"probability at which a pair is the same person (default "
            f"{model.DEFAULT_THRESHOLD})",
        )
        self.add_blind_arguments(sub)
        add_run_parser(sub)

    def add_blind_arguments(self, sub: Any) -> None:
        """encode/compare: privacy-preserving encodings (ctip/linkage/engine/blind.py)."""

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "match":
            self.stdout.write(self.match(options), ending="")
            return
        if verb == "run":
            handle_run(options, self.stdout)
            return
        raise CommandError(f"unknown action {verb!r}")  # argparse refuses it first

    def match(self, options: dict[str, Any]) -> str:
        """The whole output, built before anything is printed: a refusal prints nothing else."""
        threshold = _threshold(options["threshold"])
        try:
            rows = files.read_persons(options["file"])
            against = files.read_persons(options["against"]) if options["against"] else []
            result = files.match(rows, against, threshold=threshold)
        except files.FileError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["a", "b", "probability", "cluster"])
            cluster_of = {
                member: number
                for number, cluster in enumerate(result["clusters"], start=1)
                for member in cluster
            }
            for pair in result["pairs"]:
                writer.writerow([pair["a"], pair["b"], pair["probability"], cluster_of[pair["a"]]])
            return out.getvalue()
        return json.dumps(result, ensure_ascii=False, indent=2) + "\n"
