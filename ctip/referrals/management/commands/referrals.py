"""`ctip referrals digest|generate|tallies`: the daily digest, synthetic referrals, tallies."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ctip.referrals.digest import digest_send
from ctip.referrals.generator import generate_referrals
from ctip.referrals.tallies import tallies_rebuild


class Command(BaseCommand):
    help = (
        "Referral jobs: 'digest' e-mails the daily digest; 'generate' adds synthetic "
        "referrals; 'tallies' recounts the dashboard tallies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="job", required=True)
        digest = sub.add_parser("digest", help="send the daily digest by e-mail")
        digest.add_argument("--date", type=datetime.date.fromisoformat, default=None)
        digest.add_argument("--dry-run", action="store_true", help="build but do not send")
        generate = sub.add_parser(
            "generate", help="add seeded synthetic referrals to the victims of existing cases"
        )
        generate.add_argument("--count", type=int, required=True)
        generate.add_argument("--seed", type=int, default=2024)
        generate.add_argument("--as-of", type=datetime.datetime.fromisoformat, default=None)
        sub.add_parser("tallies", help="recount the coordination dashboard's tallies")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["job"] == "digest":
            run = digest_send(today=options["date"], dry_run=options["dry_run"])
            self.stdout.write(
                f"digest: {run.sent} sent, {run.skipped_empty} with nothing due, "
                f"{run.skipped_no_address} without an e-mail address"
            )
        elif options["job"] == "generate":
            as_of = options["as_of"]
            if as_of is not None and timezone.is_naive(as_of):
                as_of = timezone.make_aware(as_of)
            try:
                made = generate_referrals(
                    count=options["count"], seed=options["seed"], as_of=as_of, progress=True
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"generate: {made.referrals} referrals for {made.victims} victims, "
                f"{made.shares} new case shares"
            )
        elif options["job"] == "tallies":
            counted = tallies_rebuild()
            self.stdout.write(
                f"tallies: {counted['month_rows']} monthly rows, "
                f"{counted['duration_rows']} duration rows"
            )
