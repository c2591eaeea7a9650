"""Sign-in middleware: one-time codes before any other page, and the idle timeout.

A session that passed the password step but not the code step may only reach the pages that
finish signing in (or sign out). Settings: CTIP_REQUIRE_OTP (on unless turned off).
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

OPEN_VIEWS = frozenset(
    {"login", "admin-login", "logout", "access:otp-verify", "access:otp-enrol", "set_language"}
)


class RequireOTPMiddleware:
    """Place after django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(settings, "CTIP_REQUIRE_OTP", True):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Finish signing in with a one-time code first."}, status=403
            )
        from .services import otp_has_device

        target = "access:otp-verify" if otp_has_device(actor=user) else "access:otp-enrol"
        response = redirect(target)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response


# Where the idle-timeout middleware keeps the time it last pushed the expiry forward.
LAST_REFRESH_KEY = "_ctip_refreshed"


class IdleTimeoutMiddleware:
    """Ends sessions after SESSION_COOKIE_AGE idle seconds, writing the session rarely.

    Pushing the expiry forward means writing the session row. Django's
    SESSION_SAVE_EVERY_REQUEST does it on every request, three of a page's database round
    trips; this does it at most once per CTIP_SESSION_REFRESH_SECONDS (60 by default, never
    more than a thirtieth of the timeout), so a session ends between 29 and 30 idle minutes
    after its last request. Place it right after SessionMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A session that was just flushed (sign-out) or never created has no key: nothing to do.
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(LAST_REFRESH_KEY, 0)) >= refresh_interval():
                session[LAST_REFRESH_KEY] = now  # marks it modified; SessionMiddleware saves
        return response


def refresh_interval() -> int:
    """Seconds between two writes of an active session."""
    configured = int(getattr(settings, "CTIP_SESSION_REFRESH_SECONDS", 60))
    return min(configured, settings.SESSION_COOKIE_AGE // 30)
