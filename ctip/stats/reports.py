"""The committee's reports, built from the indicator catalogue: half-year (NCCT style), the US
TIP report data call and the UNODC GLOTIP tables. Each report is a plain dict (JSON-ready)
that every output format (page, PDF, XLSX, CSV, JSON) renders without computing anything."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .compare import compare_counts
from .indicators import CATALOGUE, Cube
from .periods import Period, parse_period
from .selectors import PeriodFigures, may_aggregate_all, periods_figures

HALF_NAMES_KM = {1: "ឆមាសទី១", 2: "ឆមាសទី២"}
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

REPORT_KINDS = ("half-year", "tip", "glotip")


def _km(n: float) -> str:
    return f"{int(n)}".translate(KHMER_DIGITS)


def period_name(period: Period) -> dict[str, str]:
    if period.half:
        en = f"{'First' if period.half == 1 else 'Second'} half of {period.year}"
        km = f"{HALF_NAMES_KM[period.half]} ឆ្នាំ{_km(period.year)}"
    else:
        en, km = f"Year {period.year}", f"ឆ្នាំ{_km(period.year)}"
    return {"en": en, "km": km}


def _cube_json(cube: Cube) -> dict[str, Any]:
    return {
        "total": cube.total,
        "by": {dim: {k: v for k, v in cube.by(dim).items()} for dim in cube.dims},
    }


def headline_numbers(figures: PeriodFigures) -> dict[str, int]:
    """The figures of the NCCT headline sentence."""
    cases, arrests, rescued = (
        figures.cubes["cases"],
        figures.cubes["arrests"],
        figures.cubes["victims_rescued"],
    )
    kinds = cases.by("kind")
    return {
        "cases": int(cases.total),
        "cases_trafficking": int(kinds.get("trafficking", 0)),
        "cases_sexual_exploitation": int(kinds.get("sexual_exploitation", 0)),
        "arrests": int(arrests.total),
        "arrests_foreign": int(arrests.by("nationality_group").get("foreign", 0)),
        "victims_rescued": int(rescued.total),
        "victims_rescued_female": int(rescued.by("sex").get("female", 0)),
        "victims_rescued_minors": int(rescued.by("age_group").get("minor", 0)),
    }


def _en(n: int, one: str, many: str) -> str:
    """An English count with its noun in the right number and thousands separated."""
    return f"{n:,} {one if n == 1 else many}"


def headline_text(period: Period, n: dict[str, int]) -> dict[str, str]:
    """The headline in English and in Khmer (the report carries both, whatever the reader's
    language; pages show the one of the reader's language)."""
    name = period_name(period)
    en = (
        f"{name['en']}: {_en(n['cases'], 'case', 'cases')} ({n['cases_trafficking']:,} "
        f"trafficking, {n['cases_sexual_exploitation']:,} sexual exploitation), "
        f"{_en(n['arrests'], 'arrest', 'arrests')} including "
        f"{_en(n['arrests_foreign'], 'foreigner', 'foreigners')}, "
        f"{_en(n['victims_rescued'], 'victim', 'victims')} rescued, of whom "
        f"{_en(n['victims_rescued_female'], 'woman', 'women')} and "
        f"{_en(n['victims_rescued_minors'], 'minor', 'minors')}."
    )
    km = (
        f"{name['km']}៖ ករណីចំនួន {_km(n['cases'])} ករណី "
        f"(ជួញដូរមនុស្ស {_km(n['cases_trafficking'])} ករណី "
        f"និងអាជីវកម្មផ្លូវភេទ {_km(n['cases_sexual_exploitation'])} ករណី) "
        f"ចាប់ខ្លួនជនសង្ស័យចំនួន {_km(n['arrests'])} នាក់ ក្នុងនោះជនបរទេស "
        f"{_km(n['arrests_foreign'])} នាក់ និងជួយសង្គ្រោះជនរងគ្រោះចំនួន "
        f"{_km(n['victims_rescued'])} នាក់ ក្នុងនោះស្ត្រី {_km(n['victims_rescued_female'])} "
        f"នាក់ និងអនីតិជន {_km(n['victims_rescued_minors'])} នាក់។"
    )
    return {"en": en, "km": km}


COMPARED = (
    "cases",
    "cases_trafficking",
    "cases_sexual_exploitation",
    "arrests",
    "victims_rescued",
    "victims_rescued_minors",
)


def _comparisons(
    current: dict[str, int], other: dict[str, int], other_period: Period
) -> dict[str, Any]:
    return {
        "period": other_period.label,
        "items": {key: compare_counts(current[key], other[key]).as_dict() for key in COMPARED},
    }


def _scope_label(actor: Any) -> str:
    return "all cases" if may_aggregate_all(actor) else "cases visible to the user"


def half_year_report(*, actor: Any, period: Period | str, viewed: bool = False) -> dict[str, Any]:
    """The NCCT-style report for a half-year or a year, compared with the previous period and
    with the same period a year before. A page read is audited as viewed, a file as exported."""
    if isinstance(period, str):
        period = parse_period(period)
    headline_ids = ("cases", "arrests", "victims_rescued")
    # One pass per indicator over the three periods (see Indicator.cubes).
    computed = periods_figures(
        actor=actor,
        wanted={period: None, period.previous(): headline_ids, period.year_before(): headline_ids},
    )
    figures = computed[period]
    previous, year_before = computed[period.previous()], computed[period.year_before()]
    numbers = headline_numbers(figures)
    report: dict[str, Any] = {
        "report": "half-year",
        "period": period.label,
        "period_name": period_name(period),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "scope": _scope_label(actor),
        "headline": headline_text(period, numbers),
        "numbers": numbers,
        "comparisons": {
            "previous": _comparisons(numbers, headline_numbers(previous), period.previous()),
            "year_before": _comparisons(
                numbers, headline_numbers(year_before), period.year_before()
            ),
        },
        "indicators": {
            i: {
                "name_en": CATALOGUE[i].name_en,
                "name_km": CATALOGUE[i].name_km,
                "unit": CATALOGUE[i].unit,
                **_cube_json(cube),
            }
            for i, cube in figures.cubes.items()
        },
    }
    _audit(actor, "half-year", period, viewed=viewed)
    return report


def _audit(actor: Any, kind: str, period: Period, *, viewed: bool) -> None:
    """Opening the report's page is a view; a download or the command line is an export."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW if viewed else AuditAction.EXPORT,
        object_type="stats.report",
        object_id=f"{kind}:{period.label}",
        detail={"aggregates_only": True},
    )


def tip_report(*, actor: Any, period: Period | str, viewed: bool = False) -> dict[str, Any]:
    """The US TIP report data call: law enforcement (investigations, prosecutions,
    convictions, sentences) and protection (victims identified, referred) for the period."""
    if isinstance(period, str):
        period = parse_period(period)
    compared_ids = ("cases", "arrests", "victims_identified")
    computed = periods_figures(
        actor=actor,
        wanted={period: None, period.previous(): compared_ids, period.year_before(): compared_ids},
    )
    f, prev, ago = computed[period], computed[period.previous()], computed[period.year_before()]
    cases, identified = f.cubes["cases"], f.cubes["victims_identified"]
    rows = [
        ("law_enforcement", "investigations", "Cases investigated (registered)", cases.total),
        (
            "law_enforcement",
            "investigations_trafficking",
            "of which trafficking",
            cases.by("kind").get("trafficking", 0),
        ),
        ("law_enforcement", "suspects_arrested", "Suspects arrested", f.total("arrests")),
        ("law_enforcement", "prosecutions", "Defendants prosecuted", f.total("prosecutions")),
        ("law_enforcement", "convictions", "Defendants convicted", f.total("convictions")),
    ]
    for band, n in f.cubes["prison_sentences"].by("sentence").items():
        rows.append(("law_enforcement", f"sentence_{band}", f"Prison sentence {band}", n))
    rows += [
        ("protection", "victims_identified", "Victims identified", identified.total),
        *[
            ("protection", f"victims_identified_{sex}", f"Victims identified: {sex}", n)
            for sex, n in identified.by("sex").items()
        ],
        *[
            ("protection", f"victims_identified_{age}", f"Victims identified: {age}", n)
            for age, n in identified.by("age_group").items()
        ],
        (
            "protection",
            "victims_identified_foreign",
            "Foreign victims identified",
            sum(
                n
                for nat, n in identified.by("nationality").items()
                if nat not in ("KHM", "unknown")
            ),
        ),
        (
            "protection",
            "victims_referred",
            "Victims referred to services",
            f.total("victims_referred"),
        ),
    ]
    comparisons = {
        key: {
            "previous": compare_counts(f.total(i), prev.total(i)).as_dict(),
            "year_before": compare_counts(f.total(i), ago.total(i)).as_dict(),
        }
        for key, i in (
            ("cases", "cases"),
            ("arrests", "arrests"),
            ("victims identified", "victims_identified"),
        )
    }
    _audit(actor, "tip", period, viewed=viewed)
    return {
        "report": "tip",
        "period": period.label,
        "period_name": period_name(period),
        "scope": _scope_label(actor),
        "rows": [
            {"section": s, "id": i, "label": label, "value": int(v)} for s, i, label, v in rows
        ],
        "comparisons": comparisons,
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
    }


def glotip_report(*, actor: Any, period: Period | str, viewed: bool = False) -> dict[str, Any]:
    """UNODC GLOTIP tables: detected victims by sex and age group, by form of exploitation and
    by citizenship; persons arrested (suspected) by sex and citizenship; convicted by sex."""
    if isinstance(period, str):
        period = parse_period(period)
    compared_ids = ("victims_identified",)
    computed = periods_figures(
        actor=actor,
        wanted={period: None, period.previous(): compared_ids, period.year_before(): compared_ids},
    )
    f, prev, ago = computed[period], computed[period.previous()], computed[period.year_before()]
    victims, arrests = f.cubes["victims_identified"], f.cubes["arrests"]
    tables = {
        "victims_by_sex_and_age": _table(victims, "sex", "age_group"),
        "victims_by_exploitation": _table(victims, "exploitation", "sex"),
        "victims_by_citizenship": _table(victims, "nationality", "sex"),
        "suspects_by_sex_and_citizenship": _table(arrests, "nationality", "sex"),
        "prosecuted_by_sex": _table(f.cubes["prosecutions"], "case_kind", "sex"),
        "convicted_by_sex": _table(f.cubes["convictions"], "case_kind", "sex"),
    }
    _audit(actor, "glotip", period, viewed=viewed)
    return {
        "report": "glotip",
        "period": period.label,
        "period_name": period_name(period),
        "scope": _scope_label(actor),
        "tables": tables,
        "comparisons": {
            "victims": {
                "previous": compare_counts(
                    victims.total, prev.total("victims_identified")
                ).as_dict(),
                "year_before": compare_counts(
                    victims.total, ago.total("victims_identified")
                ).as_dict(),
            }
        },
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
    }


def _table(cube: Cube, rows: str, cols: str) -> dict[str, Any]:
    cells = cube.margin(rows, cols)
    row_keys = sorted({r for r, _c in cells})
    col_keys = sorted({c for _r, c in cells})
    return {
        "rows": rows,
        "columns": cols,
        "row_keys": row_keys,
        "column_keys": col_keys,
        "cells": [[int(cells.get((r, c), 0)) for c in col_keys] for r in row_keys],
    }


BUILDERS = {"half-year": half_year_report, "tip": tip_report, "glotip": glotip_report}


def build_report(*, actor: Any, kind: str, period: str, viewed: bool = False) -> dict[str, Any]:
    """Any report by name; unknown names are a ValidationError naming the field. `viewed`: read
    for a page (audited as viewed), not for a file that leaves ctip (audited as exported)."""
    from django.core.exceptions import ValidationError

    if kind not in BUILDERS:
        raise ValidationError({"report": _("Unknown report %(value)r.") % {"value": kind}})
    return BUILDERS[kind](actor=actor, period=parse_period(period), viewed=viewed)


__all__ = ["BUILDERS", "build_report"]
