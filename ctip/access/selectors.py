"""Reads of the access app: agencies a user may pick, a user's memberships."""

from typing import Any

from django.db.models import QuerySet

from .choices import Role
from .models import Agency, Membership
from .policies import ROLES_FOR_ACTION, actor_scope


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
