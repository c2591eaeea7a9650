"""Template context for the layout: the main menu, which the actor's roles decide."""

from typing import Any

from django.http import HttpRequest

from .selectors import current_entry, menu_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_current": None}
    entries = menu_entries(actor=user)
    return {"menu": entries, "menu_current": current_entry(entries, request.path)}
