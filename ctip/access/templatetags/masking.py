"""Template tag printing a field as the signed-in user may see it: `{% masked person "phone" %}`."""

from typing import Any

from django import template

from ctip.access.masking import mask_value

register = template.Library()


@register.simple_tag(takes_context=True)
def masked(context: template.Context, instance: Any, field: str) -> Any:
    """The field's value, or ••• when the user lacks clearance and has not revealed it."""
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user")
    return mask_value(actor, instance, field)
