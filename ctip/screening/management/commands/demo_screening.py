"""`ctip demo-screening`: a compound raid with 240 persons found and screened, its embassy
lists sent (demo only; running it again adds nothing)."""

import datetime
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ctip.access.models import Agency, User
from ctip.reference.models import Province
from ctip.screening import selectors, services
from ctip.screening.choices import Decision, OperationKind
from ctip.screening.demo import found_rows, interview
from ctip.screening.models import FoundPerson, Operation

NAME = "Compound raid, Otres, Sihanoukville (demo)"


class Command(BaseCommand):
    help = "A raid with 240 persons found and screened, and its embassy lists (demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--persons", type=int, default=240)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args: Any, **options: Any) -> None:
        if Operation.objects.filter(name=NAME).exists():
            self.stdout.write("The demo operation exists already; nothing added.")
            return
        officer = User.objects.filter(username="ahtjp.officer").first()
        if officer is None:
            raise CommandError("Run `ctip demo-accounts` first: ahtjp.officer is missing.")
        rng = random.Random(options["seed"])
        day = timezone.localdate() - datetime.timedelta(days=12)
        try:
            operation = services.operation_create(
                actor=officer,
                kind=OperationKind.RAID,
                name=NAME,
                conducted_on=day,
                province=Province.objects.get(code="KH-18"),
                place="Building C, Otres compound",
                lead_agency=Agency.objects.get(code="AHTJP"),
                agencies=list(Agency.objects.filter(code__in=["PAHT-18", "DOSVY-18"])),
            )
            rows = found_rows(rng, options["persons"])
            # The Preah Sihanouk police, taking part, enter the last batch for their own
            # agency (decision 0781); the lead agency's officer enters the rest.
            partner = User.objects.filter(username="paht18.officer").first() or officer
            for start in range(0, len(rows), 100):
                services.found_persons_add(
                    actor=partner if start + 100 >= len(rows) else officer,
                    operation=operation,
                    rows=rows[start : start + 100],
                )
            found = list(FoundPerson.objects.filter(operation=operation).order_by("number"))
            # The last few are left for the officer to screen in the demo.
            for person in found[:-8]:
                services.screening_record(
                    actor=officer,
                    found=person,
                    **interview(
                        rng, day + datetime.timedelta(days=rng.randrange(0, 3)), person.language
                    ),
                )
            # Second interviews: a few presumed victims confirmed a week later.
            for person in FoundPerson.objects.filter(
                operation=operation, decision=Decision.PRESUMED
            )[:10]:
                services.screening_record(
                    actor=officer,
                    found=person,
                    interviewed_on=day + datetime.timedelta(days=7),
                    language=person.language or "km",
                    answers={
                        "deception": "yes",
                        "documents_confiscated": "yes",
                        "forced_criminality": "yes",
                        "threat_of_arrest": "yes",
                    },
                    decision=Decision.IDENTIFIED,
                    reasons="Second interview with an interpreter: deceived, passport taken, "
                    "made to run scams under threat of arrest.",
                    interpreter=True,
                    consent_to_embassy=True,
                )
            sent = {}
            for nationality in ("VNM", "IDN", "THA"):
                agency = selectors.embassy_agencies(nationality).first()
                if agency is not None:
                    result = services.embassy_list_send(
                        actor=officer,
                        operation=operation,
                        nationality=nationality,
                        to_agency=agency,
                    )
                    sent[nationality] = len(result.packages)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        figures = selectors.operation_figures(actor=officer, operation=operation)
        self.stdout.write(f"Operation {operation.pk}: {figures.total} persons found")
        for decision, n in sorted(figures.by_decision.items()):
            self.stdout.write(f"  {decision}: {n}")
        self.stdout.write(f"Embassy lists sent: {sent}")
