"""Sends every signed-in user through a one-time code before any other page.

A session that passed the password step but not the code step may only reach the pages that
finish signing in (or sign out). Settings: CTIP_REQUIRE_OTP (on unless turned off).
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

OPEN_VIEWS = frozenset({"login", "logout", "access:otp-verify", "access:otp-enrol", "set_language"})


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
