"""The text a page shows for a service's refusal (a ValidationError or PermissionDenied)."""

from django.core.exceptions import ValidationError


def refusal_text(refusal: Exception) -> str:
    """Every message of a ValidationError in one line; the message of any other refusal."""
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal)
