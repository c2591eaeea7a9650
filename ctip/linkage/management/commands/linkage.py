"""`ctip linkage run`: identity resolution over the registry."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ctip.linkage.management.run import add_run_parser, handle_run


class Command(BaseCommand):
    help = "Identity resolution. `run`: resolve identities over the registry now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="tool", required=True)
        add_run_parser(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tool"] == "run":
            handle_run(options, self.stdout)
