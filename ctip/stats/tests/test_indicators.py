"""Counting rules of the indicator catalogue, checked on records made through the services."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.reference.models import Province
from ctip.registry import services
from ctip.stats.indicators import CATALOGUE, national_rate_per_100k
from ctip.stats.periods import parse_period
from ctip.stats.selectors import aggregate_cases_refreshing_rows, indicator_cube, period_figures

from .builders import Registry

D = datetime.date
H1, H2, Y = parse_period("2024H1"), parse_period("2024H2"), parse_period("2024")


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "AHTJP")


@pytest.fixture
def analyst(make_member):
    return make_member("analyst", "NCCT")


def count(actor, indicator_id, period):
    return indicator_cube(actor=actor, indicator_id=indicator_id, period=period).total


def test_case_belongs_to_the_period_it_was_registered_in(officer, analyst):
    reg = Registry(officer)
    reg.case(D(2024, 1, 5), kind="trafficking")
    reg.case(D(2024, 6, 30), kind="sexual_exploitation")
    reg.case(D(2024, 7, 1), kind="sexual_exploitation")
    reg.case(D(2023, 12, 31))
    h1 = indicator_cube(actor=analyst, indicator_id="cases", period=H1)
    assert h1.total == 2
    assert h1.by("kind") == {"sexual_exploitation": 1, "trafficking": 1}
    assert count(analyst, "cases", H2) == 1
    assert count(analyst, "cases", Y) == 3


def test_victim_rescued_twice_in_a_period_counts_once(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 1, 10))
    woman, girl = reg.person("female", 1995), reg.person("female", 2010, name="Girl")
    reg.victim(case, woman)
    reg.victim(case, girl)
    reg.rescue(case, D(2024, 2, 1), woman, girl)
    reg.rescue(case, D(2024, 3, 1), woman)
    reg.rescue(case, D(2024, 8, 1), woman)
    h1 = indicator_cube(actor=analyst, indicator_id="victims_rescued", period=H1)
    assert h1.total == 2
    assert h1.by("age_group") == {"adult": 1, "minor": 1}
    assert h1.by("age_band") == {"27-29": 1, "9-17": 1}
    assert count(analyst, "victims_rescued", H2) == 1
    assert count(analyst, "victims_rescued", Y) == 2


def test_a_rescued_person_who_is_not_a_victim_is_not_counted(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 1, 10))
    victim, suspect = reg.person(), reg.person("male", name="Suspect")
    reg.victim(case, victim)
    services.participant_add(actor=officer, case=case, person=suspect, role="suspect")
    reg.rescue(case, D(2024, 2, 1), victim, suspect)
    ruled_out = reg.person(name="NotVictim")
    reg.victim(case, ruled_out, trafficking_status="NotAVictimOfTrafficking")
    reg.rescue(case, D(2024, 2, 2), ruled_out)
    assert count(analyst, "victims_rescued", H1) == 1


def test_person_arrested_twice_counts_once_and_foreigners_are_told_apart(officer, analyst):
    reg = Registry(officer)
    first, second = reg.case(D(2024, 1, 3)), reg.case(D(2024, 2, 3))
    local = reg.person("male", 1980)
    dual = reg.person("male", 1980, citizenships=["THA", "KHM"], name="Dual")
    foreign = reg.person("female", 1980, citizenships=["CHN"], name="Foreign")
    reg.arrest(first, local, D(2024, 1, 4))
    reg.arrest(second, local, D(2024, 2, 4))
    reg.arrest(first, dual, D(2024, 1, 4))
    reg.arrest(second, foreign, D(2024, 2, 5))
    cube = indicator_cube(actor=analyst, indicator_id="arrests", period=H1)
    assert cube.total == 3
    assert cube.by("nationality_group") == {"foreign": 1, "national": 2}
    assert cube.by("nationality") == {"CHN": 1, "KHM": 2}
    assert cube.by("sex") == {"female": 1, "male": 2}


def test_victim_in_two_cases_is_identified_once_and_margins_add_up(officer, analyst):
    reg = Registry(officer)
    a = reg.case(D(2024, 1, 3), province="KH-12")
    b = reg.case(D(2024, 4, 3), province="KH-2", kind="sexual_exploitation")
    person = reg.person("female", 2008)
    reg.victim(a, person, exploitation_types=["SexualExploitation"])
    reg.victim(b, person, exploitation_types=["ForcedLabour"])
    other = reg.person("male", None, citizenships=["VNM"], name="Other")
    reg.victim(b, other)
    cube = indicator_cube(actor=analyst, indicator_id="victims_identified", period=H1)
    assert cube.total == 2
    # The first record in the period decides the person's cell.
    assert cube.by("province") == {"KH-12": 1, "KH-2": 1}
    assert cube.by("exploitation") == {"SexualExploitation": 1, "unknown": 1}
    assert cube.by("age_group") == {"minor": 1, "unknown": 1}
    for dim in cube.dims:
        assert sum(cube.by(dim).values()) == cube.total


def test_identified_on_moves_a_victim_out_of_the_registration_period(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 6, 1))
    reg.victim(case, reg.person(), identified_on=D(2024, 7, 15))
    assert count(analyst, "victims_identified", H1) == 0
    assert count(analyst, "victims_identified", H2) == 1


def test_convictions_and_sentences(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 1, 3))
    defendant = reg.person("male", 1970)
    court = case.owning_agency.__class__.objects.get(code="COURT-1")
    services.proceeding_add(
        actor=officer,
        case=case,
        filed_on=D(2024, 2, 1),
        defendant=defendant,
        court=court,
        stage="trial",
        verdict="convicted",
        verdict_on=D(2024, 5, 1),
        sentence_months=84,
    )
    services.proceeding_add(actor=officer, case=case, filed_on=D(2024, 3, 1))
    assert count(analyst, "prosecutions", H1) == 2
    convictions = indicator_cube(actor=analyst, indicator_id="convictions", period=H1)
    assert convictions.by("sentence") == {"5-10y": 1}
    assert count(analyst, "prison_sentences", H1) == 1
    assert count(analyst, "convictions", H2) == 0


def test_victims_per_100k_uses_the_2019_census(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 1, 3), province="KH-2")
    for i in range(3):
        reg.victim(case, reg.person(name=f"V{i}"))
    rates = indicator_cube(actor=analyst, indicator_id="victims_per_100k", period=H1)
    population = Province.objects.get(code="KH-2").population_2019
    assert rates.by("province")["KH-2"] == round(3 * 100000 / population, 2)
    assert rates.by("province")["KH-12"] == 0
    assert 0 < national_rate_per_100k(3) < rates.by("province")["KH-2"]


def test_aggregates_follow_the_actor(officer, analyst, make_member):
    Registry(officer).case(D(2024, 1, 3))
    Registry(make_member("case_officer", "GDI"), "GDI").case(D(2024, 1, 4))
    secretariat_officer = make_member("case_officer", "NCCT")
    assert count(analyst, "cases", H1) == 2
    assert count(secretariat_officer, "cases", H1) == 2
    assert count(officer, "cases", H1) == 1  # only what the policy lets the officer see
    with pytest.raises(PermissionDenied):
        count(AnonymousUser(), "cases", H1)


@pytest.mark.parametrize("text", ["2024H3", "24H1", "2024-H1", "", "H1"])
def test_unknown_periods_are_refused_naming_the_field(text):
    with pytest.raises(ValidationError) as error:
        parse_period(text)
    assert "period" in error.value.message_dict


def test_unknown_indicator_is_refused_naming_the_field(analyst):
    with pytest.raises(ValidationError) as error:
        indicator_cube(actor=analyst, indicator_id="nonsense", period=H1)
    assert "indicator" in error.value.message_dict


def test_comparison_periods():
    assert str(H1.previous()) == "2023H2" and str(H1.year_before()) == "2023H1"
    assert str(H2.previous()) == "2024H1"
    assert str(Y.previous()) == "2023" and Y.start == D(2024, 1, 1) and Y.end == D(2024, 12, 31)


def test_every_indicator_runs_and_is_documented(analyst):
    figures = period_figures(actor=analyst, period=H1)
    assert set(figures.cubes) == set(CATALOGUE)
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "indicators.md").read_text()
    for indicator_id, entry in CATALOGUE.items():
        assert f"`{indicator_id}`" in doc
        assert entry.name_km and entry.counting_rule


def test_person_indicators_follow_the_actor(officer, analyst, make_member):
    mine, theirs = Registry(officer), Registry(make_member("case_officer", "GDI"), "GDI")
    for reg, day in ((mine, D(2024, 1, 3)), (theirs, D(2024, 1, 4))):
        case = reg.case(day)
        victim = reg.person(name=f"Victim{day.day}")
        reg.victim(case, victim)
        reg.rescue(case, day, victim)
        reg.arrest(case, reg.person("male", 1980, name=f"Suspect{day.day}"), day)
        services.proceeding_add(actor=reg.actor, case=case, filed_on=day)
    for indicator_id in ("victims_identified", "victims_rescued", "arrests", "prosecutions"):
        assert count(analyst, indicator_id, H1) == 2, indicator_id
        assert count(officer, indicator_id, H1) == 1, indicator_id


def test_periods_counted_together_match_periods_counted_one_by_one(officer, analyst):
    """The report reads a period, the one before and the one a year earlier in one query per
    indicator; each person still counts once per period, with that period's first record."""
    reg = Registry(officer)
    old, mid = reg.case(D(2023, 3, 1)), reg.case(D(2023, 9, 1), kind="sexual_exploitation")
    new = reg.case(D(2024, 2, 1))
    girl, woman = reg.person("female", 2010, name="Girl"), reg.person("female", 1990, name="W")
    man = reg.person("male", 1985, ["CHN"], name="Man")
    for case in (old, mid, new):
        reg.victim(case, girl)
        reg.arrest(case, man, case.opened_on + datetime.timedelta(days=2))
    reg.victim(mid, woman)
    reg.victim(new, woman)
    reg.rescue(old, D(2023, 3, 2), girl)
    reg.rescue(mid, D(2023, 9, 2), girl, woman)
    reg.rescue(new, D(2024, 2, 2), girl, woman)
    reg.rescue(new, D(2024, 3, 2), girl)
    reg.arrest(new, man, D(2024, 5, 3))
    services.proceeding_add(actor=officer, case=mid, filed_on=D(2023, 10, 5), defendant=man)
    services.proceeding_add(actor=officer, case=new, filed_on=D(2024, 2, 5), defendant=man)
    services.proceeding_add(actor=officer, case=new, filed_on=D(2024, 2, 6))
    cases = aggregate_cases_refreshing_rows(actor=analyst)
    # 2024 overlaps 2024H1 and 2023 both halves of 2023: those are read in separate passes.
    periods = (H1, H1.previous(), H1.year_before(), Y, parse_period("2023"))
    for indicator_id, entry in CATALOGUE.items():
        together = entry.cubes(cases, periods)
        for period in periods:
            assert together[period] == entry.query(cases, period), (indicator_id, period)
    rescued = CATALOGUE["victims_rescued"].cubes(cases, periods)
    assert [rescued[p].total for p in periods] == [2, 2, 1, 2, 2]
    assert rescued[parse_period("2023")].by("age_band") == {"9-17": 1, "30-38": 1}
    arrests = CATALOGUE["arrests"].cubes(cases, periods)
    assert [arrests[p].total for p in periods] == [1, 1, 1, 1, 1]
    assert arrests[H1].by("case_kind") == {"trafficking": 1}
    prosecutions = CATALOGUE["prosecutions"].cubes(cases, periods)
    assert [prosecutions[p].total for p in periods] == [2, 1, 0, 2, 1]


def test_bands_counted_in_sql_follow_the_python_rules(officer, analyst):
    """The database bands ages and sentences; age_band_of(), age_group_of() and
    sentence_band_of() state the rules, and every band edge lands where they say."""
    from collections import Counter

    from ctip.stats.indicators import age_band_of, age_group_of, sentence_band_of

    reg = Registry(officer)
    case = reg.case(D(2024, 2, 1))
    ages = [0, 8, 9, 17, 18, 20, 21, 29, 30, 38, 39, 47, 48, 90]
    for age in ages:
        reg.victim(case, reg.person(born=2024 - age, name=f"Age{age}"))
    reg.victim(case, reg.person(born=None, name="Recorded"), age_when_trafficked=17)
    reg.victim(case, reg.person(born=None, name="Unknown"))
    ages += [17, None]
    cube = indicator_cube(actor=analyst, indicator_id="victims_identified", period=H1)
    assert cube.by("age_band") == dict(Counter(age_band_of(a) for a in ages))
    assert cube.by("age_group") == dict(Counter(age_group_of(a) for a in ages))

    court = case.owning_agency.__class__.objects.get(code="COURT-1")
    months = [None, 1, 11, 12, 59, 60, 119, 120, 400]
    for i, sentence in enumerate(months):
        services.proceeding_add(
            actor=officer,
            case=case,
            filed_on=D(2024, 2, 1),
            defendant=reg.person("male", 1970, name=f"Defendant{i}"),
            court=court,
            stage="trial",
            verdict="convicted",
            verdict_on=D(2024, 5, 1),
            sentence_months=sentence,
        )
    convictions = indicator_cube(actor=analyst, indicator_id="convictions", period=H1)
    assert convictions.by("sentence") == dict(Counter(sentence_band_of(m) for m in months))
