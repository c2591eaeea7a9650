"""Forms of the verification pages: they parse input; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.masking import mask_value
from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.reference.selectors import country_list
from ctip.registry.choices import CaseKind, Sex

from .choices import FindingKind, FoundRole, NotSubstantiatedReason, Outcome, TeamRole
from .selectors import district_choices

DATE = {"type": "date"}


class PlanForm(forms.Form):
    """Order a verification (the lead agency) or change its plan."""

    lead_agency = forms.ModelChoiceField(
        label=_("Verifying agency"), queryset=Agency.objects.none()
    )
    allegation = forms.CharField(
        label=_("Allegation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is alleged, in a few sentences."),
    )
    plan = forms.CharField(
        label=_("Plan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who goes where, when, and how the team will check."),
    )
    planned_for = forms.DateField(
        label=_("Planned for"), required=False, widget=forms.DateInput(DATE)
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    place_code = forms.ChoiceField(
        label=_("District"),
        required=False,
        help_text=_("From the official gazetteer; the public summary names no smaller place."),
    )
    place_detail = forms.CharField(
        label=_("Address or description of the place"), required=False, max_length=600
    )
    concerns_officials = forms.BooleanField(
        label=_("The allegation concerns officials"), required=False
    )
    unit_concerned = forms.ModelChoiceField(
        label=_("Unit concerned"),
        queryset=Agency.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=_(
            "When officials are concerned: one officer on the team must come from another unit."
        ),
    )

    def __init__(
        self,
        *args: Any,
        agencies: Any = None,
        editing: bool = False,
        matter: Any = None,
        current_place: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["lead_agency"]
        else:
            self.fields["lead_agency"].queryset = agencies  # type: ignore[attr-defined]
        if matter is not None:
            # The place is the matter's, as triage recorded it.
            del self.fields["province"], self.fields["place_code"]
            return
        keep = [(current_place.code, current_place.full_label)] if current_place else []
        self.fields["place_code"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *keep,
            *district_choices(),
        ]


class TeamMemberForm(forms.Form):
    member = forms.ChoiceField(label=_("Officer"))
    role = forms.ChoiceField(label=_("Role on the team"), choices=TeamRole.choices)

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.candidates = {str(m.pk): m for m in candidates}
        self.fields["member"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (key, f"{m.user.get_full_name() or m.user.username} — {m.agency.code}")
            for key, m in self.candidates.items()
        ]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date checked"), widget=forms.DateInput(DATE))
    notes = forms.CharField(
        label=_("What the team did on site"), widget=forms.Textarea(attrs={"rows": 4})
    )


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    taken_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(DATE))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Required for a photo, document or statement: JPEG, PNG, WebP, PDF or "
            "text. Location and author details are removed before it is stored."
        ),
    )


class FoundPersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=FoundRole.choices)
    family_name_latin = forms.CharField(
        label=_("Family name (Latin letters)"), required=False, max_length=100
    )
    given_name_latin = forms.CharField(
        label=_("Given name (Latin letters)"), required=False, max_length=100
    )
    family_name_km = forms.CharField(
        label=_("Family name (Khmer script)"), required=False, max_length=100
    )
    given_name_km = forms.CharField(
        label=_("Given name (Khmer script)"), required=False, max_length=100
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    estimated_age = forms.IntegerField(label=_("Estimated age"), required=False, min_value=0)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["citizenship"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (c.alpha3, str(c)) for c in country_list()
        ]


class SubmitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Reason (when not substantiated)"),
        required=False,
        choices=[("", "—"), *NotSubstantiatedReason.choices],
    )
    note = forms.CharField(
        label=_("Grounds for the outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sign_off_agency = forms.ModelChoiceField(
        label=_("Agency whose supervisor signs off"), queryset=Agency.objects.none()
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["sign_off_agency"].queryset = agencies  # type: ignore[attr-defined]


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when sending it back: say what is missing."),
    )


class OpenCaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of case"), choices=CaseKind.choices)
    province = forms.ModelChoiceField(
        label=_("Province of the case"), queryset=Province.objects.all(), required=False
    )
    persons = forms.MultipleChoiceField(
        label=_("Persons carried over"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Any = None, pending: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pending = {str(p.pk): p for p in pending}
        self.fields["persons"].choices = [  # type: ignore[attr-defined]
            (key, f"{p.get_role_display()} · {mask_value(actor, p, 'display_name')}")
            for key, p in self.pending.items()
        ]
        self.fields["persons"].initial = list(self.pending)


class PublishForm(forms.Form):
    text = forms.CharField(
        label=_("Public summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the public will read next to the district, the date checked and "
            "the outcome. No names, no addresses."
        ),
    )
