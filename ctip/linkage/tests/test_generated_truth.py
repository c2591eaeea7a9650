"""The demo generator records some persons twice and keeps the ground truth for linkage."""

import datetime

import pytest

from ctip.registry.models import GeneratedTwin, Person
from ctip.registry.names import name_keys
from ctip.registry.synthetic import demo_data_generate

pytestmark = pytest.mark.django_db


def test_recurring_persons_are_recorded_as_twins_of_their_first_record() -> None:
    result = demo_data_generate(actor=None, cases=300, seed=5, until=datetime.date(2025, 12, 31))
    twins = list(GeneratedTwin.objects.select_related("person", "same_as"))
    assert result.recurring_persons > 10
    assert len(twins) == result.recurring_persons
    firsts = {twin.same_as_id for twin in twins}
    assert not firsts & {twin.person_id for twin in twins}  # a twin points at a first record
    for twin in twins:
        again, first = twin.person, twin.same_as
        assert again.pk != first.pk
        assert again.sex == first.sex
        assert again.birth_year is not None and first.birth_year is not None
        assert abs(again.birth_year - first.birth_year) <= 1
        # The same name, however spelled: the search keys (decrypted fields) meet.
        assert set(again.name_keys.split()) & set(first.name_keys.split())
        assert again.name_keys == name_keys(
            again.family_name_latin, again.given_name_latin, again.family_name_km,
            again.given_name_km, *again.aliases,
        )  # fmt: skip
    # Persons that are not twins have no entry.
    assert Person.objects.count() > len(twins)
