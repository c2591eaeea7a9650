"""Forms of the case registry pages: they parse and check shapes; the services decide the rest."""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import AgencyKind
from ctip.access.masking import MASK, mask_value
from ctip.access.models import Agency
from ctip.access.selectors import agencies_actor_can_register_for, agency_list, agency_pick_list
from ctip.reference.models import Country, Province
from ctip.reference.selectors import cached_reference, province_list, vocabulary_choices

from .choices import (
    ARRESTING_AGENCY_KINDS,
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Sex,
    Verdict,
)
from .models import Participant, Person
from .selectors import CASE_SORTS, DEFAULT_CASE_SORT, CaseFilters, PersonQuery
from .validation import MAX_AGE

BLANK: list[tuple[str, Any]] = [("", "—")]


class DateInput(forms.DateInput):
    """A native date picker; browsers send ISO dates whatever the interface language."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than one template per option.

    Django renders each <option> through a template; for the 145 agencies or 250 countries on
    a page that costs tens of milliseconds per request, more than the page's queries.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option), mark_safe(" selected") if str(option) in selected else "", label)
                for option, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class PickListSelect(FastSelect):
    """A FastSelect whose options are rendered once per language and kept with the pick-list.

    The agencies' list alone is 150 options; escaping and labelling them took a few
    milliseconds on every case list. The options are public reference rows, cached for as
    long as the rows themselves (ctip.reference.selectors.cached_reference); only the chosen
    option is marked per request.
    """

    def __init__(self, *, cache_key: str, choices: Callable[[], list[tuple[Any, str]]]) -> None:
        super().__init__()
        self.cache_key, self.choice_list = cache_key, choices

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        options = cached_reference(
            f"options:{self.cache_key}:{get_language()}",
            lambda: format_html_join("", '<option value="{}">{}</option>', self.choice_list()),
        )
        chosen = next(iter(self.format_value(value)), "")
        if chosen:
            marker = format_html('<option value="{}">', chosen)
            # Both the cached options and the marker are escaped HTML; so is their splice.
            options = mark_safe(options.replace(marker, marker[:-1] + " selected>", 1))
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class ReferenceChoiceField(forms.Field):
    """Pick one reference row (province, agency) from a pick-list cached per process.

    A ModelChoiceField reads its table and builds a model per option on every request; the
    case list's filters did that for 170 rows on each page. This reads the cached list
    (ctip.reference.selectors.cached_reference) and returns the row itself.
    """

    default_error_messages = forms.ChoiceField.default_error_messages

    def __init__(
        self,
        *,
        rows: Callable[[], list[Any]],
        row_label: Callable[[Any], str],
        cache_key: str,
        **kwargs: Any,
    ) -> None:
        def choices() -> list[tuple[Any, str]]:
            return BLANK + [(row.pk, row_label(row)) for row in rows()]

        kwargs["widget"] = PickListSelect(cache_key=cache_key, choices=choices)
        super().__init__(**kwargs)
        self.rows = rows

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        by_id = {str(row.pk): row for row in self.rows()}
        row = by_id.get(str(value))
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


def _agency_label(agency: Any) -> str:
    return f"{agency.code} — {agency.label}"


def _province_label(province: Any) -> str:
    return str(province.label)


class LabelledModelChoiceField(forms.ModelChoiceField):
    """Shows agencies, provinces and countries by their name in the active language."""

    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Agency):
            return _agency_label(obj)
        return str(getattr(obj, "label", obj))


def person_label(actor: Any, person: Person) -> str:
    """A person's name as the actor may see it; a masked name keeps the record number, so
    that pick-lists still tell persons apart."""
    name = mask_value(actor, person, "display_name")
    return f"{name} ({person})" if name == MASK else str(name)


class LabelledModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    # Set by show_names_to(); without an actor, names are masked (the safe default).
    actor: Any = None

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Person):
            return person_label(self.actor, obj)
        return str(getattr(obj, "label", obj))


class CodeListField(forms.CharField):
    """A comma-separated list typed by hand (codes, aliases, apps); returns a list of strings."""

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        items = [item.strip() for item in text.split(",") if item.strip()]
        return [item.upper() for item in items] if self.upper else items

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


def past_date(value: datetime.date | None) -> None:
    """Field validator: a date that has already happened."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def _vocabulary_field(
    form: forms.Form, name: str, vocabulary: str, *, multiple: bool = False
) -> None:
    """Fill a field's choices from a reference vocabulary, labelled in the active language."""
    choices = vocabulary_choices(vocabulary)
    field = form.fields[name]
    if multiple:
        field.choices = choices  # type: ignore[attr-defined]
    else:
        field.choices = BLANK + choices  # type: ignore[attr-defined]


def agency_choices() -> Any:
    """Active agencies with only what a pick-list shows: code and names."""
    return agency_list().select_related(None).only("id", "code", "name_en", "name_km")


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
        row_label=_province_label,
        cache_key="provinces",
    )
    agency = ReferenceChoiceField(
        label=_("Owning agency"),
        required=False,
        rows=agency_pick_list,
        row_label=_agency_label,
        cache_key="agencies",
    )
    opened_from = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = forms.DateField(label=_("Opened to"), required=False, widget=DateInput())
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=FastSelect
    )
    mine = forms.BooleanField(label=_("Only cases I registered"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and end < start:
            self.add_error("opened_to", _("The end of the period is before its start."))
        return data

    def filters(self) -> CaseFilters:
        """The valid filters; an invalid one is left out (and shown as an error)."""
        data = self.cleaned_data if self.is_bound else {}
        errors = self.errors if self.is_bound else {}

        def value(name: str, default: Any = None) -> Any:
            return default if name in errors else (data.get(name) or default)

        province, agency = value("province"), value("agency")
        sort = value("sort", DEFAULT_CASE_SORT)
        return CaseFilters(
            kind=value("kind", ""),
            status=value("status", ""),
            province=province.pk if province else None,
            agency=agency.pk if agency else None,
            opened_from=value("opened_from"),
            opened_to=None if "opened_to" in errors else data.get("opened_to"),
            reference=value("reference", ""),
            sort=sort if sort in CASE_SORTS else DEFAULT_CASE_SORT,
            mine=bool(value("mine", False)),
        )


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


# --- persons -------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """A new person: names in either script, sex, birth date or estimated age, documents."""

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
    aliases = CodeListField(label=_("Aliases"), help_text=_("Separate several with commas."))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    gender = forms.ChoiceField(label=_("Gender (HTCDS)"), required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput(), validators=[past_date]
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age (years)"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        help_text=_("When the date of birth is not known."),
    )
    citizenships = CodeListField(
        label=_("Citizenships"),
        upper=True,
        help_text=_("ISO 3-letter country codes, separated by commas, e.g. KHM, VNM."),
    )
    languages = CodeListField(label=_("Languages"), help_text=_("Separate several with commas."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    document_kind = forms.ChoiceField(
        label=_("Identity document"), required=False, choices=BLANK + DocumentKind.choices
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=60)
    document_country = LabelledModelChoiceField(
        label=_("Issued by"), required=False, queryset=Country.objects.all(), empty_label="—"
    )

    PERSON_FIELDS = (
        "family_name_latin",
        "given_name_latin",
        "family_name_km",
        "given_name_km",
        "aliases",
        "sex",
        "gender",
        "date_of_birth",
        "estimated_age",
        "citizenships",
        "languages",
        "phone",
        "address",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _vocabulary_field(self, "gender", "gender")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = [data.get(f) for f in self.PERSON_FIELDS[:4]]
        if not any(names) and not data.get("aliases"):
            self.add_error("family_name_latin", _("Give at least one name or alias."))
        if bool(data.get("document_kind")) != bool(data.get("document_number")):
            self.add_error("document_number", _("Give both the kind and the number."))
        return data

    def person_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.PERSON_FIELDS}


ROLE_CHOICES = BLANK + ParticipantRole.choices


class ParticipantForm(forms.Form):
    """Add someone to a case: an existing person (picked after a search) or a new one."""

    role = forms.ChoiceField(label=_("Role in the case"), choices=ROLE_CHOICES)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExistingParticipantForm(ParticipantForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class PersonSearchForm(forms.Form):
    """Find a person by name in either script, date of birth, approximate age or document."""

    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        help_text=_(
            "Khmer script or Latin letters; spelling variants and name order are forgiven."
        ),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput(), validators=[past_date]
    )
    age = forms.IntegerField(
        label=_("Approximate age"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        help_text=_("Matches two years either side."),
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=60)

    def query(self) -> PersonQuery:
        data = self.cleaned_data
        return PersonQuery(
            name=data.get("name") or "",
            date_of_birth=data.get("date_of_birth"),
            age=data.get("age"),
            document_number=data.get("document_number") or "",
        )

    def has_criteria(self) -> bool:
        return any(self.cleaned_data.get(name) not in (None, "") for name in self.fields)


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
            _vocabulary_field(self, name, vocabulary, multiple=multiple)


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
        _vocabulary_field(self, "charges", "charge", multiple=True)


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
        _vocabulary_field(self, "charges", "charge", multiple=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filed, verdict_on = data.get("filed_on"), data.get("verdict_on")
        if filed and verdict_on and verdict_on < filed:
            self.add_error("verdict_on", _("The verdict cannot come before the filing."))
        return data
