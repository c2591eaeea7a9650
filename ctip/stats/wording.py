"""Statistics in words: the names, order and number formats every statistics output shows.

Reports and cubes hold codes (KH-12, age bands, "cases_trafficking") so that files and the API
stay stable; pages, PDFs and spreadsheets show them through here, in the active language:
provinces, agencies and countries by name, breakdowns and indicators by their translated
names, bands in their natural order, numbers grouped, percentages rounded, times local.
"""

import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.reference.selectors import cached_reference, country_list, province_list, vocabulary_terms
from ctip.registry.choices import CaseKind, CaseStatus, Sex

from .choices import (
    AGE_BANDS,
    DIMENSION_LABELS,
    EXTRA_VALUE_LABELS,
    NO_PRISON,
    SENTENCE_BANDS,
    UNKNOWN,
)
from .compare import VERDICTS
from .periods import parse_period

MINUS, EN_DASH = "\u2212", "\u2013"  # typographic signs, named: they look like a hyphen

# Breakdowns whose values have a natural order; the others are listed largest first.
BAND_ORDER: dict[str, list[str]] = {
    "age_band": [label for label, _low, _high in AGE_BANDS] + [UNKNOWN],
    "age_group": ["minor", "adult", UNKNOWN],
    "sentence": [NO_PRISON] + [label for label, _low, _high in SENTENCE_BANDS],
    "nationality_group": ["national", "foreign", UNKNOWN],
    "sex": ["female", "male", "other", UNKNOWN],
}
# Breakdowns listed by name (alphabetically in the active language).
BY_NAME = frozenset({"province", "agency", "nationality", "exploitation"})

GROUP_WORDS = {
    "minor": gettext_lazy("Minors (under 18)"),
    "adult": gettext_lazy("Adults"),
    "national": gettext_lazy("Cambodian"),
    "foreign": gettext_lazy("Foreign"),
    UNKNOWN: gettext_lazy("Unknown"),
    NO_PRISON: gettext_lazy("No prison term"),
    "under-1y": gettext_lazy("Under 1 year"),
    "1-5y": gettext_lazy("1 to 5 years"),
    "5-10y": gettext_lazy("5 to 10 years"),
    "10y+": gettext_lazy("10 years or more"),
}

# The half-year report's compared items and the TIP rows, by their keys in the report.
ITEM_WORDS = {
    "cases": gettext_lazy("Cases registered"),
    "cases_trafficking": gettext_lazy("Trafficking cases"),
    "cases_sexual_exploitation": gettext_lazy("Sexual exploitation cases"),
    "arrests": gettext_lazy("Persons arrested"),
    "arrests_foreign": gettext_lazy("Foreigners arrested"),
    "victims_rescued": gettext_lazy("Victims rescued"),
    "victims_rescued_female": gettext_lazy("Women and girls rescued"),
    "victims_rescued_minors": gettext_lazy("Minors rescued"),
    "victims identified": gettext_lazy("Victims identified"),
    "victims": gettext_lazy("Victims identified"),
    "investigations": gettext_lazy("Cases investigated (registered)"),
    "investigations_trafficking": gettext_lazy("of which trafficking"),
    "suspects_arrested": gettext_lazy("Suspects arrested"),
    "prosecutions": gettext_lazy("Defendants prosecuted"),
    "convictions": gettext_lazy("Defendants convicted"),
    "victims_identified": gettext_lazy("Victims identified"),
    "victims_identified_foreign": gettext_lazy("Foreign victims identified"),
    "victims_referred": gettext_lazy("Victims referred to services"),
}

REPORT_NAMES = {
    "half-year": gettext_lazy("Half-year report"),
    "tip": gettext_lazy("US TIP report data call"),
    "glotip": gettext_lazy("UNODC GLOTIP tables"),
}
TABLE_NAMES = {
    "victims_by_sex_and_age": gettext_lazy("Victims by sex and age group"),
    "victims_by_exploitation": gettext_lazy("Victims by form of exploitation and sex"),
    "victims_by_citizenship": gettext_lazy("Victims by citizenship and sex"),
    "suspects_by_sex_and_citizenship": gettext_lazy("Persons arrested by citizenship and sex"),
    "prosecuted_by_sex": gettext_lazy("Defendants prosecuted by kind of case and sex"),
    "convicted_by_sex": gettext_lazy("Defendants convicted by kind of case and sex"),
}


def khmer() -> bool:
    return (get_language() or "en").startswith("km")


def number(value: Any) -> str:
    """A count with the language's thousands separator; a rate with at most one decimal."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return formats.number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)
    return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)


def percent(value: float | None) -> str:
    """A change in per cent, whole and signed with a true minus sign ("+12 %", "\u221246 %");
    "—" when undefined."""
    if value is None:
        return "—"
    rounded = round(value)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else ""
    return f"{sign}{number(abs(rounded))} %"


def ratio(value: float | None) -> str:
    if value is None:
        return "∞"
    return formats.number_format(round(value, 2), 2, use_l10n=True)


def local_time(iso: str) -> str:
    """An ISO timestamp (stored in UTC) as date and time in the installation's time zone."""
    moment = datetime.datetime.fromisoformat(iso)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def verdict(change: dict[str, Any]) -> str:
    """The comparison's verdict in the active language (the report keeps the one it was
    built in)."""
    if not change["current"] and not change["baseline"]:
        return str(VERDICTS["none"])
    direction = change["direction"]
    if direction == "same":
        return str(VERDICTS["same"])
    return str(VERDICTS[f"{direction}_significant" if change["significant"] else direction])


def dimension_name(dim: str) -> str:
    return str(DIMENSION_LABELS.get(dim, dim.replace("_", " ")))


def indicator_name(ind: Any) -> str:
    """An indicator's name in the active language (catalogue entry or report dict)."""
    en, km = (
        (ind["name_en"], ind["name_km"]) if isinstance(ind, dict) else (ind.name_en, ind.name_km)
    )
    return km if khmer() and km else en


def item_name(key: str) -> str:
    """A report item by its key; TIP's per-group rows ("victims_identified_female") by group."""
    if key in ITEM_WORDS:
        return str(ITEM_WORDS[key])
    for prefix, dim in (("victims_identified_", None), ("sentence_", "sentence")):
        if key.startswith(prefix):
            group = key[len(prefix) :]
            label = value_name(dim or _guess_dim(group), group)
            if dim == "sentence":
                return _("Prison sentence: %(band)s") % {"band": label}
            return _("Victims identified: %(group)s") % {"group": label}
    return key


def _guess_dim(group: str) -> str:
    return "sex" if group in BAND_ORDER["sex"] else "age_group"


def against_name(against: str, period_label: str = "") -> str:
    """The period a comparison is made against, in words."""
    name = parse_period(period_label).name() if period_label else ""
    if against.startswith("previous"):
        text = _("Previous period")
    elif against.startswith("year_before"):
        text = _("Same period a year before")
    else:
        text = against
    return f"{text} ({name})" if name else text


def _labels(dim: str) -> dict[str, str]:
    """code -> name for one breakdown, in the active language, read once per process."""
    if dim == "province":
        return {p.code: p.label for p in province_list()}
    if dim == "nationality":
        return {c.alpha3: c.label for c in country_list()}
    if dim == "agency":
        agencies = cached_reference("agencies-by-code", lambda: list(Agency.objects.all()))
        return {a.code: a.label for a in agencies}
    if dim == "exploitation":
        return {t.code: t.label for t in vocabulary_terms("exploitation_type")}
    if dim in ("kind", "case_kind"):
        return {k: str(v) for k, v in CaseKind.choices}
    if dim == "status":
        return {k: str(v) for k, v in CaseStatus.choices}
    if dim == "sex":
        return {k: str(v) for k, v in Sex.choices}
    if dim in EXTRA_VALUE_LABELS:
        return {k: str(v) for k, v in EXTRA_VALUE_LABELS[dim]}
    return {}


def value_name(dim: str, key: Any) -> str:
    key = str(key)
    if dim == "age_band" and key != UNKNOWN:
        return _("%(band)s years") % {"band": key.replace("-", EN_DASH)}
    if key in GROUP_WORDS and dim != "sex":
        return str(GROUP_WORDS[key])
    return _labels(dim).get(key) or (str(GROUP_WORDS[UNKNOWN]) if key == UNKNOWN else key)


def rows(dim: str, values: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) pairs of a breakdown in a sensible order: bands in order, places and
    countries by name, anything else largest first; "unknown" always last."""
    return [(name, value) for _key, name, value in _ordered(dim, values)]


def ordered_keys(dim: str, keys: list[str]) -> list[str]:
    """A table's row keys in the order `rows` shows a breakdown (for tables, by name)."""
    return [key for key, _name, _value in _ordered(dim, dict.fromkeys(keys, 0))]


def _ordered(dim: str, values: dict[str, Any]) -> list[tuple[str, str, Any]]:
    named = [(key, value_name(dim, key), value) for key, value in values.items()]
    if dim in BAND_ORDER:
        order = {key: i for i, key in enumerate(BAND_ORDER[dim])}
        named.sort(key=lambda t: (order.get(t[0], len(order)), t[1]))
    elif dim in BY_NAME:
        named.sort(key=lambda t: (t[0] == UNKNOWN, t[1].casefold()))
    else:
        named.sort(key=lambda t: (t[0] == UNKNOWN, -float(t[2] or 0), t[1]))
    return named


def headline(report: dict[str, Any]) -> str:
    """The NCCT headline sentence in the reader's language (the report holds both)."""
    return str(report["headline"]["km" if khmer() else "en"])


def comparison_items(report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(against which period, item, change) for every comparison in any report."""
    out = []
    comparisons = report.get("comparisons", {})
    if report["report"] == "half-year":
        for against, block in comparisons.items():
            out += [(f"{against} ({block['period']})", k, c) for k, c in block["items"].items()]
    else:
        for item, by in comparisons.items():
            out += [(against, item, c) for against, c in by.items()]
    return out


def comparison_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """The change table of any report, every cell in words."""
    out = []
    for against, item, change in comparison_items(report):
        key, _sep, label = against.partition(" (")
        out.append(
            {
                "against": against_name(key, label.rstrip(")")),
                "item": item_name(item),
                "current": number(change["current"]),
                "baseline": number(change["baseline"]),
                "change": percent(change["change_pct"]),
                "interval": f"{ratio(change['ratio_low'])} {EN_DASH} {ratio(change['ratio_high'])}",
                "verdict": verdict(change),
            }
        )
    return out


def scope_name(scope: str) -> str:
    return str(
        {"all cases": _("all cases"), "cases visible to the user": _("the cases you may see")}.get(
            scope, scope
        )
    )
