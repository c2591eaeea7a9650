"""Forms of the person pages: a person, a participant, the person search."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.reference.models import Country
from ctip.reference.selectors import country_list

from ..choices import (
    DocumentKind,
    ParticipantRole,
    Sex,
)
from ..selectors import PersonQuery
from ..validation import MAX_AGE
from .fields import (
    BLANK,
    CodeListField,
    DateInput,
    LabelledModelChoiceField,
    past_date,
    vocabulary_field,
)

# --- persons -------------------------------------------------------------------------------

# Languages victims and suspects in the region speak, by name; stored as ISO 639 codes.
LANGUAGE_CHOICES = [
    ("km", _("Khmer")),
    ("vi", _("Vietnamese")),
    ("th", _("Thai")),
    ("lo", _("Lao")),
    ("cja", _("Cham")),
    ("zh", _("Chinese")),
    ("my", _("Burmese")),
    ("ms", _("Malay")),
    ("id", _("Indonesian")),
    ("tl", _("Filipino")),
    ("ko", _("Korean")),
    ("ja", _("Japanese")),
    ("hi", _("Hindi")),
    ("bn", _("Bengali")),
    ("ur", _("Urdu")),
    ("ru", _("Russian")),
    ("ar", _("Arabic")),
    ("en", _("English")),
    ("fr", _("French")),
]


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
    citizenships = forms.MultipleChoiceField(
        label=_("Citizenships"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to pick more than one."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to pick more than one."),
    )
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
        vocabulary_field(self, "gender", "gender")
        # Countries by name in the reader's language (stored as ISO alpha-3 codes), Cambodia
        # and its neighbours first: most people registered hold one of those.
        first = ("KHM", "THA", "VNM", "LAO", "CHN", "MMR")
        countries = sorted(country_list(), key=lambda c: c.label.casefold())
        by_code = {c.alpha3: c for c in countries}
        citizenships = self.fields["citizenships"]
        assert isinstance(citizenships, forms.MultipleChoiceField)
        citizenships.choices = [
            (code, by_code[code].label) for code in first if code in by_code
        ] + [(c.alpha3, c.label) for c in countries if c.alpha3 not in first]

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
