"""Template filters of the referral pages."""

from typing import Any

from django import template

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
