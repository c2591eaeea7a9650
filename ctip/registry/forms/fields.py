"""Widgets and fields the registry's forms share: fast selects, reference pick lists, code lists."""

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

from ctip.access.masking import MASK, mask_value
from ctip.access.models import Agency
from ctip.access.selectors import agency_list
from ctip.reference.selectors import cached_reference, vocabulary_choices

from ..models import Person

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


def agency_label(agency: Any) -> str:
    return f"{agency.code} — {agency.label}"


def province_label(province: Any) -> str:
    return str(province.label)


class LabelledModelChoiceField(forms.ModelChoiceField):
    """Shows agencies, provinces and countries by their name in the active language."""

    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Agency):
            return agency_label(obj)
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


def vocabulary_field(
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
