"""Forms of the investigations pages: they parse input; the services decide what is allowed."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.reference import gazetteer
from ctip.reference.models import Country, Province

from .choices import (
    AccountService,
    IdentifierKind,
    InvolvementRole,
    OrganisationKind,
    RelationKind,
)

# A party of a relation or the holder of an identifier: "p<person id>" or "o<organisation id>".
NOBODY = ""


def party_choices(persons: list[tuple[int, str]], organisations: list[tuple[int, str]]) -> list:
    """Choices naming the case's persons and organisations (labels already masked)."""
    choices: list[tuple[Any, Any]] = [(NOBODY, "—")]
    if persons:
        choices.append((_("Persons"), [(f"p{pk}", label) for pk, label in persons]))
    if organisations:
        choices.append((_("Organisations"), [(f"o{pk}", label) for pk, label in organisations]))
    return choices


def parse_party(value: str) -> tuple[str, int] | None:
    """("p" or "o", id) from a party choice, None for nobody."""
    if not value or value[0] not in "po" or not value[1:].isdigit():
        return None
    return value[0], int(value[1:])


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(
        label=_("Number, address or account"),
        max_length=500,
        help_text=_(
            "As written: 012 345 678 and +855 12 345 678 are one number; a profile address "
            "such as t.me/name or facebook.com/name names the account."
        ),
    )
    service = forms.ChoiceField(
        label=_("Service (accounts)"),
        choices=[("", "—"), *AccountService.choices],
        required=False,
    )
    qualifier = forms.CharField(
        label=_("Bank or currency"),
        max_length=60,
        required=False,
        help_text=_("The bank of an account, the currency of a wallet (USDT, BTC)."),
    )
    holder = forms.ChoiceField(label=_("Whose"), required=False)
    seen_on = forms.DateField(
        label=_("Seen on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def __init__(self, *args: Any, holders: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = holders or [(NOBODY, "—")]  # type: ignore[attr-defined]

    def service_value(self) -> str:
        data = self.cleaned_data
        if data["kind"] == IdentifierKind.ACCOUNT:
            return data.get("service") or ""
        if data["kind"] in (IdentifierKind.BANK_ACCOUNT, IdentifierKind.CRYPTO_WALLET):
            return data.get("qualifier") or ""
        return ""


class OrganisationInCaseForm(forms.Form):
    """An organisation's part in a case: an existing one by registration, or a new one."""

    role = forms.ChoiceField(label=_("Part in the case"), choices=InvolvementRole.choices)
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=OrganisationKind.choices, initial=OrganisationKind.COMPANY
    )
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=80,
        required=False,
        help_text=_("A number already recorded names the same company."),
    )
    jurisdiction = forms.ModelChoiceField(
        label=_("Registered in"), queryset=Country.objects.all(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class CompoundInCaseForm(forms.Form):
    """The compound a case took place at: one already recorded, or a new one."""

    compound: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Compound already recorded"), queryset=None, required=False
    )
    name = forms.CharField(label=_("Or a new compound: name"), max_length=300, required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    place = forms.CharField(
        label=_("Where (gazetteer)"),
        max_length=100,
        required=False,
        help_text=_("A village, commune or district by name or code, e.g. Lekh Pir or 180102."),
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def __init__(self, *args: Any, compounds: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["compound"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = compounds

    def clean_place(self) -> str:
        """The gazetteer code of the place typed: a code, or a name only one place has."""
        text = (self.cleaned_data.get("place") or "").strip()
        if not text:
            return ""
        if text.isdigit():
            if gazetteer.place(text) is None:
                raise forms.ValidationError(_("Not a code of the gazetteer."))
            return text
        found = [p for p in gazetteer.search(text, limit=10) if p.level != "province"]
        exact = [p for p in found if text.lower() in (p.name_en.lower(), p.name_km)]
        if len(exact) == 1 or len(found) == 1:
            return (exact or found)[0].code
        if not found:
            raise forms.ValidationError(_("No place of the gazetteer has this name."))
        raise forms.ValidationError(
            _("Several places have this name; give the code of one: %(places)s")
            % {"places": "; ".join(f"{p.full_label} ({p.code})" for p in found[:5])}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("compound") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose a compound or name a new one."))
        return data


class RelationForm(forms.Form):
    subject = forms.ChoiceField(label=_("Who"))
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    object = forms.ChoiceField(label=_("To whom"))
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    start_date = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, parties: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject", "object"):
            self.fields[name].choices = parties or [(NOBODY, "—")]  # type: ignore[attr-defined]


class JobAdForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL)"), max_length=2000, required=False, assume_scheme="https"
    )
    service = forms.CharField(
        label=_("Where it was posted"),
        max_length=60,
        required=False,
        help_text=_("Facebook, Telegram, a job site…"),
    )
    text = forms.CharField(
        label=_("Text of the advertisement"), widget=forms.Textarea, required=False
    )
    seen_on = forms.DateField(
        label=_("Seen on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phones = forms.CharField(
        label=_("Phone numbers in it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line."),
    )
    accounts = forms.CharField(
        label=_("Accounts in it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Profile addresses (t.me/name, facebook.com/name), one a line."),
    )

    def identifiers(self) -> list[tuple[str, str, str]]:
        """(kind, value, service) of the phone numbers and accounts typed."""
        found: list[tuple[str, str, str]] = []
        for line in (self.cleaned_data.get("phones") or "").splitlines()[:50]:
            if line.strip():
                found.append((IdentifierKind.PHONE, line.strip(), ""))
        for line in (self.cleaned_data.get("accounts") or "").splitlines()[:50]:
            if line.strip():
                found.append((IdentifierKind.ACCOUNT, line.strip(), ""))
        return found


class IdentifierSearchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(label=_("Number, address or account"), max_length=500)
    service = forms.ChoiceField(
        label=_("Service (accounts)"), choices=[("", "—"), *AccountService.choices], required=False
    )


class NetworkFilterForm(forms.Form):
    """The network view's filters: the period the cases were opened in, and a province."""

    opened_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    opened_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: datetime.date | None = data.get("opened_from")
        end: datetime.date | None = data.get("opened_to")
        if start and end and end < start:
            self.add_error("opened_to", _("The end of the period is before its start."))
        return data
