"""`ctip referrals digest`: e-mail each staff member their overdue and soon-due work."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ctip.referrals.digest import digest_send


class Command(BaseCommand):
    help = "Referral jobs. 'digest' sends the daily digest of overdue referrals and tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="job", required=True)
        digest = sub.add_parser("digest", help="send the daily digest by e-mail")
        digest.add_argument("--date", type=datetime.date.fromisoformat, default=None)
        digest.add_argument("--dry-run", action="store_true", help="build but do not send")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["job"] == "digest":
            run = digest_send(today=options["date"], dry_run=options["dry_run"])
            self.stdout.write(
                f"digest: {run.sent} sent, {run.skipped_empty} with nothing due, "
                f"{run.skipped_no_address} without an e-mail address"
            )
