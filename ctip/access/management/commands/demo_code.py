"""`ctip demo-code USERNAME`: the current one-time code of a demo account (development only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctip.access.models import User
from ctip.access.testing import current_code


class Command(BaseCommand):
    help = "Print the current one-time code of an account's authenticator (DEBUG settings only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        # A code generator defeats the second factor: only on a developer's demo set-up.
        if not settings.DEBUG:
            raise CommandError("demo-code runs only with development settings (DEBUG on).")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user {options['username']!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError("username: this account has no authenticator yet.")
        self.stdout.write(current_code(device))
