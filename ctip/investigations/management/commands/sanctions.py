"""`ctip sanctions load FILE --name NAME`: load (or reload) a sanctions or watch list from a
FollowTheMoney JSON-lines file, then re-screen; `ctip sanctions screen`: screen again;
`ctip sanctions demo`: load the shipped synthetic demo list and record the demo job ads."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.access.actors import COMMAND_LINE
from ctip.investigations.ads.demo import demo_ads
from ctip.investigations.ftm.reader import bounded_lines
from ctip.investigations.sanctions.models import WatchList
from ctip.investigations.sanctions.services import watch_list_load, watch_list_screen

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo-sanctions.ftm.json"
DEMO_LIST = "Demo sanctions list (synthetic)"


class Command(BaseCommand):
    help = "Sanctions and watch lists: load a FollowTheMoney file, screen against the lists."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load", help="load or reload a list, then screen against it")
        load.add_argument("file", help="FollowTheMoney JSON lines (one entity a line)")
        load.add_argument("--name", required=True, help="the list's name (reloads keep it)")
        load.add_argument("--publisher", default="", help="who publishes the list")
        screen = sub.add_parser("screen", help="screen again against every list")
        screen.add_argument("--name", default="", help="only this list")
        sub.add_parser("demo", help="load the synthetic demo list (once) and the demo job ads")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "load":
            self.load(options)
        elif options["verb"] == "demo":
            self.demo()
        else:
            self.screen(options)

    def demo(self) -> None:
        if not WatchList.objects.filter(name=DEMO_LIST).exists():
            self.load({"file": str(DEMO_FILE), "name": DEMO_LIST, "publisher": "ctip demo"})
        else:
            self.screen({"name": DEMO_LIST})
        self.stdout.write(f"{demo_ads()} demo job advertisements recorded.\n")

    def load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} is not a file")
        try:
            with path.open("rb") as stream:
                report = watch_list_load(
                    actor=COMMAND_LINE,
                    name=options["name"],
                    lines=bounded_lines(stream),
                    file_name=path.name,
                    publisher=options["publisher"],
                )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "message_dict") else {}
            lines = [f"{field}: {m}" for field, ms in problems.items() for m in ms]
            raise CommandError(
                "the list was not loaded (nothing changed):\n" + "\n".join(lines or error.messages)
            ) from None
        screening = report.screening
        self.stdout.write(
            f"{report.watch_list.name} (load {report.watch_list.version}): {report.added} added, "
            f"{report.updated} updated, {report.removed} no longer listed. Screened "
            f"{screening.persons} suspects and {screening.organisations} organisations: "
            f"{screening.new} new hits, {screening.kept} kept, {screening.withdrawn} withdrawn.\n"
        )

    def screen(self, options: dict[str, Any]) -> None:
        lists = WatchList.objects.all()
        if options["name"]:
            lists = lists.filter(name=options["name"])
            if not lists.exists():
                raise CommandError(f"--name: no list named {options['name']!r}")
        for watch_list in lists:
            report = watch_list_screen(actor=COMMAND_LINE, watch_list=watch_list)
            self.stdout.write(
                f"{watch_list.name}: {report.new} new hits, {report.kept} kept, "
                f"{report.withdrawn} withdrawn.\n"
            )
