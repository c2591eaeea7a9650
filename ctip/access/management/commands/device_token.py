"""`ctip device-token issue|revoke|list`: app passwords for ODK Collect and Kobo devices."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from ctip.access.models import DeviceToken, User
from ctip.access.services import device_token_issue, device_token_revoke
from ctip.cli import validation_message


class Command(BaseCommand):
    help = "Issue, revoke or list device tokens (app passwords) for OpenRosa clients."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token; its secret is printed only now")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="the device, e.g. 'Phone 3, Kampot'")
        revoke = sub.add_parser("revoke", help="revoke a token at once")
        revoke.add_argument("id", type=int, help="the token's number (see list)")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("username", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"username: no user {options['username']!r}.")
            try:
                token, secret = device_token_issue(actor=None, user=user, name=options["name"])
            except ValidationError as error:
                raise CommandError(validation_message(error)) from error
            self.stdout.write(f"token {token.pk} for {user.username} ({token.name}):")
            self.stdout.write(secret)
            self.stdout.write(
                "Type it as the password in ODK Collect or Kobo; it is not shown again."
            )
        elif action == "revoke":
            token = DeviceToken.objects.select_related("user").filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"id: no device token {options['id']}.")
            device_token_revoke(actor=None, token=token)
            self.stdout.write(f"token {token.pk} ({token.user.username}, {token.name}) revoked.")
        else:
            tokens = DeviceToken.objects.select_related("user")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                revoked, used = token.revoked_at, token.last_used_at
                state = f"revoked {localtime(revoked):%Y-%m-%d %H:%M}" if revoked else "active"
                used_text = f"{localtime(used):%Y-%m-%d %H:%M}" if used else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.user.username}\t{token.name}\t…{token.hint}\t"
                    f"{state}\tlast used {used_text}"
                )
