"""django-axes handler: a successful sign-in forgets only its own account's failures there."""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class AccountAddressHandler(AxesDatabaseHandler):
    """Failures are counted per account and per client address (AXES_LOCKOUT_PARAMETERS).

    django-axes' own reset deletes every failure that matches *any* lockout parameter, so
    one success for any account from an address wiped the address's count and, with it,
    the failures counted against other accounts from there: a guesser who also held an
    account could try passwords forever. Here a success deletes only the rows of that
    account from that address; another account's counter, and what the address has
    against other accounts, stay until the cool-off ends.
    """

    def reset_user_attempts(self, request: HttpRequest, credentials: Any = None) -> int:
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not username or not address:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return count
