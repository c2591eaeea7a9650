"""`ctip add-membership USERNAME AGENCY ROLE`: give an existing user a role in an agency."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.access.choices import Role
from ctip.access.models import Agency, User
from ctip.access.services import membership_create


class Command(BaseCommand):
    help = "Give a user a role in an agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("agency", help="agency code")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user {options['username']!r}.")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"agency: no agency with code {options['agency']!r}.")
        membership_create(actor=None, user=user, agency=agency, role=options["role"])
        self.stdout.write(
            self.style.SUCCESS(f"{user.username} is {options['role']} at {agency.code}.")
        )
