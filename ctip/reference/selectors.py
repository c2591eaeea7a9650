"""Reads of reference data. Public facts, so no actor is needed; results are cached per process."""

from functools import lru_cache

from .models import Country, Province, Term


@lru_cache(maxsize=64)
def vocabulary_codes(vocabulary: str) -> frozenset[str]:
    """Every active code of a vocabulary, for validation."""
    return frozenset(
        Term.objects.filter(vocabulary=vocabulary, is_active=True).values_list("code", flat=True)
    )


def vocabulary_terms(vocabulary: str) -> list[Term]:
    """Active terms of a vocabulary in display order, for pick-lists."""
    return list(Term.objects.filter(vocabulary=vocabulary, is_active=True))


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
    return list(Province.objects.all())


def country_list() -> list[Country]:
    return list(Country.objects.all())


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(Country.objects.values_list("alpha3", flat=True))


def clear_caches() -> None:
    """Forget cached vocabularies after reference data is reloaded."""
    vocabulary_codes.cache_clear()
    country_codes.cache_clear()
