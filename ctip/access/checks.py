"""Deployment checks (`manage.py check --deploy`): refuse to call a setup safe without them."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sign_in_protections(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """One-time codes, lockout, Argon2 and the idle timeout must all be on in production."""
    problems = []
    if not getattr(settings, "CTIP_REQUIRE_OTP", True):
        problems.append(
            Warning("CTIP_REQUIRE_OTP is off: staff sign in with a password alone.", id="ctip.W001")
        )
    if not getattr(settings, "AXES_ENABLED", True):
        problems.append(
            Warning("AXES_ENABLED is off: no lockout after failed sign-ins.", id="ctip.W002")
        )
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        problems.append(Warning("Passwords are not hashed with Argon2 first.", id="ctip.W003"))
    pushes_expiry = settings.SESSION_SAVE_EVERY_REQUEST or (
        "ctip.access.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
    )
    if settings.SESSION_COOKIE_AGE > 30 * 60 or not pushes_expiry:
        problems.append(Warning("Sessions do not end after 30 idle minutes.", id="ctip.W004"))
    return problems
