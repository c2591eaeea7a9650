"""`ctip create-token USERNAME [--reset]`: print a user's API token, creating it if needed."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.api.services import token_issue
from ctip.cli import validation_message


class Command(BaseCommand):
    help = "Print a user's API token (created if the user has none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="replace the token; the old one stops working"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user called {options['username']!r}.")
        try:
            token = token_issue(actor=None, user=user, reset=options["reset"])
        except ValidationError as error:
            raise CommandError(validation_message(error)) from error
        self.stdout.write(token.key)
