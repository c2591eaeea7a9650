"""Reads of reference data. Public facts, so no actor is needed; results are cached per process."""

import time
from collections.abc import Callable
from typing import Any, TypeVar

from .models import Country, Province, Term

T = TypeVar("T")

# Pick-lists are read on nearly every page (filters, labels of stored codes) and change a few
# times a year. Each process keeps them for a minute: a change made in this process is seen at
# once (the signals in apps.py clear the cache), one made in another worker within a minute.
# They are public reference facts, never access rules, so a minute's staleness is harmless.
REFERENCE_CACHE_SECONDS = 60.0
_reference_cache: dict[str, tuple[float, Any]] = {}


def cached_reference(key: str, load: Callable[[], T]) -> T:
    """`load()`'s result, read again at most once a minute in this process."""
    now = time.monotonic()
    hit = _reference_cache.get(key)
    if hit is not None and now - hit[0] < REFERENCE_CACHE_SECONDS:
        return hit[1]  # type: ignore[no-any-return]
    value = load()
    _reference_cache[key] = (now, value)
    return value


def vocabulary_terms(vocabulary: str) -> list[Term]:
    """Active terms of a vocabulary in display order, for pick-lists."""
    terms = cached_reference(
        f"terms:{vocabulary}",
        lambda: list(Term.objects.filter(vocabulary=vocabulary, is_active=True)),
    )
    return list(terms)


def vocabulary_codes(vocabulary: str) -> frozenset[str]:
    """Every active code of a vocabulary, for validation."""
    return cached_reference(
        f"codes:{vocabulary}",
        lambda: frozenset(term.code for term in vocabulary_terms(vocabulary)),
    )


def vocabulary_choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label in the active language) pairs for a form field."""
    return [(term.code, term.label) for term in vocabulary_terms(vocabulary)]


def vocabulary_catalogue() -> dict[str, list[Term]]:
    """Every vocabulary with its active terms in display order, read in one query."""
    catalogue: dict[str, list[Term]] = {}
    for term in Term.objects.filter(is_active=True):
        catalogue.setdefault(term.vocabulary, []).append(term)
    return catalogue


def term_labels(vocabulary: str, codes: list[str]) -> list[str]:
    """Labels in the active language for stored codes; unknown codes are shown as they are."""
    labels = {term.code: term.label for term in vocabulary_terms(vocabulary)}
    return [labels.get(code, code) for code in codes]


def province_list() -> list[Province]:
    return list(cached_reference("provinces", lambda: list(Province.objects.all())))


def country_list() -> list[Country]:
    return list(cached_reference("countries", lambda: list(Country.objects.all())))


def country_codes() -> frozenset[str]:
    return cached_reference(
        "country-codes", lambda: frozenset(country.alpha3 for country in country_list())
    )


def clear_caches() -> None:
    """Forget cached vocabularies and pick-lists after reference data changes."""
    _reference_cache.clear()
