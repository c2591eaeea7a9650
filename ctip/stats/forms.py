"""Forms of the statistics pages: the dashboard's filters and the dark-figure estimate."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import DIMENSION_LABELS
from .indicators import CATALOGUE
from .mse import read_capture_csv
from .periods import parse_period
from .selectors import PAGE_BOOTSTRAP_MAX
from .wording import indicator_name

# A capture table has at most 2^10 - 1 rows of a few characters; anything much bigger is not one.
MAX_CAPTURE_FILE_BYTES = 256 * 1024


def _clean_period(value: str) -> str:
    try:
        return parse_period(value).label
    except ValidationError as error:
        raise ValidationError(error.message_dict["period"]) from error


class DashboardFilterForm(forms.Form):
    """Which indicator, period and breakdown the dashboard shows."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    period = forms.CharField(label=_("Period"), max_length=6, help_text=_("2024H1, 2024H2 or 2024"))
    breakdown = forms.ChoiceField(label=_("Breakdown"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names in the reader's language, chosen when the form is built (not at import).
        indicator, breakdown = self.fields["indicator"], self.fields["breakdown"]
        assert isinstance(indicator, forms.ChoiceField)
        assert isinstance(breakdown, forms.ChoiceField)
        indicator.choices = [(i.id, indicator_name(i)) for i in CATALOGUE.values()]
        breakdown.choices = [("", _("The first one")), *DIMENSION_LABELS.items()]

    def clean_period(self) -> str:
        return _clean_period(self.cleaned_data["period"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = CATALOGUE.get(data.get("indicator", ""))
        breakdown = data.get("breakdown")
        if indicator and breakdown and breakdown not in indicator.disaggregations:
            self.add_error("breakdown", _("This indicator has no such breakdown."))
        return data


METHOD_CHOICES = [
    ("stepwise", _("Stepwise (SparseMSE, reference)")),
    ("bic", _("Lowest BIC over every model")),
    ("bic-average", _("BIC-weighted average over every model (up to five lists)")),
]
INTERVAL_CHOICES = [
    ("bca", _("BCa (reference)")),
    ("parametric-percentile", _("Parametric percentile")),
]
# What the estimator says it did, for the page: the methods above and one it may fall back to.
SELECTION_LABELS = {
    **dict(METHOD_CHOICES),
    "bic-forward": _("Lowest BIC by greedy forward search (more than five lists)"),
}


class DarkFigureForm(forms.Form):
    """What to estimate from: a period of the registry or an uploaded capture-history table."""

    period = forms.CharField(
        label=_("Period"),
        max_length=6,
        required=False,
        help_text=_("Estimate from the registry: 2024H1, 2024H2 or 2024."),
    )
    file = forms.FileField(
        label=_("Capture-history file (CSV)"),
        required=False,
        help_text=_(
            "Or estimate from a table: one 0/1 column per list, then a 'count' column; "
            "one row per capture pattern."
        ),
    )
    method = forms.ChoiceField(
        label=_("Model selection"), choices=METHOD_CHOICES, initial="stepwise"
    )
    interval = forms.ChoiceField(
        label=_("Interval"), choices=INTERVAL_CHOICES, initial="bca", required=False
    )
    bootstrap = forms.IntegerField(
        label=_("Bootstrap replicates"),
        min_value=0,
        max_value=PAGE_BOOTSTRAP_MAX,
        initial=PAGE_BOOTSTRAP_MAX,
        help_text=_("Replicates for the 95 percent interval; 0 gives the estimate alone."),
    )

    def clean_interval(self) -> str:
        return self.cleaned_data.get("interval") or "bca"

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        return _clean_period(value) if value else ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if (upload.size or 0) > MAX_CAPTURE_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(kb)d KB; a capture table is far smaller.")
                % {"kb": MAX_CAPTURE_FILE_BYTES // 1024}
            )
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            return read_capture_csv(text)
        except ValidationError as error:
            # The reader names the column at fault; the page shows it under the file field.
            raise ValidationError(
                [
                    f"{column}: {message}"
                    for column, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from error

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_period, has_file = bool(data.get("period")), bool(data.get("file"))
        if "period" in self.errors or "file" in self.errors:
            return data
        if has_period and has_file:
            self.add_error("file", _("Give a period or a file, not both."))
        elif not has_period and not has_file:
            self.add_error("period", _("Give a period, or upload a capture-history file."))
        return data
