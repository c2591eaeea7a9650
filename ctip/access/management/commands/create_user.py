"""`ctip create-user USERNAME --agency CODE --role ROLE`: a staff account with a membership."""

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ctip.access.choices import Role
from ctip.access.models import Agency
from ctip.access.services import membership_create, user_create
from ctip.cli import validation_message


class Command(BaseCommand):
    help = "Create a staff user, optionally with a role in an agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", help="agency code, e.g. AHTJP or PCCT-12")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", choices=["en", "km"], default="en")
        parser.add_argument("--superuser", action="store_true")
        parser.add_argument(
            "--password-env",
            default="CTIP_NEW_PASSWORD",
            help="read the password from this environment variable (default CTIP_NEW_PASSWORD); "
            "asked for when unset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["agency"]) != bool(options["role"]):
            raise CommandError("--agency and --role go together.")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"--agency: no agency with code {options['agency']!r}.")
        password = os.environ.get(options["password_env"]) or getpass.getpass("Password: ")
        try:
            with transaction.atomic():
                user = user_create(
                    actor=None,
                    username=options["username"],
                    password=password,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    preferred_language=options["language"],
                    is_superuser=options["superuser"],
                )
                if agency is not None:
                    membership_create(actor=None, user=user, agency=agency, role=options["role"])
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}."))
