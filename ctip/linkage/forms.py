"""Forms of the linkage app: a reviewer's decision on a pair, and an unmerge with its reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.SAME, _("Same person")),
            (Decision.DIFFERENT, _("Different persons")),
            (Decision.UNSURE, _("Not sure")),
        ],
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this record not the same person?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
