"""The indicator rows (decision 0306): kept current on every kind of change, the same whether
read again case by case or all at once, and counted alike with and without their ranking."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from ctip.access.choices import Action
from ctip.registry import services
from ctip.registry.models import Case, Person
from ctip.registry.selectors import person_queryset
from ctip.registry.synthetic import demo_data_generate
from ctip.stats.indicators import CATALOGUE
from ctip.stats.models import IndicatorRow, StaleCase
from ctip.stats.periods import parse_period
from ctip.stats.rows import FULL_REFRESH_SHARE, indicator_rows_refresh
from ctip.stats.selectors import indicator_cube

from .builders import Registry

D = datetime.date
UNTIL = D(2025, 12, 31)
pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "AHTJP")


@pytest.fixture
def analyst(make_member):
    return make_member("analyst", "NCCT")


def snapshot() -> list[tuple]:
    """Every indicator row without its own id, in a stable order."""
    fields = [f.attname for f in IndicatorRow._meta.concrete_fields if f.name != "id"]
    return sorted(IndicatorRow.objects.values_list(*fields), key=repr)


def generated(cases: int = 80) -> None:
    demo_data_generate(actor=None, cases=cases, seed=5, until=UNTIL)


def test_generated_cases_are_marked_and_read_in_one_pass():
    generated()
    assert StaleCase.objects.count() == Case.objects.count() == 80
    assert indicator_rows_refresh() == 80
    assert not StaleCase.objects.exists()
    sources = set(IndicatorRow.objects.values_list("source", flat=True))
    assert {"arrests", "suspects", "victims_identified", "victims_rescued"} <= sources


def test_rows_read_case_by_case_equal_rows_read_all_at_once(officer):
    generated()
    indicator_rows_refresh()
    before = snapshot()
    reg = Registry(officer)
    # A victim rescued in one case is rescued earlier in another: their first rescue (and
    # so the flags of rows in a case that did not change) moves.
    row = (
        IndicatorRow.objects.filter(source="victims_rescued", first_in_half=True)
        .exclude(day__day=1)
        .first()
    )
    assert row is not None
    half_start = D(row.year, 1 if row.half == 1 else 7, 1)
    person = Person.objects.get(pk=row.person_id)
    other = reg.case(half_start)
    reg.victim(other, person)
    reg.rescue(other, half_start, person)
    # A person's own values change: every row they are counted in follows.
    # (One the officer may change: the generator spreads persons over many agencies.)
    person = (
        person_queryset(actor=officer, action=Action.CHANGE)
        .filter(participations__role="victim")
        .exclude(sex="male")
        .first()
    )
    assert person is not None
    services.person_update(actor=officer, person=person, sex="male")
    marked = StaleCase.objects.count()
    assert 0 < marked <= FULL_REFRESH_SHARE * Case.objects.count()  # the case-by-case path
    assert indicator_rows_refresh() == marked
    case_by_case = snapshot()
    assert case_by_case != before
    row.refresh_from_db()
    assert not row.first_in_half  # in a case that did not change
    indicator_rows_refresh(everything=True)
    assert snapshot() == case_by_case
    assert IndicatorRow.objects.filter(person_id=person.pk).exclude(sex="male").count() == 0


@pytest.mark.parametrize("period", ["2024H1", "2024H2", "2025"])
def test_ranked_rows_count_as_ranking_when_counting(period):
    """Over every case the stored first-in-period flags are used; over some cases the first
    row is found when counting. Over the same cases both give the same figures."""
    from ctip.stats.indicators import analytic_session

    generated(120)
    indicator_rows_refresh()
    every = Case.objects.all()
    same_but_filtered = Case.objects.filter(pk__gt=0)
    wanted = parse_period(period)
    compared = 0
    with analytic_session():
        for indicator in CATALOGUE.values():
            ranked = indicator.query(every, wanted)
            ranking = indicator.query(same_but_filtered, wanted)
            assert ranked.cells == ranking.cells, indicator.id
            compared += bool(ranked.total)
    assert compared >= 5  # the generated data reach most indicators in the period


def test_a_change_shows_in_the_next_count(officer, analyst):
    reg = Registry(officer)
    case = reg.case(D(2024, 2, 1))
    woman = reg.person("female", 1990)
    reg.victim(case, woman)
    reg.rescue(case, D(2024, 2, 2), woman)
    h1 = parse_period("2024H1")
    assert indicator_cube(actor=analyst, indicator_id="victims_rescued", period=h1).by("sex") == {
        "female": 1
    }
    services.person_update(actor=officer, person=woman, sex="male")
    assert indicator_cube(actor=analyst, indicator_id="victims_rescued", period=h1).by("sex") == {
        "male": 1
    }


def test_a_mark_commits_or_rolls_back_with_the_change(officer):
    reg = Registry(officer)
    case = reg.case(D(2024, 2, 1))
    indicator_rows_refresh()
    with pytest.raises(ValidationError):  # refused: nothing saved, nothing marked
        services.case_update(actor=officer, case=case, opened_on=D(2999, 1, 1))
    assert not StaleCase.objects.exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_update(actor=officer, case=case, kind="sexual_exploitation")
        assert StaleCase.objects.filter(case_id=case.pk).exists()  # marked with the change
        raise RuntimeError("the rest of the caller's work fails")
    assert not StaleCase.objects.exists()  # gone with the rolled-back change


def test_refresh_command_reports_what_it_did():
    generated(10)
    out = StringIO()
    call_command("stats", "refresh", stdout=out)
    assert "10 changed case(s)" in out.getvalue()
    out = StringIO()
    call_command("stats", "refresh", "--all", stdout=out)
    assert "every case" in out.getvalue()
    assert IndicatorRow.objects.exists()


def test_a_case_changed_during_a_recount_stays_marked(officer, monkeypatch):
    """A recount deletes only the marks it read: a case marked again while it runs (a writer
    committing meanwhile) keeps a mark, under a new id, for the next recount."""
    from ctip.stats import rows as stats_rows

    reg = Registry(officer)
    cases = [reg.case(D(2024, 2, day)) for day in range(1, 11)]
    indicator_rows_refresh()
    changed, other = cases[0], cases[1]
    stats_rows.cases_mark_stale([changed.pk, other.pk])
    first_mark = StaleCase.objects.get(case_id=changed.pk).pk
    real_refresh = stats_rows._refresh_cases

    def refresh_while_a_writer_marks(case_ids):
        real_refresh(case_ids)
        stats_rows.cases_mark_stale([changed.pk])  # the writer, meanwhile

    monkeypatch.setattr(stats_rows, "_refresh_cases", refresh_while_a_writer_marks)
    assert indicator_rows_refresh() == 2
    assert list(StaleCase.objects.values_list("case_id", flat=True)) == [changed.pk]
    assert StaleCase.objects.get(case_id=changed.pk).pk > first_mark
