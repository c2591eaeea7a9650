"""Loading reference data from the data files shipped in ctip/reference/data."""

import csv
from pathlib import Path

import pycountry
from django.db import transaction

from .models import Country, Province, Term
from .selectors import clear_caches

DATA_DIR = Path(__file__).resolve().parent / "data"
VOCABULARY_FILES = ("vocabularies_htcds.csv", "vocabularies_ctip.csv")


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def provinces_load() -> int:
    """Create or update the 25 provinces; returns how many rows the file has."""
    rows = _read_csv("provinces.csv")
    for row in rows:
        Province.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_km": row["name_km"],
                "population_2019": int(row["population_2019"]) if row["population_2019"] else None,
            },
        )
    return len(rows)


def countries_load() -> int:
    """Create or update every ISO 3166-1 country from pycountry, with Khmer names: ours where
    the file has one (usage in Cambodia), else the iso-codes translation pycountry ships."""
    import gettext

    shipped = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["km"], fallback=True
    )
    khmer = {row["alpha3"]: row["name_km"] for row in _read_csv("countries_km.csv")}
    existing = {country.alpha3: country for country in Country.objects.all()}
    new, changed = [], []
    for item in pycountry.countries:
        name = getattr(item, "common_name", None) or item.name
        translated = shipped.gettext(item.name)
        name_km = khmer.get(item.alpha_3) or (translated if translated != item.name else "")
        values = {"alpha2": item.alpha_2, "name_en": name, "name_km": name_km}
        current = existing.get(item.alpha_3)
        if current is None:
            new.append(Country(alpha3=item.alpha_3, **values))
        elif any(getattr(current, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            changed.append(current)
    Country.objects.bulk_create(new)
    Country.objects.bulk_update(changed, ["alpha2", "name_en", "name_km"])
    return len(existing) + len(new)


def vocabularies_load() -> int:
    """Create or update every vocabulary term from the HTCDS and ctip vocabulary files."""
    count = 0
    for name in VOCABULARY_FILES:
        for row in _read_csv(name):
            Term.objects.update_or_create(
                vocabulary=row["vocabulary"],
                code=row["code"],
                defaults={
                    "label_en": row["label_en"],
                    "label_km": row["label_km"],
                    "sort_order": int(row["sort_order"] or 0),
                    "is_active": True,
                },
            )
            count += 1
    return count


@transaction.atomic
def reference_load() -> dict[str, int]:
    """Load all reference tables in one transaction; safe to run again (it updates in place)."""
    counts = {
        "provinces": provinces_load(),
        "countries": countries_load(),
        "terms": vocabularies_load(),
    }
    clear_caches()
    return counts
