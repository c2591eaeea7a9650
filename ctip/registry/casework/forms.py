"""Forms of case management (the services check again; these parse and offer choices)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.models import User

from ..choices import (
    FollowUpKind,
    FollowUpStatus,
    GuardianRelationship,
    NeedArea,
    NeedLevel,
    NoteSensitivity,
    RiskLevel,
)
from ..files.forms import ParticipantChoiceField
from ..forms.fields import DateInput, LabelledModelChoiceField, agency_choices, past_date
from ..models import Participant


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def _people(form: forms.Form, participants: list[Participant], actor: Any) -> None:
    field = form.fields["participant"]
    assert isinstance(field, ParticipantChoiceField)
    field.queryset = Participant.objects.filter(pk__in=[p.pk for p in participants])
    field.actor = actor


def _staff(form: forms.Form, staff: list[User]) -> None:
    field = form.fields["caseworker"]
    assert isinstance(field, StaffChoiceField)
    field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by("username")


class AssignForm(forms.Form):
    caseworker = StaffChoiceField(
        label=_("Caseworker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _staff(self, staff)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    sensitivity = forms.ChoiceField(
        label=_("Who may read it"),
        choices=NoteSensitivity.choices,
        required=False,
        help_text=_("A sensitive note is hidden from roles not cleared for it."),
    )
    participant = ParticipantChoiceField(
        label=_("About"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("The whole case"),
    )

    def __init__(self, *args: Any, participants: list[Participant], actor: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _people(self, participants, actor)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    participant = ParticipantChoiceField(
        label=_("Who"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("The whole case"),
    )
    caseworker = StaffChoiceField(
        label=_("Caseworker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The case's caseworker"),
    )

    def __init__(
        self,
        *args: Any,
        participants: list[Participant],
        actor: Any,
        staff: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _people(self, participants, actor)
        _staff(self, staff)


class FollowUpRecordForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How it went"),
        choices=[
            (FollowUpStatus.DONE, FollowUpStatus.DONE.label),
            (FollowUpStatus.MISSED, FollowUpStatus.MISSED.label),
        ],
    )
    done_on = forms.DateField(
        label=_("Done on"), widget=DateInput(), required=False, validators=[past_date]
    )
    outcome = forms.CharField(
        label=_("What was found"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class TransferForm(forms.Form):
    to_agency = LabelledModelChoiceField(label=_("To agency"), queryset=agency_choices())
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    override_reason = forms.CharField(
        label=_("Reason to transfer without every victim's consent (supervisors)"),
        max_length=500,
        required=False,
    )


class AssessmentForm(forms.Form):
    """A level and a note per area (fields `<area>_level`, `<area>_note`), then the risk."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in NeedArea.choices:
            self.fields[f"{area}_level"] = forms.ChoiceField(
                label=label, choices=NeedLevel.choices, initial=NeedLevel.UNKNOWN
            )
            self.fields[f"{area}_note"] = forms.CharField(
                label=_("%(area)s: what was found") % {"area": label},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["risk_level"] = forms.ChoiceField(
            label=_("Risk level"), choices=RiskLevel.choices
        )
        self.fields["risk_reasons"] = forms.CharField(
            label=_("Why this risk level"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["sensitivity"] = forms.ChoiceField(
            label=_("Who may read it"),
            choices=NoteSensitivity.choices,
            initial=NoteSensitivity.HEALTH,
            required=False,
            help_text=_("A sensitive assessment is hidden from roles not cleared for it."),
        )

    @staticmethod
    def needs_of(data: dict[str, Any]) -> dict[str, dict[str, str]]:
        """The service's `needs` from the cleaned data."""
        return {
            area: {"level": data[f"{area}_level"], "note": data[f"{area}_note"]}
            for area in NeedArea.values
        }


class ChildStepsForm(forms.Form):
    assessed_on = forms.DateField(
        label=_("Best-interest assessment done on"),
        widget=DateInput(),
        required=False,
        validators=[past_date],
    )
    assessment = forms.CharField(
        label=_("Best-interest assessment"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    determined_on = forms.DateField(
        label=_("Best-interest determination made on"),
        widget=DateInput(),
        required=False,
        validators=[past_date],
    )
    determination = forms.CharField(
        label=_("Best-interest determination"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The decision taken in the child's best interests, and by whom."),
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=200, required=False)
    guardian_relationship = forms.ChoiceField(
        label=_("Guardian's relationship to the child"),
        choices=[("", "—"), *GuardianRelationship.choices],
        required=False,
    )
    guardian_agency = LabelledModelChoiceField(
        label=_("Guardian's agency"), queryset=agency_choices(), required=False
    )
    guardian_appointed_on = forms.DateField(
        label=_("Guardian appointed on"), widget=DateInput(), required=False, validators=[past_date]
    )
