"""Reads of the access app: agencies a user may pick, a user's memberships, who may reveal."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import Role
from .masking import SENSITIVE_FIELDS, revealable
from .models import Agency, DeviceToken, Membership, Notification, User
from .policies import RECORD_ROLES, ROLES_FOR_ACTION, actor_scope


def agency_list() -> QuerySet[Agency]:
    """All active agencies (names and kinds are not protected)."""
    return Agency.objects.filter(is_active=True).select_related("province")


def agency_pick_list() -> list[Agency]:
    """Active agencies with what a pick-list shows (code, names), cached like other pick-lists."""
    from ctip.reference.selectors import cached_reference

    return list(
        cached_reference(
            "agencies",
            lambda: list(
                Agency.objects.filter(is_active=True).only("id", "code", "name_en", "name_km")
            ),
        )
    )


def agencies_actor_can_register_for(*, actor: Any) -> QuerySet[Agency]:
    """Agencies in whose name the actor may register a case."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return agency_list()
    return agency_list().filter(pk__in=scope.agencies_with(ROLES_FOR_ACTION["create"]))


def can_register_somewhere(*, actor: Any) -> bool:
    """Whether the actor may register a case for any agency (read from the loaded scope)."""
    scope = actor_scope(actor)
    return scope.is_superuser or bool(scope.agencies_with(ROLES_FOR_ACTION["create"]))


def membership_list(*, actor: Any) -> QuerySet[Membership]:
    """The actor's own active memberships."""
    return Membership.objects.filter(user=actor, is_active=True).select_related("agency")


def actor_roles(*, actor: Any) -> set[str]:
    """The role codes the actor holds anywhere."""
    scope = actor_scope(actor)
    roles = {role for role, agencies in scope.roles.items() if agencies}
    if scope.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def reveal_sensitivities(*, actor: Any, obj: Model) -> frozenset[str]:
    """The sensitivities of the record's masked fields that the actor's roles may reveal;
    empty when they may reveal none of them."""
    held = frozenset(SENSITIVE_FIELDS.get(obj._meta.label_lower, {}).values())
    return held & revealable(actor)


def reveal_permission_check(*, actor: Any, obj: Model) -> frozenset[str]:
    """What the actor may reveal of the record; a refusal is audited and raised, so that the
    reveal page and the reveal service refuse alike."""
    wanted = reveal_sensitivities(actor=actor, obj=obj)
    if not wanted:
        audit_record(actor=actor, action=AuditAction.DENIED, obj=obj, detail={"wanted": "reveal"})
        raise PermissionDenied(_("You may not reveal these details."))
    return wanted


def device_token_list(*, actor: Any) -> QuerySet[DeviceToken]:
    """Device tokens, for administrators only (a refusal is audited and raised)."""
    scope = actor_scope(actor)
    if not (scope.is_superuser or scope.has_role(Role.ADMINISTRATOR)):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="access.devicetoken",
            detail={"wanted": "device_tokens"},
        )
        raise PermissionDenied(_("Only an administrator may manage device tokens."))
    return DeviceToken.objects.select_related("user", "created_by")


def device_token_get(*, actor: Any, pk: int) -> DeviceToken:
    """One device token, for administrators; a missing one is a 404."""
    token = device_token_list(actor=actor).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def agency_staff(*, agency_ids: Any, roles: Any = RECORD_ROLES) -> list[User]:
    """Active users holding one of these roles in these agencies (whom to notify)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__agency_id__in=list(agency_ids),
            memberships__role__in=list(roles),
        )
        .distinct()
        .order_by("pk")
    )


def notification_list(*, actor: Any, limit: int = 100) -> list[Notification]:
    """The actor's own notifications, newest first."""
    return list(Notification.objects.filter(recipient_id=actor.pk)[:limit])


def notification_unread_count(*, actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False) or actor.pk is None:
        return 0
    return Notification.objects.filter(recipient_id=actor.pk, read_at=None).count()
