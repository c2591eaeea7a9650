"""`ctip report half-year --period 2024H1 --format json`: a report on standard output or a file."""

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.access.actors import COMMAND_LINE
from ctip.access.models import User
from ctip.cli import validation_message
from ctip.stats.periods import parse_period
from ctip.stats.render import FORMATS, render
from ctip.stats.reports import BUILDERS, build_report


class Command(BaseCommand):
    help = "Produce a statistical report (half-year, tip, glotip) for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(BUILDERS), help="which report")
        parser.add_argument("--period", required=True, help="2024H1, 2024H2 or 2024")
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--output", "-o", default="-", help="file to write; - for stdout")
        parser.add_argument(
            "--user",
            default="",
            help="compute as this user (scoped by their rights); default: the command line, "
            "which aggregates over every case",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parse_period(options["period"])  # fail before touching anything
            actor: Any = COMMAND_LINE
            if options["user"]:
                actor = User.objects.filter(username=options["user"]).first()
                if actor is None:
                    raise ValidationError({"user": f"No user {options['user']!r}."})
            report = build_report(actor=actor, kind=options["kind"], period=options["period"])
            data = render(report, options["format"])
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        if options["output"] == "-":
            if options["format"] in ("json", "csv"):
                sys.stdout.write(data.decode("utf-8-sig"))
                if not data.endswith(b"\n"):
                    sys.stdout.write("\n")
            else:
                sys.stdout.buffer.write(data)
        else:
            with open(options["output"], "wb") as handle:
                handle.write(data)
