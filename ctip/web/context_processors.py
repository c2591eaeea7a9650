"""Template context for the layout: the actor's roles decide which menu entries show."""

from typing import Any

from django.http import HttpRequest

from ctip.access.selectors import actor_roles
from ctip.audit.selectors import can_read_trail


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actor_roles": set(), "may_read_trail": False}
    # The audit app's own rule, so that the menu and the page cannot disagree.
    return {"actor_roles": actor_roles(actor=user), "may_read_trail": can_read_trail(user)}
