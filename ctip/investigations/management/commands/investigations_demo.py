"""`ctip investigations-demo`: a network of recruiters, companies, phones and a compound
across demo cases in several provinces (demo only; running it again adds nothing)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctip.investigations.demo import demo_network, demo_operations, demo_package


class Command(BaseCommand):
    help = (
        "Record a demo trafficking network (recruiters, companies, phones, accounts, a "
        "compound) across demo cases of several agencies and provinces (run `ctip demo-data` "
        "and `ctip demo-accounts` first; demo only; running it again adds nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--package",
            metavar="PARTNER",
            help="Instead: send the network of the demo network's first AHTJP case to PARTNER "
            "as the demo investigator (an agreement with PARTNER must be in force).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["package"]:
            try:
                sent = demo_package(options["package"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(
                f"Network of {sent} sent to {options['package']}."
                if sent
                else "A demo package was sent already, or no demo network; nothing sent."
            )
            return
        try:
            made = demo_network()
            # A screening demo run after the network's: its raids join the compound now.
            later = demo_operations() if not made else 0
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if not made:
            self.stdout.write(
                "The demo network exists already, or too few open cases; nothing added."
                + (f" Operations against the compound: {later}." if later else "")
            )
            return
        for key, value in made.items():
            self.stdout.write(f"{key}: {value}")
