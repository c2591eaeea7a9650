"""Template filters of the referral pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    """A dictionary value by a key held in a variable."""
    return mapping.get(key)
