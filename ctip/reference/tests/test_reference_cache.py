"""Reference pick-lists are cached per process: an edit here clears them, others expire."""

import pytest

from ctip.exchange.values import term_lookup
from ctip.reference import selectors
from ctip.reference.models import Term

pytestmark = pytest.mark.django_db


def test_a_saved_term_is_seen_at_once_by_every_cached_reader() -> None:
    assert "NewMeans" not in selectors.vocabulary_codes("means_of_control")
    assert "newmeans" not in term_lookup("means_of_control")
    Term.objects.create(
        vocabulary="means_of_control", code="NewMeans", label_en="New means", sort_order=999
    )  # post_save clears the cache of this process
    assert "NewMeans" in selectors.vocabulary_codes("means_of_control")
    assert "NewMeans" in {t.code for t in selectors.vocabulary_terms("means_of_control")}
    assert term_lookup("means_of_control").get("newmeans") == "NewMeans"


def test_a_change_made_elsewhere_is_read_again_once_the_minute_is_over(monkeypatch) -> None:
    term = Term.objects.filter(vocabulary="means_of_control", is_active=True).first()
    assert term is not None and term.code in selectors.vocabulary_codes("means_of_control")
    # An update that sends no signal stands for a change made in another worker process.
    Term.objects.filter(pk=term.pk).update(is_active=False)
    assert term.code in selectors.vocabulary_codes("means_of_control")  # within the minute
    monkeypatch.setattr(selectors, "REFERENCE_CACHE_SECONDS", 0.0)
    assert term.code not in selectors.vocabulary_codes("means_of_control")
