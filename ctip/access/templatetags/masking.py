"""Template tags for masked fields: `{% masked person "phone" %}` and `{% reveal_link person %}`."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ctip.access.masking import MASK, hidden_sensitivities, mask_value

register = template.Library()

# Objects the reveal page knows how to fetch (see views.REVEAL_SELECTORS).
REVEALABLE_TYPES = frozenset({"registry.person", "registry.victimprofile", "registry.case"})


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def masked(context: template.Context, instance: Any, field: str) -> Any:
    """The field's value, or ••• when the user lacks clearance and has not revealed it."""
    return mask_value(_actor(context), instance, field)


@register.filter
def is_masked(value: Any) -> bool:
    """Whether a value from `masked` is the mask (so that dates and lists are not formatted)."""
    return isinstance(value, str) and value == MASK


@register.simple_tag(takes_context=True)
def reveal_link(context: template.Context, instance: Any) -> SafeString | str:
    """A link to reveal the record's hidden details, where the user's role may reveal them."""
    if instance is None or instance._meta.label_lower not in REVEALABLE_TYPES:
        return ""
    actor = _actor(context)
    if not hidden_sensitivities(actor, instance, revealable_only=True):
        return ""
    url = reverse("access:reveal", args=[instance._meta.label_lower, instance.pk])
    request = context.get("request")
    if request is not None:
        url += "?" + urlencode({"next": request.get_full_path()})
    return format_html('<a class="reveal" href="{}">{}</a>', url, _("Reveal hidden details"))
