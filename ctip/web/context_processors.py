"""Template context for the layout: the main menu, which the actor's roles decide, and the
number of unread notifications beside it."""

from typing import Any

from django.http import HttpRequest

from ctip.access.selectors import notification_unread_count

from .selectors import current_entry, menu_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_current": None}
    entries = menu_entries(actor=user)
    return {
        "menu": entries,
        "menu_current": current_entry(entries, request.path),
        "notifications_unread": notification_unread_count(actor=user),
    }
