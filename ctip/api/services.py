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
