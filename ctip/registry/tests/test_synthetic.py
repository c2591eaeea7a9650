"""The synthetic data generator: seeded, realistic, protected like real data, and searchable."""

import datetime
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from ctip.access.models import User
from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.registry import synthetic_data as pools
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.crypto import blind_index, decrypt, is_current
from ctip.registry.models import (
    Arrest,
    Case,
    Event,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)
from ctip.registry.names import name_keys, skeleton
from ctip.registry.selectors import PersonQuery, person_search
from ctip.registry.services import document_number_index
from ctip.registry.synthetic import demo_data_generate

pytestmark = pytest.mark.django_db

UNTIL = datetime.date(2025, 12, 31)


def generate(cases: int = 200, seed: int = 11, **options: Any) -> Any:
    return demo_data_generate(actor=None, cases=cases, seed=seed, until=UNTIL, **options)


def case_story(cases: list[Case]) -> list[tuple[Any, ...]]:
    """What a reader sees of cases and everything in them, without database ids."""
    story = []
    for case in cases:
        participants = list(
            Participant.objects.filter(case=case).select_related("person").order_by("id")
        )
        story.append(
            (
                case.reference[:8],
                case.kind,
                case.status,
                case.source,
                case.owning_agency.code,
                case.province.code,
                case.opened_on,
                case.closed_on,
                case.summary,
                [
                    (
                        p.role,
                        p.person.given_name_latin,
                        p.person.family_name_km,
                        p.person.date_of_birth,
                        p.person.estimated_age,
                        p.person.name_keys,
                    )
                    for p in participants
                ],
                list(Event.objects.filter(case=case).values_list("kind", "occurred_on", "place")),
                list(Arrest.objects.filter(case=case).values_list("arrested_on", "charges")),
                list(Proceeding.objects.filter(case=case).values_list("verdict", "filed_on")),
                sorted(case.shares.values_list("agency__code", flat=True)),
            )
        )
    return story


def test_same_seed_gives_the_same_cases_and_another_seed_does_not() -> None:
    generate(cases=60, seed=5)
    first = list(Case.objects.order_by("id").select_related("owning_agency", "province"))
    generate(cases=60, seed=5)
    generate(cases=60, seed=6)
    cases = list(Case.objects.order_by("id").select_related("owning_agency", "province"))
    assert case_story(cases[60:120]) == case_story(first)
    assert case_story(cases[120:]) != case_story(first)


def test_worker_processes_build_exactly_what_one_process_builds() -> None:
    generate(cases=90, seed=8, batch_size=25, workers=0)
    generate(cases=90, seed=8, batch_size=25, workers=2)
    cases = list(Case.objects.order_by("id").select_related("owning_agency", "province"))
    assert case_story(cases[90:]) == case_story(cases[:90])
    # The second run's ids all come after the first run's; case ids have no gaps.
    first_run = {p.person_id for c in cases[:90] for p in c.participants.all()}
    second_run = {p.person_id for c in cases[90:] for p in c.participants.all()}
    assert max(first_run) < min(second_run)
    assert [c.pk for c in cases] == list(range(cases[0].pk, cases[0].pk + 180))


def test_case_kinds_places_and_people_look_like_cambodian_figures() -> None:
    generate(cases=800, seed=3)
    kinds = Counter(Case.objects.values_list("kind", flat=True))
    total_weight = sum(pools.CASE_KIND_WEIGHTS.values())
    for kind, weight in pools.CASE_KIND_WEIGHTS.items():
        assert abs(kinds[kind] / 800 - weight / total_weight) < 0.06, kind
    assert kinds.most_common(1)[0][0] == "sexual_exploitation"

    provinces = Counter(Case.objects.values_list("province__code", flat=True))
    # Preah Sihanouk has 2 % of the population but is the scam-compound hotspot.
    assert provinces["KH-18"] / 800 > 0.05
    assert provinces["KH-12"] > provinces["KH-11"]  # Phnom Penh well above Mondulkiri

    victims = Participant.objects.filter(role=ParticipantRole.VICTIM)
    profiles = VictimProfile.objects.all()
    minors = profiles.filter(age_when_trafficked__lt=18).count()
    assert 0.2 < minors / profiles.count() < 0.6
    female = victims.filter(person__sex="female").count()
    assert female / victims.count() > 0.6
    assert 1.3 < victims.count() / 800 < 3.5

    scam_victims = victims.filter(case__kind="forced_criminality")
    nationalities = Counter(c for p in scam_victims for c in p.person.citizenships)
    assert {"CHN", "VNM", "IDN", "THA", "MYS", "PHL"} <= set(nationalities)
    assert nationalities["KHM"] < sum(nationalities.values()) / 2

    arrested = Counter(
        c for a in Arrest.objects.select_related("person") for c in a.person.citizenships
    )
    foreign = sum(n for country, n in arrested.items() if country != "KHM")
    assert 0 < foreign < sum(arrested.values()) / 2

    owners = Counter(Case.objects.values_list("owning_agency__kind", flat=True))
    assert owners["police_unit"] > owners["province_committee"] > 0
    assert owners["ngo"] > 0


def test_dates_follow_the_story_and_none_is_in_the_future() -> None:
    generate(cases=300, seed=4)
    order = [EventKind.RECRUITMENT, EventKind.TRANSIT, EventKind.EXPLOITATION, EventKind.RESCUE]
    for case in Case.objects.prefetch_related("events"):
        assert case.opened_on <= UNTIL
        assert case.closed_on is None or case.opened_on <= case.closed_on <= UNTIL
        assert case.is_closed == (case.closed_on is not None)
        dates = {e.kind: e.occurred_on for e in case.events.all()}
        assert all(day <= UNTIL for day in dates.values())
        story = [dates[kind] for kind in order if kind in dates]
        assert story == sorted(story), case.reference
        assert dates[EventKind.EXPLOITATION] <= case.opened_on
    for arrest in Arrest.objects.all():
        assert arrest.arrested_on <= UNTIL
    for proceeding in Proceeding.objects.all():
        assert proceeding.filed_on <= UNTIL
        assert proceeding.verdict_on is None or proceeding.filed_on <= proceeding.verdict_on
    recruitment = {e.case_id: e.occurred_on for e in Event.objects.filter(kind="recruitment")}
    for participant in Participant.objects.filter(role="victim").select_related("person"):
        born = participant.person.date_of_birth
        assert born is None or born < recruitment[participant.case_id]


def test_encrypted_columns_hold_only_tokens_and_search_keys_match_the_services() -> None:
    generate(cases=150, seed=9)
    encrypted = {
        "registry_person": [
            "given_name_km",
            "family_name_km",
            "given_name_latin",
            "family_name_latin",
            "aliases",
            "date_of_birth",
            "phone",
            "address",
        ],
        "registry_case": ["summary"],
        "registry_identitydocument": ["number"],
    }
    seen = 0
    with connection.cursor() as cursor:
        for table, columns in encrypted.items():
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    if value in (None, ""):
                        continue
                    assert is_current(value), value  # a token under our key
                    plaintext = decrypt(value)
                    if len(plaintext) >= 6:  # shorter strings turn up in base64 by chance
                        assert plaintext not in value
                    seen += 1
    assert seen > 500
    for person in Person.objects.all():
        names = [
            person.given_name_km,
            person.family_name_km,
            person.given_name_latin,
            person.family_name_latin,
        ]
        assert person.name_keys == name_keys(*names, *person.aliases)
        if person.date_of_birth:
            assert person.dob_index == blind_index(person.date_of_birth.isoformat(), purpose="dob")
            assert person.birth_year == person.date_of_birth.year
        else:
            assert person.estimated_age is not None and person.age_recorded_on is not None
            assert person.birth_year == person.age_recorded_on.year - person.estimated_age
    for document in IdentityDocument.objects.all():
        assert document.number_index == document_number_index(document.number)


def test_every_latin_spelling_of_a_khmer_name_has_the_same_search_key() -> None:
    for pool in (pools.KHMER_FAMILY_ALL, pools.KHMER_GIVEN_FEMALE_ALL, pools.KHMER_GIVEN_MALE_ALL):
        for _khmer, spellings in pool:
            keys = {" ".join(sorted(skeleton(p) for p in s.split())) for s in spellings}
            assert len(keys) == 1, spellings


def test_search_finds_generated_persons_by_another_spelling_and_in_khmer_script() -> None:
    generate(cases=150, seed=12)
    admin = User.objects.create_superuser("root-search", password="a-long-test-password")
    by_spelling = {}
    for khmer, spellings in pools.KHMER_GIVEN_FEMALE_ALL + pools.KHMER_GIVEN_MALE_ALL:
        for spelling in spellings:
            by_spelling[spelling] = (khmer, spellings)
    family_by_spelling = {
        s: spellings for _k, spellings in pools.KHMER_FAMILY_ALL for s in spellings
    }
    tried = 0
    for person in Person.objects.order_by("id")[:400]:
        if person.citizenships != ["KHM"]:
            continue
        if person.given_name_latin not in by_spelling:
            continue  # a record with the names swapped or only in Khmer script
        if person.family_name_latin not in family_by_spelling:
            continue
        _khmer, spellings = by_spelling[person.given_name_latin]
        other = next(s for s in spellings if s != person.given_name_latin)
        family = family_by_spelling[person.family_name_latin]
        other_family = family[-1] if family[0] == person.family_name_latin else family[0]
        # Family name first, spelled differently: the way another officer would type it.
        found = person_search(actor=admin, query=PersonQuery(name=f"{other_family} {other}"))
        assert person in found, (other_family, other, person.display_name)
        tried += 1
        if tried >= 15:
            break
    assert tried >= 10
    khmer_person = Person.objects.exclude(family_name_km="").first()
    assert khmer_person is not None
    query = f"{khmer_person.family_name_km} {khmer_person.given_name_km}".strip()
    assert khmer_person in person_search(actor=admin, query=PersonQuery(name=query, limit=500))


def test_the_same_person_recurs_across_agencies_with_small_differences() -> None:
    result = generate(cases=400, seed=13)
    assert result.recurring_persons > 0 and result.reused_persons > 0
    by_birth: dict[Any, list[Person]] = {}
    for person in Person.objects.exclude(date_of_birth=None):
        by_birth.setdefault(person.date_of_birth, []).append(person)
    recurring = 0
    for people in by_birth.values():
        for i, one in enumerate(people):
            for other in people[i + 1 :]:
                same_name = set(one.name_keys.split()) & set(other.name_keys.split())
                if same_name and one.registered_by_id != other.registered_by_id:
                    recurring += 1
    assert recurring >= 3
    in_two_cases = Participant.objects.values("person").distinct().count()
    assert in_two_cases < Participant.objects.count()


def test_a_run_is_audited_once_and_the_command_reports_it() -> None:
    before = AuditEvent.objects.count()
    call_command("demo_data", cases=40, seed=1, until="2025-12-31", no_progress=True)
    events = AuditEvent.objects.order_by("sequence")[before:]
    assert [e.action for e in events] == [AuditAction.BULK_CREATE]
    assert events[0].detail["rows"]["case"] == 40
    assert Case.objects.count() == 40


def test_if_empty_leaves_a_registry_with_cases_alone() -> None:
    call_command("demo_data", cases=10, seed=1, until="2025-12-31", if_empty=True, no_progress=True)
    call_command("demo_data", cases=10, seed=2, until="2025-12-31", if_empty=True, no_progress=True)
    assert Case.objects.count() == 10


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"cases": 0}, "--cases"),
        ({"cases": 5, "batch_size": 0}, "--batch-size"),
        ({"cases": 5, "until": "2999-01-01"}, "--until"),
        ({"cases": 5, "until": "yesterday"}, "--until"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_written(options: dict, field: str) -> None:
    with pytest.raises(CommandError, match=field):
        call_command("demo_data", no_progress=True, **options)
    assert not Case.objects.exists() and not Person.objects.exists()


def test_the_service_refuses_bad_input_by_field() -> None:
    with pytest.raises(ValidationError) as error:
        demo_data_generate(actor=None, cases=-1, seed=1, workers=-2)
    assert set(error.value.message_dict) == {"cases", "workers"}
