"""`ctip import-prune --days N`: delete old uploads and the rows their check kept."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctip.cli import validation_message
from ctip.exchange.services import import_prune


class Command(BaseCommand):
    help = (
        "Delete uploaded spreadsheets (and the rows their check kept) older than N days; "
        "the import batches, their reports and the audit trail stay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30, help="keep uploads this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pruned = import_prune(older_than_days=options["days"])
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        self.stdout.write(
            f"Pruned the files of {pruned} import(s) older than {options['days']} days."
        )
