"""Template filters and tags of the referral pages and of the main menu's Referrals entry."""

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """A dictionary value by a key held in a variable."""
    return mapping.get(key)


@register.filter
def may_coordinate(user: Any) -> bool:
    """Whether the user may open the coordination dashboard (the menu hides it otherwise)."""
    from ..selectors import may_see_coordination

    return bool(user.is_authenticated) and may_see_coordination(user)


@register.simple_tag(takes_context=True)
def referrals_menu_url(context: Any) -> str:
    """Where the main menu's Referrals entry leads: the received referrals for case-work staff,
    the coordination dashboard for those who only see aggregates, nowhere for anyone else."""
    from ..services import staff_agencies

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    if staff_agencies(user):
        return reverse("referrals:list") + "?box=inbox"
    if may_coordinate(user):
        return reverse("referrals:coordination")
    return ""
