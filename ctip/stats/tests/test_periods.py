def test_khmer_period_names_use_khmer_digits() -> None:
    from django.utils import translation

    from ctip.stats.periods import Period

    with translation.override("km"):
        names = [Period(2024).name(), Period(2024, 1).name(), Period(2024, 2).name()]
    assert all("២០២៤" in name and "2024" not in name for name in names)
    with translation.override("en"):
        assert Period(2024, 1).name() == "First half of 2024"
