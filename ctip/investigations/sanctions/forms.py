"""Forms of the sanctions pages: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import HitStatus


class HitDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (HitStatus.CONFIRMED, HitStatus.CONFIRMED.label),
            (HitStatus.DISMISSED, HitStatus.DISMISSED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the evidence shows: a date of birth, a document, a photograph."),
    )


class HitFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("All")), *HitStatus.choices],
    )
