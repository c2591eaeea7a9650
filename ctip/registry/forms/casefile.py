"""Forms of the case file: victim profile, event, arrest, proceeding."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import AgencyKind
from ctip.access.models import Agency
from ctip.reference.models import Country, Province

from ..choices import (
    ARRESTING_AGENCY_KINDS,
    EventKind,
    ProceedingStage,
    Verdict,
)
from ..models import Participant, Person
from ..validation import MAX_AGE
from .fields import (
    BLANK,
    CodeListField,
    DateInput,
    LabelledModelChoiceField,
    LabelledModelMultipleChoiceField,
    agency_choices,
    past_date,
    person_label,
    vocabulary_field,
)

# --- the case file -------------------------------------------------------------------------


class VictimProfileForm(forms.Form):
    """What the case file records about a victim; pick-lists come from HTCDS vocabularies."""

    trafficking_status = forms.ChoiceField(label=_("Trafficking status"))
    status_decided_by = forms.ChoiceField(label=_("Status decided by"), required=False)
    status_decided_on = forms.DateField(
        label=_("Status decided on"), required=False, widget=DateInput(), validators=[past_date]
    )
    identified_on = forms.DateField(
        label=_("Identified on"), required=False, widget=DateInput(), validators=[past_date]
    )
    age_when_trafficked = forms.IntegerField(
        label=_("Age when trafficked"), required=False, min_value=0, max_value=MAX_AGE
    )
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to trafficker"), required=False
    )
    recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment"), required=False, widget=forms.CheckboxSelectMultiple
    )
    recruitment_platforms = CodeListField(
        label=_("Recruitment websites and apps"),
        help_text=_("Separate several with commas, e.g. Facebook, Telegram."),
    )
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"), required=False, widget=forms.CheckboxSelectMultiple
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Types of exploitation"), required=False, widget=forms.CheckboxSelectMultiple
    )
    labour_industries = forms.MultipleChoiceField(
        label=_("Forced-labour industries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sex_exploitation_types = forms.MultipleChoiceField(
        label=_("Types of sexual exploitation"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_to_share = forms.BooleanField(label=_("Consents to sharing identity"), required=False)
    consent_recorded_on = forms.DateField(
        label=_("Consent recorded on"), required=False, widget=DateInput(), validators=[past_date]
    )
    testimony = forms.CharField(
        label=_("Testimony"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )

    VOCABULARIES = {
        "trafficking_status": ("trafficking_status", False),
        "status_decided_by": ("status_decided_by", False),
        "relationship_to_trafficker": ("relationship", False),
        "recruitment_methods": ("recruitment_method", True),
        "means_of_control": ("means_of_control", True),
        "exploitation_types": ("exploitation_type", True),
        "labour_industries": ("labour_industry", True),
        "sex_exploitation_types": ("sex_exploitation_type", True),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (vocabulary, multiple) in self.VOCABULARIES.items():
            vocabulary_field(self, name, vocabulary, multiple=multiple)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Consent is a fact with a date: who may be told depends on when it was given.
        if data.get("consent_to_share") and not data.get("consent_recorded_on"):
            self.add_error("consent_recorded_on", _("Give the date the consent was recorded."))
        return data


class EventForm(forms.Form):
    """A dated step of the story."""

    kind = forms.ChoiceField(label=_("What happened"), choices=BLANK + EventKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[past_date])
    country = LabelledModelChoiceField(
        label=_("Country"), required=False, queryset=Country.objects.all(), empty_label="—"
    )
    province = LabelledModelChoiceField(
        label=_("Province"), required=False, queryset=Province.objects.all(), empty_label="—"
    )
    district = forms.CharField(label=_("District"), required=False, max_length=80)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=5
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=5
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    persons = LabelledModelMultipleChoiceField(
        label=_("Persons involved"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = case_persons(case)  # type: ignore[attr-defined]
        self.fields["country"].initial = Country.objects.filter(alpha3="KHM").first()
        self.fields["province"].initial = case.province_id


class PersonChoiceField(forms.ModelChoiceField):
    """A pick-list of persons, shown by name as the actor may see it (see show_names_to)."""

    actor: Any = None

    def label_from_instance(self, obj: Any) -> str:
        return person_label(self.actor, obj)


def show_names_to(form: forms.Form, actor: Any) -> None:
    """Let the form's person pick-lists show names as this actor may read them."""
    for field in form.fields.values():
        if isinstance(field, PersonChoiceField | LabelledModelMultipleChoiceField):
            field.actor = actor


def case_persons(case: Any) -> Any:
    """The persons taking part in a case, for pick-lists on its forms."""
    return Person.objects.filter(
        pk__in=Participant.objects.filter(case=case).values("person_id")
    ).order_by("id")


class ArrestForm(forms.Form):
    """An arrest of a person in the case; the person becomes a suspect."""

    person = PersonChoiceField(
        label=_("Person arrested"),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    arrested_on = forms.DateField(
        label=_("Arrested on"), widget=DateInput(), validators=[past_date]
    )
    agency = LabelledModelChoiceField(
        label=_("Arresting agency"), queryset=Agency.objects.none(), empty_label="—"
    )
    province = LabelledModelChoiceField(
        label=_("Province"), required=False, queryset=Province.objects.all(), empty_label="—"
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    charges = forms.MultipleChoiceField(
        label=_("Charges"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = case_persons(case)  # type: ignore[attr-defined]
        self.fields["agency"].queryset = agency_choices().filter(  # type: ignore[attr-defined]
            kind__in=sorted(ARRESTING_AGENCY_KINDS)
        )
        self.fields["agency"].initial = case.owning_agency_id
        self.fields["province"].initial = case.province_id
        vocabulary_field(self, "charges", "charge", multiple=True)


class ProceedingForm(forms.Form):
    """A court proceeding against a defendant."""

    defendant = PersonChoiceField(
        label=_("Defendant"), required=False, queryset=Person.objects.none(), empty_label="—"
    )
    court = LabelledModelChoiceField(
        label=_("Court"), required=False, queryset=Agency.objects.none(), empty_label="—"
    )
    charges = forms.MultipleChoiceField(
        label=_("Charges"), required=False, widget=forms.CheckboxSelectMultiple
    )
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput(), validators=[past_date])
    stage = forms.ChoiceField(label=_("Stage"), choices=ProceedingStage.choices)
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    verdict_on = forms.DateField(
        label=_("Verdict on"), required=False, widget=DateInput(), validators=[past_date]
    )
    sentence_months = forms.IntegerField(
        label=_("Prison sentence (months)"), required=False, min_value=0, max_value=1200
    )
    fine_riel = forms.IntegerField(label=_("Fine (riel)"), required=False, min_value=0)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["defendant"].queryset = case_persons(case)  # type: ignore[attr-defined]
        courts = agency_choices().filter(kind=AgencyKind.COURT)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]
        vocabulary_field(self, "charges", "charge", multiple=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filed, verdict_on = data.get("filed_on"), data.get("verdict_on")
        if filed and verdict_on and verdict_on < filed:
            self.add_error("verdict_on", _("The verdict cannot come before the filing."))
        return data
