"""Forms of the referral pages: they parse input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.reference.models import Province

from .choices import ExchangeStatus, Service


class AgencySelect(forms.Select):
    """A select of agencies whose options say which services each offers (data-services), so
    that the page's script can list only those offering the chosen service."""

    def __init__(self, *args: Any, offers: dict[int, list[str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.offers = offers or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        key = getattr(value, "value", value)
        if key not in ("", None):
            option["attrs"]["data-services"] = " ".join(self.offers.get(int(key), []))
        return option


class AgencyChoiceField(forms.ModelChoiceField):
    """Agencies by name in the reader's language, with their code."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.label} ({obj.code})"


class ReferralSendForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *Service.choices])
    to_agency = AgencyChoiceField(
        label=_("Refer to"),
        queryset=Agency.objects.filter(is_active=True).order_by("name_en"),
        widget=AgencySelect,
        help_text=_("Only agencies that offer the chosen service are listed."),
    )
    from_agency = AgencyChoiceField(
        label=_("Referring agency"), queryset=Agency.objects.none(), required=False
    )
    shares_identity = forms.BooleanField(
        label=_("Share the person's identity (needs recorded consent or override)"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note to the receiving agency"), widget=forms.Textarea, required=False
    )
    deadline_stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        sender_agencies: Any = None,
        offers: dict[int, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if sender_agencies is not None:
            self.fields["from_agency"].queryset = sender_agencies  # type: ignore[attr-defined]
            # One agency: it is the referring one, chosen already.
            only = list(sender_agencies[:2])
            if len(only) == 1 and not self.is_bound:
                self.fields["from_agency"].initial = only[0].pk
        self.fields["to_agency"].widget.offers = offers or {}  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)


class ReferralNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner_agency = forms.ModelChoiceField(label=_("Owner agency"), queryset=Agency.objects.none())
    service = forms.ChoiceField(
        label=_("Service (sets the default due date)"),
        choices=[("", "—"), *Service.choices],
        required=False,
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, owner_agencies: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if owner_agencies is not None:
            self.fields["owner_agency"].queryset = owner_agencies  # type: ignore[attr-defined]


class CarePlanItemForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *Service.choices])
    goal = forms.CharField(
        label=_("Goal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the service should achieve for the person."),
    )
    due_on = forms.DateField(
        label=_("Wanted by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ExchangeUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ExchangeStatus.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class CoordinationFilterForm(forms.Form):
    sent_from = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_to = forms.DateField(
        label=_("Sent to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    service = forms.ChoiceField(
        label=_("Service"), choices=[("", "—"), *Service.choices], required=False
    )
