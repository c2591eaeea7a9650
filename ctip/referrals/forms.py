"""Forms of the referral pages: they parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.reference.models import Province

from .choices import ExchangeStatus, Service


class ReferralSendForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=Service.choices)
    to_agency = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Agency.objects.filter(is_active=True).order_by("code")
    )
    from_agency = forms.ModelChoiceField(
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

    def __init__(self, *args: object, sender_agencies: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if sender_agencies is not None:
            self.fields["from_agency"].queryset = sender_agencies  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea, required=False)


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
