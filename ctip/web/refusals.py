"""How a page shows a service's refusal (ValidationError, PermissionDenied): text or form errors."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm


def refusal_text(refusal: Exception) -> str:
    """Every message of a ValidationError in one line; the message of any other refusal."""
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal)


def show_refusal(form: BaseForm, refusal: Exception, also: BaseForm | None = None) -> None:
    """Put a service's refusal on the form: each field-keyed message on the field it names
    (on `also`, a second form of the same page, when that one has the field), the rest as
    errors of the whole form, named by their field when the form has no such field."""
    if not isinstance(refusal, ValidationError):
        form.add_error(None, refusal_text(refusal))
        return
    if not hasattr(refusal, "error_dict"):
        for message in refusal.messages:
            form.add_error(None, message)
        return
    for field, errors in refusal.error_dict.items():
        for message in (m for e in errors for m in e.messages):
            if field in form.fields:
                form.add_error(field, message)
            elif also is not None and field in also.fields:
                also.add_error(field, message)
            elif field == NON_FIELD_ERRORS:
                form.add_error(None, message)
            else:
                form.add_error(None, f"{field}: {message}")
