"""Forms of the case pages: the case list's filters, a case, closing a case."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.access.selectors import agencies_actor_can_register_for, agency_pick_list
from ctip.reference.models import Province
from ctip.reference.selectors import province_list

from ..choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
)
from ..selectors import CaseFilters, case_period_error
from .fields import (
    BLANK,
    DateInput,
    FastSelect,
    LabelledModelChoiceField,
    ReferenceChoiceField,
    agency_label,
    past_date,
    province_label,
)

# --- the case list -------------------------------------------------------------------------

SORT_CHOICES = [
    ("-opened", _("Newest first")),
    ("opened", _("Oldest first")),
    ("reference", _("Reference")),
    ("-reference", _("Reference, descending")),
    ("status", _("Status")),
    # The column headings' second click sorts these the other way round.
    ("-status", _("Status, descending")),
    ("kind", _("Kind")),
    ("-kind", _("Kind, descending")),
]


class CaseFilterForm(forms.Form):
    """The case list's filters; they travel in the query string so a view can be bookmarked."""

    reference = forms.CharField(label=_("Reference"), required=False, max_length=32)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=BLANK + CaseKind.choices, widget=FastSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + CaseStatus.choices, widget=FastSelect
    )
    province = ReferenceChoiceField(
        label=_("Province"),
        required=False,
        rows=province_list,
        row_label=province_label,
        cache_key="provinces",
    )
    agency = ReferenceChoiceField(
        label=_("Owning agency"),
        required=False,
        rows=agency_pick_list,
        row_label=agency_label,
        cache_key="agencies",
    )
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput())
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=FastSelect
    )
    mine = forms.BooleanField(label=_("Only my cases (assigned to me)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        error = case_period_error(data.get("opened_from"), data.get("opened_to"))
        if error:
            self.add_error("opened_to", error)
        return data

    def filters(self) -> CaseFilters:
        """The valid filters; an invalid one is left out (and shown as an error)."""
        data = self.cleaned_data if self.is_bound else {}
        errors = self.errors if self.is_bound else {}
        return CaseFilters.from_values({k: v for k, v in data.items() if k not in errors})


# --- cases ---------------------------------------------------------------------------------

OPEN_STATUS_CHOICES = [
    (value, label) for value, label in CaseStatus.choices if value not in CLOSED_STATUSES
]


class CaseForm(forms.Form):
    """Register a case, or edit one (the owning agency is fixed once registered)."""

    kind = forms.ChoiceField(label=_("Kind of case"), choices=BLANK + CaseKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=BLANK + CaseSource.choices)
    owning_agency = LabelledModelChoiceField(
        label=_("Owning agency"), queryset=Agency.objects.none(), empty_label="—"
    )
    province = LabelledModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), empty_label="—"
    )
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput(), validators=[past_date])
    status = forms.ChoiceField(label=_("Status"), choices=OPEN_STATUS_CHOICES)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, in a few sentences. Stored encrypted."),
    )

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owning_agency"]
        else:
            agencies = agencies_actor_can_register_for(actor=actor)
            self.fields["owning_agency"].queryset = agencies  # type: ignore[attr-defined]
            if len(agencies) == 1:
                self.fields["owning_agency"].initial = agencies[0]
            self.fields["opened_on"].initial = timezone.localdate()


class CaseCloseForm(forms.Form):
    """Close a case: HTCDS status closed or closed-referred, a date and a reason."""

    status = forms.ChoiceField(
        label=_("Closing status"),
        choices=[(s.value, s.label) for s in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)],
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput(), validators=[past_date])
    reason = forms.CharField(label=_("Reason for closure"), max_length=300)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["closed_on"].initial = timezone.localdate()

    def clean_closed_on(self) -> datetime.date:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on < self.case.opened_on:
            raise ValidationError(
                _("A case cannot close before it opened (%(opened)s).")
                % {"opened": self.case.opened_on.isoformat()}
            )
        return closed_on
