"""Writes of the access app: loading agencies, creating users and memberships."""

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference.models import Country, Province

from .choices import AgencyKind, AgencyLevel, NotificationKind, Role
from .models import Agency, Membership, Notification, User
from .opened import run_on_opened

AGENCIES_FILE = Path(__file__).resolve().parent.parent / "reference" / "data" / "agencies.csv"


def _agency_row_errors(row: dict[str, str], line: int, codes: set[str]) -> list[str]:
    errors = []
    if row["kind"] not in AgencyKind.values:
        errors.append(
            _("line %(line)d: kind %(value)r is not a known agency kind")
            % {"line": line, "value": row["kind"]}
        )
    if row["level"] not in AgencyLevel.values:
        errors.append(
            _("line %(line)d: level %(value)r is not national, province or foreign")
            % {"line": line, "value": row["level"]}
        )
    if row["parent"] and row["parent"] not in codes:
        errors.append(
            _("line %(line)d: parent %(value)r is not an agency code in the file")
            % {"line": line, "value": row["parent"]}
        )
    return errors


@transaction.atomic
def agencies_load(*, actor: Any = None, path: Path = AGENCIES_FILE) -> int:
    """Create or update agencies from the editable data file; all rows or none."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {row["code"] for row in rows}
    errors = [
        e for line, row in enumerate(rows, start=2) for e in _agency_row_errors(row, line, codes)
    ]
    provinces = {p.code: p for p in Province.objects.all()}
    countries = {c.alpha3: c for c in Country.objects.all()}
    for line, row in enumerate(rows, start=2):
        if row["province"] and row["province"] not in provinces:
            errors.append(
                _("line %(line)d: province %(value)r is unknown")
                % {"line": line, "value": row["province"]}
            )
        if row["country"] and row["country"] not in countries:
            errors.append(
                _("line %(line)d: country %(value)r is unknown")
                % {"line": line, "value": row["country"]}
            )
    if errors:
        raise ValidationError(errors)
    agencies = {}
    for row in rows:
        agencies[row["code"]], _created = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_km": row["name_km"],
                "kind": row["kind"],
                "level": row["level"],
                "province": provinces.get(row["province"]),
                "country": countries.get(row["country"]),
            },
        )
    for row in rows:  # second pass: parents may appear after their children
        agency = agencies[row["code"]]
        parent = agencies.get(row["parent"]) if row["parent"] else None
        if agency.parent_id != (parent.pk if parent else None):
            agency.parent = parent
            agency.save(update_fields=["parent"])
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        object_type="access.agency",
        detail={"loaded": len(rows)},
    )
    return len(rows)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "en",
    is_superuser: bool = False,
) -> User:
    """Create a staff account with a validated password."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user with this username already exists.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action=AuditAction.ADMIN, obj=user, changes={"created": {"username": username}}
    )
    return user


def _may_administer_memberships(actor: Any, user: User) -> bool:
    """Command-line operators (actor None) and administrators may; nobody grants themselves."""
    if actor is None:
        return True
    from .policies import actor_scope

    scope = actor_scope(actor)
    if scope.is_superuser:
        return True
    return scope.has_role(Role.ADMINISTRATOR) and actor.pk != user.pk


@audited_atomic
def membership_create(*, actor: Any, user: User, agency: Agency, role: str) -> Membership:
    """Give a user a role in an agency (administrators only; never to themselves)."""
    if role not in Role.values:
        raise ValidationError({"role": _("%(role)r is not a role.") % {"role": role}})
    if not _may_administer_memberships(actor, user):
        raise refusal(
            PermissionDenied(_("You may not give roles to this user.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=user,
            detail={"wanted": "membership", "agency": agency.code, "role": role},
        )
    membership, created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=membership,
        changes={"membership": {"user": user.username, "agency": agency.code, "role": role}},
    )
    return membership


# --- sign-in, one-time codes, sessions -----------------------------------------------------

OTP_DEVICE_NAME = "authenticator"


def sign_in_recorded(*, actor: User, factor: str) -> None:
    """Audit a completed sign-in step ("password", then "otp")."""
    audit_record(actor=actor, action=AuditAction.SIGN_IN, obj=actor, detail={"factor": factor})


def sign_in_failed_recorded(*, username: str, locked_out: bool) -> None:
    """Audit a refused sign-in. Unknown and known usernames are recorded alike."""
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="access.user",
        detail={"username": username[:150], "locked_out": locked_out},
    )


def sign_out_recorded(*, actor: User) -> None:
    audit_record(actor=actor, action=AuditAction.SIGN_OUT, obj=actor)


def otp_device_for_enrolment(*, actor: User) -> Any:
    """The user's unconfirmed TOTP device, created on first need (a confirmed one is final)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=OTP_DEVICE_NAME, confirmed=False)
    return device


def otp_has_device(*, actor: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=actor, confirmed=True).exists()


def _check_token(device: Any, token: str) -> bool:
    allowed, _details = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(token.strip())


def otp_enrol_confirm(*, actor: User, token: str) -> Any:
    """Confirm the enrolment device with a first code; refused codes are audited.

    Not one transaction on purpose: the refusal's audit row must survive the refusal.
    """
    device = otp_device_for_enrolment(actor=actor)
    if not _check_token(device, token):
        audit_record(
            actor=actor, action=AuditAction.OTP_FAILED, obj=actor, detail={"step": "enrol"}
        )
        raise ValidationError({"token": _("That code is not valid. Enter the current code.")})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action=AuditAction.OTP_ENROLLED, obj=actor)
    return device


def otp_verify(*, actor: User, token: str) -> Any:
    """The confirmed device that accepts this code; forged or replayed codes are refused.

    django-otp refuses a code from a time step already used (replay) and slows down
    repeated failures; each refusal is audited here. The audit row is written outside any
    transaction the caller may roll back.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for device in TOTPDevice.objects.filter(user=actor, confirmed=True):
        if _check_token(device, token):
            return device
    audit_record(
        actor=actor,
        action=AuditAction.OTP_FAILED,
        obj=actor,
        detail={"step": "verify", "reason": "invalid, expired or already used code"},
    )
    raise ValidationError({"token": _("That code is not valid. Enter the current code.")})


def sessions_end(*, user: User) -> int:
    """Delete every server-side session of the user, so every browser is signed out."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_disable(*, actor: Any, user: User) -> User:
    """Disable an account: it can no longer sign in; its sessions, API and device tokens end."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    Token.objects.filter(user=user).delete()
    user.device_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=user,
        changes={"is_active": [True, False]},
        detail={"sessions_ended": ended},
    )
    return user


# --- re-authentication inside a session (reveal), counted like sign-in -------------------


def reauthentication_locked(*, request: Any, user: User) -> bool:
    """Whether django-axes has locked the account or the client's address out of signing in."""
    from axes.handlers.proxy import AxesProxyHandler

    if request is None:
        return False
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def reauthenticate(*, request: Any, user: User, password: str = "", otp_token: str = "") -> bool:
    """Check the signed-in user's password or current code as sign-in does.

    The password goes through authenticate(), so django-axes refuses it while locked out
    and counts a wrong one against the account and the client's address; a wrong code is
    counted the same way. Without a request (commands, tests) there is no address to count.
    """
    from django.contrib.auth import authenticate
    from django.contrib.auth.signals import user_login_failed

    username = user.get_username()
    if password:
        if request is None:
            if user.check_password(password):
                return True
        elif authenticate(request=request, username=username, password=password) is not None:
            return True  # a wrong password was counted by authenticate() itself
    if otp_token:
        try:
            otp_verify(actor=user, token=otp_token)
        except ValidationError:
            if request is not None:
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=request
                )
        else:
            return True
    return False


# --- revealing masked fields ---------------------------------------------------------------

REVEAL_MINUTES = 15
MIN_REASON_LENGTH = 10


def identity_reveal(
    *,
    actor: User,
    obj: models.Model,
    reason: str,
    password: str = "",
    otp_token: str = "",
    request: Any = None,
) -> list[Any]:
    """Let the actor read one record's masked fields for a short time.

    Needs the permission (masking.REVEALABLE), a stated reason and re-authentication by
    password or current one-time code. Every attempt is audited, granted or not; a refusal
    changes nothing else. The caller has already fetched `obj` through a scoped selector.
    With the web `request`, a wrong password or code counts as a failed sign-in (django-axes,
    per account and client address) and a locked-out account or address is refused.
    """
    from datetime import timedelta

    from django.utils import timezone

    from .masking import forget_reveals
    from .models import RevealGrant
    from .selectors import reveal_permission_check

    label = obj._meta.label_lower
    wanted = reveal_permission_check(actor=actor, obj=obj)
    errors: dict[str, str] = {}
    if len(reason.strip()) < MIN_REASON_LENGTH:
        errors["reason"] = _(
            "Say why you need to see these details (at least %(n)d characters)."
        ) % {"n": MIN_REASON_LENGTH}
    locked_out = reauthentication_locked(request=request, user=actor)
    reauthenticated = not locked_out and reauthenticate(
        request=request, user=actor, password=password, otp_token=otp_token
    )
    if locked_out:
        errors["password"] = _(
            "Too many failed attempts. Wait a while and try again, or ask your administrator."
        )
    elif not reauthenticated:
        errors["password"] = _("Confirm who you are with your password or a current code.")
    if errors:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=obj,
            detail={"wanted": "reveal", "refused": sorted(errors), "locked_out": locked_out},
        )
        raise ValidationError(errors)
    expires = timezone.now() + timedelta(minutes=REVEAL_MINUTES)
    with transaction.atomic():
        grants = [
            RevealGrant.objects.create(
                user=actor,
                object_type=label,
                object_id=str(obj.pk),
                sensitivity=level,
                reason=reason.strip()[:500],
                expires_at=expires,
            )
            for level in sorted(wanted)
        ]
        audit_record(
            actor=actor,
            action=AuditAction.REVEAL,
            obj=obj,
            detail={"sensitivities": sorted(wanted), "reason": reason.strip()[:500]},
        )
    forget_reveals(actor)
    return grants


# --- device tokens (app passwords) for OpenRosa clients -----------------------------------


def _token_hash(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _device_token_administrator_check(
    actor: Any, user: User, obj: models.Model, wanted: str, message: str
) -> None:
    """Refuse (audited) unless the actor may administer `user`'s accounts (not their own)."""
    if not _may_administer_memberships(actor, user):
        raise refusal(
            PermissionDenied(message),
            actor=actor,
            action=AuditAction.DENIED,
            obj=obj,
            detail={"wanted": wanted},
        )


@audited_atomic
def device_token_issue(*, actor: Any, user: User, name: str) -> tuple[Any, str]:
    """Issue a device token for `user`; returns it with its secret, which is shown only now.

    Administrators (and command-line operators) may, for anyone but themselves.
    """
    import secrets

    from .models import DeviceToken

    _device_token_administrator_check(
        actor, user, user, "device_token_issue", _("Only an administrator may issue device tokens.")
    )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the device (for example “Phone 3, Kampot”).")})
    if not user.is_active:
        raise ValidationError({"username": _("This account is inactive.")})
    secret = secrets.token_urlsafe(24)
    token = DeviceToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=_token_hash(secret),
        hint=secret[-4:],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        obj=token,
        detail={"device_token": "issued", "user": user.username, "device": token.name},
    )
    return token, secret


@audited_atomic
def device_token_revoke(*, actor: Any, token: Any) -> Any:
    """Revoke a device token at once; revoking twice changes nothing more."""
    from django.utils import timezone

    _device_token_administrator_check(
        actor,
        token.user,
        token,
        "device_token_revoke",
        _("Only an administrator may revoke device tokens."),
    )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.ADMIN,
            obj=token,
            detail={"device_token": "revoked", "user": token.user.username, "device": token.name},
        )
    return token


def device_token_authenticate(*, username: str, secret: str, scope: str) -> Any:
    """The active user whose live token of this scope is `secret`, or None; both audited.

    A wrong secret, a revoked token, another user's token or an inactive account all fail
    alike (one audit event, same answer). The account's password is never accepted here.
    """
    from django.utils import timezone

    from .models import DeviceToken

    token = (
        DeviceToken.objects.select_related("user")
        .filter(key_hash=_token_hash(secret), scope=scope, revoked_at__isnull=True)
        .first()
        if secret
        else None
    )
    if token is None or token.user.username != username or not token.user.is_active:
        audit_record(
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            object_type="access.user",
            detail={"via": scope, "username": username[:150]},
        )
        return None
    with transaction.atomic():
        token.last_used_at = timezone.now()
        token.save(update_fields=["last_used_at"])
        audit_record(
            actor=token.user,
            action=AuditAction.SIGN_IN,
            obj=token.user,
            detail={"via": scope, "device": token.name, "device_token": token.pk},
        )
    return token.user


# --- notifications (the bell in the menu) ----------------------------------------------------


def notification_send(
    *,
    recipients: Iterable[User | int],
    kind: str,
    text: Any,
    url: str = "",
    params: dict[str, Any] | None = None,
) -> list[Notification]:
    """Tell these users something, in their notifications (inside the caller's transaction).

    `text` is a translatable message, marked with gettext_lazy or gettext_noop, whose
    %(name)s placeholders `params` fills when it is shown (a value that is itself a message,
    such as a service's name, translated too): each reader sees it in their own language.
    Name records by reference, never a person. `url` is a path on this site.
    Inactive users and repeats are skipped; the list says who was told.
    """
    if kind not in NotificationKind.values:
        raise ValidationError(
            {"kind": [_("Unknown kind of notification: %(kind)s") % {"kind": kind}]}
        )
    with translation.override(None):  # the messages themselves, not translations of them
        template = str(text).strip()
        values = {key: str(value) for key, value in (params or {}).items()}
    if not template or len(template) > 300:
        raise ValidationError({"text": [_("A notification's text has 1 to 300 characters.")]})
    if url and (not url.startswith("/") or url.startswith("//") or len(url) > 300):
        raise ValidationError({"url": [_("A notification links to a page of this site.")]})
    ids = {r.pk if isinstance(r, User) else int(r) for r in recipients}
    users = User.objects.filter(pk__in=sorted(ids), is_active=True).order_by("pk")
    return Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, text=template, params=values, url=url)
        for user in users
    )


@transaction.atomic
def notification_open(*, actor: Any, pk: int) -> Notification:
    """Mark one of the actor's notifications read (another's answers like an unknown one), and
    what it announced, where its app registered how (access.opened)."""
    notification = Notification.objects.filter(pk=pk, recipient_id=actor.pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    run_on_opened(actor, notification)
    return notification


def notifications_read_all(*, actor: Any) -> int:
    """Mark all of the actor's notifications read."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at=None).update(
        read_at=timezone.now()
    )
