"""A service's refusal shown on a page's form: one helper for every app's views."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from ctip.web.refusals import refusal_text, show_refusal


class NameForm(forms.Form):
    name = forms.CharField(required=False)


class RoleForm(forms.Form):
    role = forms.CharField(required=False)


def bound(form_class: type[forms.Form]) -> forms.Form:
    form = form_class(data={})
    assert form.is_valid()
    return form


def test_field_messages_land_on_the_field_that_names_them() -> None:
    form, roles = bound(NameForm), bound(RoleForm)
    show_refusal(
        form,
        ValidationError(
            {
                "name": ["Give a name.", "Too long."],
                "role": "Not a role.",
                NON_FIELD_ERRORS: "Closed case.",
                "person": "Unknown person.",
            }
        ),
        also=roles,
    )
    assert form.errors["name"] == ["Give a name.", "Too long."]
    assert roles.errors["role"] == ["Not a role."]
    assert form.non_field_errors() == ["Closed case.", "person: Unknown person."]


def test_a_refusal_without_fields_is_an_error_of_the_whole_form() -> None:
    form = bound(NameForm)
    # Three of the copies this helper replaced read error.message_dict, which a plain
    # ValidationError does not have: the page failed with an AttributeError.
    show_refusal(form, ValidationError(["First.", "Second."]))
    assert form.non_field_errors() == ["First.", "Second."]
    denied = bound(NameForm)
    show_refusal(denied, PermissionDenied("You may not change this case."))
    assert denied.non_field_errors() == ["You may not change this case."]
    assert refusal_text(ValidationError(["First.", "Second."])) == "First. Second."
