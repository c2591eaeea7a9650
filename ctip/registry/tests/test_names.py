"""Name keys meet the romanisation variants officers actually type."""

import pytest

from ctip.registry.names import name_keys, query_keys, skeleton


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sokha", "Sokhar"),
        ("Chhay", "Chay"),
        ("Srey", "Srei"),
        ("Vuthy", "Vuthi"),
        ("Sokha", "សុខា"),
        ("Chan", "ចាន់"),
        ("Srey", "ស្រី"),
        ("Vuthy", "វុទ្ធី"),
        ("Bopha", "បុប្ផា"),
        ("Kosal", "កុសល"),
    ],
)
def test_variants_share_a_key(one, other):
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(
    ("one", "other"), [("Sokha", "Sophea"), ("Chan", "Chhay"), ("Dara", "Vanna")]
)
def test_different_names_keep_different_keys(one, other):
    assert skeleton(one) != skeleton(other)


def test_word_order_does_not_matter():
    assert name_keys("Chan", "Sokha") == name_keys("Sokha", "Chan")
    assert set(query_keys("Chan Sokhar")) <= set(name_keys("Sokha", "Chan").split())
