"""The gazetteer: every level in Khmer and Latin, codes tied to ISO provinces, the
step-by-step choice a form makes without JavaScript, and bounded search."""

import pytest

from ctip.reference import gazetteer
from ctip.reference.models import Province


def test_four_levels_in_both_scripts():
    provinces = gazetteer.provinces()
    assert len(provinces) == 25
    phnom_penh = gazetteer.place("12")
    assert phnom_penh is not None and phnom_penh.name_en == "Phnom Penh"
    assert phnom_penh.name_km == "រាជធានីភ្នំពេញ"
    district = gazetteer.children("12")[0]
    commune = gazetteer.children(district.code)[0]
    village = gazetteer.children(commune.code)[0]
    assert (district.level, commune.level, village.level) == ("district", "commune", "village")
    assert [p.code for p in village.path] == ["12", district.code, commune.code, village.code]
    assert village.name_km and village.name_en
    # Thousands of villages, each under its commune.
    total = sum(
        len(gazetteer.children(c.code))
        for d in gazetteer.children("17")
        for c in gazetteer.children(d.code)
    )
    assert total > 500


@pytest.mark.django_db
def test_province_codes_are_the_iso_provinces_of_the_reference_table():
    by_iso = {p.code: p for p in Province.objects.all()}
    for province in gazetteer.provinces():
        iso = gazetteer.province_iso(province.code)
        assert iso in by_iso, iso
        # The MEF names may carry a title ("រាជធានី" for the capital) the reference table omits.
        ours, theirs = (n.replace(" ", "") for n in (by_iso[iso].name_km, province.name_km))
        assert ours in theirs or theirs in ours, (iso, ours, theirs)


def test_label_follows_the_language():
    from django.utils import translation

    siem_reap = gazetteer.place("17")
    with translation.override("km"):
        assert siem_reap.label == "សៀមរាប"
    with translation.override("th"):
        assert siem_reap.label == "Siemreap"
    village = gazetteer.children(gazetteer.children(gazetteer.children("17")[0].code)[0].code)[0]
    assert village.full_label.endswith("Siemreap")


def test_cascade_walks_down_and_drops_what_no_longer_fits():
    start = gazetteer.cascade()
    assert start.place is None and len(start.options) == 25 and start.next_level == "province"
    district = gazetteer.children("17")[0]
    step = gazetteer.cascade("17", district.code)
    assert [p.code for p in step.chosen] == ["17", district.code]
    assert step.next_level == "commune"
    assert all(o.parent_code == district.code for o in step.options)
    # The province changed: the old district is dropped, the new province's districts offered.
    changed = gazetteer.cascade("12", district.code)
    assert [p.code for p in changed.chosen] == ["12"]
    assert all(o.parent_code == "12" for o in changed.options)
    commune = gazetteer.children(district.code)[0]
    village = gazetteer.children(commune.code)[0]
    done = gazetteer.cascade("17", district.code, commune.code, village.code)
    assert done.place == village and done.options == () and done.next_level is None
    # Nonsense is not a place.
    assert gazetteer.cascade("99", "<script>").chosen == ()
    assert gazetteer.place("'; drop table") is None


def test_search_in_either_script_is_bounded():
    found = gazetteer.search("angkor")
    assert found and any("Angkor" in p.name_en for p in found)
    assert len(found) <= gazetteer.SEARCH_LIMIT
    assert gazetteer.search("សៀមរាប", level="province")[0].code == "17"
    assert gazetteer.search("") == []
    assert len(gazetteer.search("a" * 100_000)) <= gazetteer.SEARCH_LIMIT
    with pytest.raises(ValueError):
        gazetteer.search("x", level="planet")


def test_attribution_names_the_source():
    assert "Ministry of Economy and Finance" in gazetteer.ATTRIBUTION
    assert str(gazetteer.DATA_YEAR) in gazetteer.ATTRIBUTION
