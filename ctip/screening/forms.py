"""Forms of the screening pages: operation, upload, interview, repatriation, embassy list."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry.choices import Sex
from ctip.registry.forms import (
    DateInput,
    LabelledModelChoiceField,
    LabelledModelMultipleChoiceField,
    past_date,
)

from .choices import (
    DECIDED,
    INDICATORS,
    LANGUAGES,
    Answer,
    Decision,
    DocumentHeld,
    OperationKind,
    Repatriation,
)


class OperationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of operation"), choices=OperationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    conducted_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[past_date])
    province = LabelledModelChoiceField(label=_("Province"), queryset=Province.objects.all())
    place = forms.CharField(label=_("Place (compound, building, checkpoint)"), max_length=200)
    lead_agency = LabelledModelChoiceField(label=_("Lead agency"), queryset=Agency.objects.none())
    agencies = LabelledModelMultipleChoiceField(
        label=_("Other agencies taking part"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, lead_agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead_agency"]
        others = self.fields["agencies"]
        assert isinstance(lead, forms.ModelChoiceField)
        assert isinstance(others, forms.ModelMultipleChoiceField)
        lead.queryset = lead_agencies
        others.queryset = Agency.objects.filter(is_active=True).exclude(kind="foreign_partner")


# The grid's columns, in order: (field, label, input type, size, choices or None).
GRID_COLUMNS: tuple[tuple[str, Any, str, int, Any], ...] = (
    ("number", _("No."), "number", 4, None),
    ("family_name", _("Family name"), "text", 12, None),
    ("given_name", _("Given name"), "text", 12, None),
    ("name_km", _("Name (Khmer script)"), "text", 12, None),
    ("sex", _("Sex"), "select", 0, Sex.choices),
    ("age", _("Age"), "number", 3, None),
    ("age_is_apparent", _("Apparent age"), "checkbox", 0, None),
    ("nationality", _("Nationality (ISO code)"), "text", 4, None),
    ("language", _("Language"), "select", 0, [("", "—"), *LANGUAGES]),
    ("document_held", _("Document"), "select", 0, DocumentHeld.choices),
    ("document_number", _("Document number"), "text", 10, None),
)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


def _answer_field(indicator: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=indicator.label,
        choices=Answer.choices,
        widget=forms.RadioSelect,
        initial=Answer.UNKNOWN,
    )


class ScreeningForm(forms.Form):
    """The interview: one answer per indicator, then the decision with its reasons."""

    interviewed_on = forms.DateField(
        label=_("Date of the interview"), widget=DateInput(), validators=[past_date]
    )
    language = forms.ChoiceField(label=_("Language of the interview"), choices=LANGUAGES)
    interpreter = forms.BooleanField(label=_("Through an interpreter"), required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(d.value, Decision(d).label) for d in DECIDED],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_to_embassy = forms.BooleanField(
        label=_("The person agrees that their embassy is told who they are"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in INDICATORS:
            self.fields[f"a_{indicator.code}"] = _answer_field(indicator)

    def answers(self) -> dict[str, str]:
        return {i.code: self.cleaned_data[f"a_{i.code}"] for i in INDICATORS}

    def answer_fields(self) -> list[Any]:
        return [self[f"a_{i.code}"] for i in INDICATORS]


class RepatriationForm(forms.Form):
    status = forms.ChoiceField(label=_("Repatriation"), choices=Repatriation.choices)
    on = forms.DateField(label=_("Since"), widget=DateInput(), validators=[past_date])


class EmbassyForm(forms.Form):
    to_agency = LabelledModelChoiceField(label=_("Send to"), queryset=Agency.objects.none())

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
