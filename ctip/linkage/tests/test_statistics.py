"""Statistics count identities: a victim registered by three agencies counts once, and the
dark figure's lists are built from identities; unmerging brings the separate counts back."""

import datetime
from typing import Any

import pytest

from ctip.linkage import services
from ctip.linkage.choices import Decision
from ctip.linkage.models import Candidate
from ctip.stats.periods import parse_period
from ctip.stats.selectors import indicator_cube, registry_capture_table
from ctip.stats.tests.builders import Registry

pytestmark = pytest.mark.django_db
H1 = parse_period("2024H1")
DAY = datetime.date(2024, 2, 1)


def link(reviewer: Any, a: Any, b: Any) -> None:
    """Two records joined the way a reviewer joins them, through the queue."""
    first, second = sorted([a.pk, b.pk])
    candidate = Candidate.objects.create(
        person_a_id=first,
        person_b_id=second,
        probability=0.9,
        fingerprint=services.pair_fingerprint(first, second),
    )
    services.candidate_decide(
        actor=reviewer,
        candidate=candidate,
        decision=Decision.SAME,
        fingerprint=candidate.fingerprint,
    )


def victims(actor: Any) -> int:
    return int(indicator_cube(actor=actor, indicator_id="victims_identified", period=H1).total)


def test_a_victim_registered_by_three_agencies_counts_once(make_member: Any, reviewer: Any) -> None:
    analyst = make_member("analyst", "NCCT")
    agencies = [("AHTJP", "Sokha"), ("MOSVY", "Sokhar"), ("NGO-CWCC", "Sokha")]
    records = []
    for code, name in agencies:
        registry = Registry(make_member("case_officer", code), code)
        person = registry.person(name=f"Chan {name}", born=2008)
        registry.victim(registry.case(DAY), person)
        records.append(person)
    alone = Registry(make_member("case_officer", "AHTJP"))
    alone.victim(alone.case(DAY), alone.person(name="Other", born=1990))
    assert victims(analyst) == 4
    link(reviewer, records[0], records[1])
    link(reviewer, records[1], records[2])
    assert victims(analyst) == 2
    services.person_unmerge(actor=reviewer, person=records[2], reason="Another girl")
    assert victims(analyst) == 3


def test_the_dark_figure_lists_are_built_from_identities(make_member: Any, reviewer: Any) -> None:
    police = Registry(make_member("case_officer", "AHTJP"))
    ministry = Registry(make_member("case_officer", "MOSVY"), "MOSVY")
    p_case, m_case = police.case(DAY), ministry.case(DAY)
    seen_by_police = police.person(name="Chan Sokha")
    seen_by_ministry = ministry.person(name="Chan Sokhar")
    police.victim(p_case, seen_by_police)
    ministry.victim(m_case, seen_by_ministry)
    police.victim(p_case, police.person(name="PoliceOnly"))
    ministry.victim(m_case, ministry.person(name="MinistryOnly"))
    analyst = make_member("analyst", "NCCT")

    def histories() -> dict[tuple[str, ...], int]:
        """Persons by the lists that caught them (the lists' order follows their sizes)."""
        table = registry_capture_table(actor=analyst, period=H1)
        assert sorted(table.lists) == ["ministry", "police_unit"]
        cells = zip(table.cells, table.counts, strict=True)
        return {
            tuple(sorted(name for name, v in zip(table.lists, c, strict=True) if int(v))): int(n)
            for c, n in cells
            if n
        }

    assert histories() == {("ministry",): 2, ("police_unit",): 2}
    link(reviewer, seen_by_police, seen_by_ministry)
    assert histories() == {("ministry",): 1, ("police_unit",): 1, ("ministry", "police_unit"): 1}
