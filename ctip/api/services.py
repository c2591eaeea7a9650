"""Writes of the API app: issuing access tokens, with every issue and failed attempt audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record


@transaction.atomic
def token_sign_in(*, user: Any) -> Token:
    """The user proved their password to the token endpoint: give them their token."""
    token, created = Token.objects.get_or_create(user=user)
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        obj=user,
        detail={"via": "api_token", "token": "created" if created else "existing"},
    )
    return token


def token_second_factor(*, user: Any, code: str) -> None:
    """Refuse the token unless the one-time code is right (when codes are required).

    A forged, expired or replayed code is refused and audited by access.services.otp_verify;
    an account with no authenticator yet must enrol in the web app first.
    """
    from django.conf import settings

    from ctip.access.services import otp_has_device, otp_verify

    if not getattr(settings, "CTIP_REQUIRE_OTP", True):
        return
    if not otp_has_device(actor=user):
        audit_record(
            actor=user,
            action=AuditAction.OTP_FAILED,
            obj=user,
            detail={"via": "api_token", "reason": "no authenticator enrolled"},
        )
        raise ValidationError(
            {
                "otp_token": _(
                    "Set up an authenticator app in the web app first; the API asks for its code."
                )
            }
        )
    if not code.strip():
        raise ValidationError({"otp_token": _("Enter the current code of your authenticator app.")})
    try:
        otp_verify(actor=user, token=code)
    except ValidationError as error:
        raise ValidationError({"otp_token": error.message_dict["token"]}) from error


def token_sign_in_failed(*, username: str) -> None:
    """Record a refused attempt; the password is never recorded."""
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="access.user",
        detail={"via": "api_token", "username": username[:150]},
    )


@transaction.atomic
def token_issue(*, actor: Any, user: Any, reset: bool = False) -> Token:
    """An administrator issues (or, with reset, replaces) a user's API token."""
    if not user.is_active:
        raise ValidationError({"username": _("This account is inactive.")})
    if reset:
        Token.objects.filter(user=user).delete()
    token, created = Token.objects.get_or_create(user=user)
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=user,
        detail={"token": "reset" if reset else ("created" if created else "existing")},
    )
    return token
