"""`ctip load-reference`: provinces, countries, HTCDS vocabularies and agencies."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ctip.access.services import agencies_load
from ctip.reference.services import reference_load


class Command(BaseCommand):
    help = "Load or refresh reference data and agencies (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                counts = reference_load()
                counts["agencies"] = agencies_load(actor=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
