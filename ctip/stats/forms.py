"""Forms of the statistics pages: the dashboard's filters."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .indicators import CATALOGUE
from .periods import parse_period


class DashboardFilterForm(forms.Form):
    """Which indicator, period and breakdown the dashboard shows."""

    indicator = forms.ChoiceField(
        label=_("Indicator"), choices=[(i.id, i.name_en) for i in CATALOGUE.values()]
    )
    period = forms.CharField(label=_("Period"), max_length=6, help_text=_("2024H1, 2024H2 or 2024"))
    breakdown = forms.CharField(label=_("Breakdown"), max_length=30, required=False)

    def clean_period(self) -> str:
        value = self.cleaned_data["period"]
        try:
            return parse_period(value).label
        except ValidationError as error:
            raise ValidationError(error.message_dict["period"]) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = CATALOGUE.get(data.get("indicator", ""))
        breakdown = data.get("breakdown")
        if indicator and breakdown and breakdown not in indicator.disaggregations:
            self.add_error("breakdown", _("This indicator has no such breakdown."))
        return data
