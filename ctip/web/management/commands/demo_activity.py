"""`ctip demo-activity`: give the demo accounts their day's work (demo only; run once)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ctip.access.models import User
from ctip.web.demo import demo_activity


class Command(BaseCommand):
    help = (
        "Referrals in every state, tasks, an import and releases for the demo accounts "
        "(run `ctip demo-accounts` first; demo only; running it again adds nothing)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = (
            "ahtjp.officer",
            "ahtjp.intake",
            "paht18.officer",
            "dosvy12.social",
            "ncct.analyst",
            "ncct.supervisor",
        )
        missing = sorted(
            set(wanted)
            - set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        )
        if missing:
            raise CommandError(f"Run `ctip demo-accounts` first: {', '.join(missing)} missing.")
        try:
            made = demo_activity()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if not made:
            self.stdout.write("Demo activity exists already; nothing added.")
            return
        for key, value in made.items():
            if isinstance(value, dict):  # counts by state: "sent 1, accepted 1", not enum reprs
                value = ", ".join(f"{state} {count}" for state, count in value.items())
            self.stdout.write(f"{key}: {value}")
