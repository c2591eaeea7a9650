"""`ctip demo-accounts`: sign-ins for each kind of user, for demos only; safe to run again."""

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ctip.access.choices import Role
from ctip.access.models import Agency, User
from ctip.access.services import membership_create, user_create
from ctip.access.testing import otp_device

# Public on purpose: these accounts exist to be tried. Never create them on a real system.
DEMO_PASSWORD = "ctip-demo-2024!"

# (username, first name, last name, agency code, role, superuser, what the account is for)
DEMO_ACCOUNTS: list[tuple[str, str, str, str, str, bool, str]] = [
    ("ahtjp.officer", "Sokha", "Chan", "AHTJP", Role.CASE_OFFICER, False,
     "case officer, national anti-trafficking police department"),
    ("ahtjp.supervisor", "Vuthy", "Sok", "AHTJP", Role.SUPERVISOR, False,
     "supervisor, national anti-trafficking police department"),
    ("paht18.officer", "Rithy", "Keo", "PAHT-18", Role.CASE_OFFICER, False,
     "case officer, Preah Sihanouk province police bureau"),
    ("pcct12.member", "Chenda", "Meas", "PCCT-12", Role.CASE_OFFICER, False,
     "member, Phnom Penh province committee"),
    ("dosvy12.social", "Srey Mom", "Heng", "DOSVY-12", Role.CASE_OFFICER, False,
     "social worker, Phnom Penh social affairs department"),
    ("ngo.partner", "Dara", "Ly", "NGO-CWCC", Role.NGO_PARTNER, False,
     "NGO partner, Cambodian Women's Crisis Center"),
    ("ncct.analyst", "Sophal", "Prak", "NCCT", Role.ANALYST, False,
     "analyst, national secretariat"),
    ("ncct.supervisor", "Bopha", "Ouk", "NCCT", Role.SUPERVISOR, False,
     "supervisor, national secretariat: signs off statistics releases"),
    ("ncct.auditor", "Thida", "Chea", "NCCT", Role.AUDITOR, False, "auditor"),
    ("ncct.reviewer", "Bopha", "Lim", "NCCT", Role.LINKAGE_REVIEWER, False,
     "linkage reviewer, national secretariat (review queue)"),
    ("ahtjp.investigator", "Pisey", "Nhem", "AHTJP", Role.INVESTIGATOR, False,
     "investigator, national anti-trafficking police department (networks across cases)"),
    ("ahtjp.intake", "Sreyleak", "Mao", "AHTJP", Role.INTAKE_OFFICER, False,
     "intake officer, hotline and triage of public reports"),
    ("admin", "Visal", "Touch", "NCCT", Role.ADMINISTRATOR, True, "administrator (superuser)"),
]  # fmt: skip


class Command(BaseCommand):
    help = "Create demo sign-ins for several agencies and roles (demo only; safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        codes = {code for _u, _f, _l, code, *_rest in DEMO_ACCOUNTS}
        agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        missing = sorted(codes - set(agencies))
        if missing:
            raise CommandError(
                f"Agencies {', '.join(missing)} are not loaded; run `ctip load-reference` first."
            )
        rows = []
        try:
            with transaction.atomic():
                for username, first, last, code, role, superuser, purpose in DEMO_ACCOUNTS:
                    user = User.objects.filter(username=username).first()
                    created = user is None
                    if user is None:
                        user = user_create(
                            actor=None,
                            username=username,
                            password=DEMO_PASSWORD,
                            first_name=first,
                            last_name=last,
                            is_superuser=superuser,
                        )
                    if not user.memberships.filter(agency=agencies[code], role=role).exists():
                        membership_create(actor=None, user=user, agency=agencies[code], role=role)
                    # Every account must pass a one-time code; a ready device spares the
                    # newcomer the QR enrolment (the key is printed for an authenticator app).
                    key = base64.b32encode(otp_device(user).bin_key).decode()
                    note = "" if created else " (existing)"
                    rows.append((username + note, DEMO_PASSWORD, code, role, key, purpose))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        headers = ("username", "password", "agency", "role", "authenticator key", "for")
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write(line.format(*headers))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "These are DEMO accounts only, with a published password: never create them on "
                "a system that holds real data. Existing accounts keep the password they have."
            )
        )
        self.stdout.write(
            "After the password, ctip asks for a one-time code: add the account's key to an "
            "authenticator app, or run `ctip demo-code USERNAME` for the current code."
        )
