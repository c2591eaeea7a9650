"""Reference data loads completely and can be reloaded without duplicates."""

import pytest
from django.core.management import call_command

from ctip.access.models import Agency
from ctip.reference.models import Country, Province, Term
from ctip.reference.selectors import vocabulary_codes

pytestmark = pytest.mark.django_db


def test_provinces_have_iso_codes_khmer_names_and_census_population():
    assert Province.objects.count() == 25
    phnom_penh = Province.objects.get(code="KH-12")
    assert phnom_penh.name_km == "ភ្នំពេញ"
    assert phnom_penh.population_2019 == 2281951


def test_countries_and_htcds_vocabularies_are_loaded():
    assert Country.objects.get(alpha3="KHM").name_km == "កម្ពុជា"
    assert Country.objects.count() >= 249
    assert "DebtBondage" in vocabulary_codes("means_of_control")
    assert len(vocabulary_codes("means_of_control")) == 16
    assert "ActualVictimOfTrafficking" in vocabulary_codes("trafficking_status")


def test_agency_seed_has_the_committee_structure():
    assert Agency.objects.filter(kind="province_committee").count() == 25
    assert Agency.objects.filter(kind="police_unit", level="national").count() == 5
    assert Agency.objects.filter(kind="foreign_partner").exists()
    unit = Agency.objects.get(code="AHTJP")
    assert unit.parent.code == "GCNP"


def test_reloading_changes_nothing():
    before = (
        Province.objects.count(),
        Country.objects.count(),
        Term.objects.count(),
        Agency.objects.count(),
    )
    call_command("load_reference", verbosity=0)
    after = (
        Province.objects.count(),
        Country.objects.count(),
        Term.objects.count(),
        Agency.objects.count(),
    )
    assert before == after


def test_every_country_has_a_khmer_name():
    # The add-person form and the statistics list countries by name: in Khmer, every one.
    missing = Country.objects.filter(name_km="").values_list("alpha3", flat=True)
    assert not list(missing)
    assert Country.objects.get(alpha3="FRA").name_km == "បារាំង"
