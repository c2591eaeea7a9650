"""Registry reads: the case list's filters and sorting, person search, the case file."""

import datetime

import pytest
from django.http import Http404

from ctip.audit.models import AuditEvent
from ctip.registry import selectors, services
from ctip.registry.selectors import CaseFilters, PersonQuery
from ctip.registry.tests.helpers import new_case, new_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "PCCT-12")


@pytest.fixture
def cases(officer, make_member):
    police = make_member("case_officer", "PAHT-12")
    return [
        new_case(police, kind="trafficking", opened_on=datetime.date(2024, 1, 10)),
        new_case(police, kind="sexual_exploitation", opened_on=datetime.date(2024, 5, 10)),
        new_case(police, kind="forced_criminality", opened_on=datetime.date(2023, 8, 1)),
    ]


def refs(queryset):
    return [case.reference for case in queryset]


def test_filters_by_kind_and_period(officer, cases):
    first_half = CaseFilters(
        opened_from=datetime.date(2024, 1, 1), opened_to=datetime.date(2024, 6, 30)
    )
    assert set(refs(selectors.case_list(actor=officer, filters=first_half))) == {
        cases[0].reference,
        cases[1].reference,
    }
    only_scam = CaseFilters(kind="forced_criminality")
    assert refs(selectors.case_list(actor=officer, filters=only_scam)) == [cases[2].reference]


def test_sorts_newest_first_by_default_and_oldest_first_on_request(officer, cases):
    assert refs(selectors.case_list(actor=officer)) == [
        c.reference for c in (cases[1], cases[0], cases[2])
    ]
    oldest = selectors.case_list(actor=officer, filters=CaseFilters(sort="opened"))
    assert refs(oldest) == [c.reference for c in (cases[2], cases[0], cases[1])]


def test_case_get_audits_the_read_and_hides_other_agencies_cases(officer, cases, make_member):
    selectors.case_get(actor=officer, pk=cases[0].pk)
    assert AuditEvent.objects.filter(action="view", object_id=str(cases[0].pk)).exists()
    with pytest.raises(Http404):
        selectors.case_get(actor=make_member("case_officer", "PAHT-18"), pk=cases[0].pk)
    assert AuditEvent.objects.filter(action="denied", object_id=str(cases[0].pk)).exists()


@pytest.fixture
def victim(officer, cases):
    police = cases[0].created_by
    person = new_person(police, given_name_latin="Sokhar", family_name_latin="Chan")
    services.participant_add(actor=police, case=cases[0], person=person, role="victim")
    services.document_add(actor=police, person=person, kind="passport", number="N 0123-4567")
    return person


@pytest.mark.parametrize("name", ["Sokha Chan", "Chan Sokha", "sokhar", "ចាន់ សុខា", "សុខា", "CHAN"])
def test_person_found_by_name_variants_in_both_scripts(officer, victim, name):
    assert victim in selectors.person_search(actor=officer, query=PersonQuery(name=name))


def test_person_found_by_birth_date_age_and_document(officer, victim):
    assert victim in selectors.person_search(
        actor=officer, query=PersonQuery(date_of_birth=datetime.date(2008, 5, 17))
    )
    assert not selectors.person_search(
        actor=officer, query=PersonQuery(date_of_birth=datetime.date(2008, 5, 18))
    )
    age = datetime.date.today().year - 2008
    assert victim in selectors.person_search(actor=officer, query=PersonQuery(age=age))
    assert victim in selectors.person_search(
        actor=officer, query=PersonQuery(document_number="n01234567")
    )


def test_person_search_stays_inside_the_actors_scope(victim, make_member):
    outsider = make_member("case_officer", "PAHT-18")
    assert selectors.person_search(actor=outsider, query=PersonQuery(name="Sokha Chan")) == []


def test_case_file_tells_the_story_in_order(cases):
    police = cases[0].created_by
    case = cases[0]
    for kind, day in [("rescue", 20), ("recruitment", 1), ("exploitation", 12), ("transit", 5)]:
        services.event_add(
            actor=police, case=case, kind=kind, occurred_on=datetime.date(2024, 1, day)
        )
    file = selectors.case_file(actor=police, case=case)
    assert [e.kind for e in file.timeline] == ["recruitment", "transit", "exploitation", "rescue"]
