"""The filter form of the auditors' trail page."""

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=32)
    occurred_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Kinds of record by name ("person", "case"), not by their storage label.
        kinds = sorted(
            (model._meta.label_lower, str(model._meta.verbose_name))
            for model in apps.get_models()
            if model.__module__.startswith("ctip.")
        )
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("any")), *sorted(kinds, key=lambda k: k[1])]
