"""Template context for the layout: the actor's roles decide which menu entries show."""

from typing import Any

from django.http import HttpRequest

from ctip.access.selectors import actor_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actor_roles": set()}
    return {"actor_roles": actor_roles(actor=user)}
