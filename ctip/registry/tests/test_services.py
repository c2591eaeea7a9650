"""Registry writes: they validate, name the field at fault, change nothing on error, encrypt."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ctip.access.models import Agency
from ctip.registry import services
from ctip.registry.crypto import InvalidToken
from ctip.registry.models import Case, Person, Proceeding
from ctip.registry.selectors import PersonQuery, person_search
from ctip.registry.tests.helpers import new_case, new_person

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "PAHT-12")


@pytest.fixture
def supervisor(make_member):
    return make_member("supervisor", "PAHT-12")


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_case_gets_a_readable_reference(officer):
    case = new_case(officer, opened_on=datetime.date(2024, 2, 1))
    assert case.reference == f"CT-2024-{case.pk:07d}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"opened_on": TOMORROW}, "opened_on"),
        ({"kind": "smuggling"}, "kind"),
        ({"source": "rumour"}, "source"),
    ],
)
def test_bad_case_input_names_the_field_and_writes_nothing(officer, changes, field):
    with pytest.raises(ValidationError) as excinfo:
        new_case(officer, **changes)
    assert field in error_fields(excinfo)
    assert Case.objects.count() == 0


def test_registering_for_an_agency_one_is_not_in_is_refused(officer):
    with pytest.raises(PermissionDenied):
        new_case(officer, agency_code="AHTJP")
    assert Case.objects.count() == 0


def test_closing_before_opening_is_refused(officer, supervisor):
    case = new_case(officer, opened_on=datetime.date(2024, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.case_close(
            actor=supervisor, case=case, closed_on=datetime.date(2024, 2, 1), reason="done"
        )
    assert "closed_on" in error_fields(excinfo)
    case.refresh_from_db()
    assert case.status == "active"


def test_close_and_reopen(officer, supervisor):
    case = new_case(officer)
    with pytest.raises(PermissionDenied):
        services.case_close(actor=officer, case=case, reason="victim repatriated")
    services.case_close(
        actor=supervisor, case=case, status="closed_referred", reason="referred to DoSVY"
    )
    case.refresh_from_db()
    assert case.status == "closed_referred" and case.closed_on == timezone.localdate()
    services.case_reopen(actor=supervisor, case=case)
    case.refresh_from_db()
    assert case.status == "follow_up" and case.closed_on is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"estimated_age": 121, "date_of_birth": None}, "estimated_age"),
        ({"date_of_birth": TOMORROW}, "date_of_birth"),
        ({"citizenships": ["XXX"]}, "citizenships"),
        ({"gender": "NotAGender"}, "gender"),
        ({"sex": "robot"}, "sex"),
    ],
)
def test_bad_person_input_is_refused(officer, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        new_person(officer, **fields)
    assert field in error_fields(excinfo)
    assert Person.objects.count() == 0


def test_unknown_vocabulary_code_in_victim_profile_is_refused(officer):
    case = new_case(officer)
    participant = services.participant_add(
        actor=officer, case=case, person=new_person(officer), role="victim"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.victim_profile_save(
            actor=officer,
            participant=participant,
            trafficking_status="ActualVictimOfTrafficking",
            means_of_control=["DebtBondage", "MindControl"],
        )
    assert "means_of_control" in error_fields(excinfo)
    assert "MindControl" in str(excinfo.value)


def test_a_second_victim_profile_is_refused_by_the_service(officer):
    case = new_case(officer)
    participant = services.participant_add(
        actor=officer, case=case, person=new_person(officer), role="victim"
    )
    first = services.victim_profile_create(
        actor=officer, participant=participant, trafficking_status="ActualVictimOfTrafficking"
    )
    participant = type(participant).objects.get(pk=participant.pk)  # as another caller sees it
    with pytest.raises(ValidationError) as excinfo:
        services.victim_profile_create(
            actor=officer, participant=participant, trafficking_status="PossibleVictimOfTrafficking"
        )
    assert error_fields(excinfo) == {"participant"}
    first.refresh_from_db()
    assert first.trafficking_status == "ActualVictimOfTrafficking"


def test_proceeding_without_a_case_is_refused(officer):
    with pytest.raises(ValidationError) as excinfo:
        services.proceeding_add(actor=officer, case=None, filed_on=datetime.date(2024, 1, 1))
    assert "case" in error_fields(excinfo)
    assert Proceeding.objects.count() == 0


def test_proceeding_checks_court_charges_and_verdict_date(officer):
    case = new_case(officer)
    with pytest.raises(ValidationError) as excinfo:
        services.proceeding_add(
            actor=officer,
            case=case,
            filed_on=datetime.date(2024, 4, 1),
            court=Agency.objects.get(code="PAHT-12"),
            charges=["LSHTSE-99"],
            verdict="convicted",
        )
    assert {"court", "charges", "verdict_on"} <= error_fields(excinfo)


def test_a_proceeding_update_is_held_to_the_same_rules(officer):
    case = new_case(officer)
    proceeding = services.proceeding_add(
        actor=officer, case=case, filed_on=datetime.date(2024, 4, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.proceeding_update(
            actor=officer,
            proceeding=proceeding,
            court=Agency.objects.get(code="PAHT-12"),  # a police unit, not a court
            verdict="acquitted",
            verdict_on=datetime.date(2024, 6, 1),
            sentence_months=24,  # an acquittal carries no sentence
        )
    assert {"court", "sentence_months"} <= error_fields(excinfo)
    proceeding.refresh_from_db()
    assert proceeding.court is None and proceeding.verdict == "pending"


def test_only_a_police_unit_ministry_or_province_committee_makes_an_arrest(officer):
    case = new_case(officer)
    with pytest.raises(ValidationError) as excinfo:
        services.arrest_add(
            actor=officer,
            case=case,
            person=new_person(officer),
            arrested_on=datetime.date(2024, 3, 2),
            agency=Agency.objects.get(code="NGO-CWCC"),
        )
    assert "agency" in error_fields(excinfo)
    assert not case.arrests.exists()


def test_a_person_keeps_at_least_one_name_whichever_fields_an_update_sends(officer):
    person = new_person(
        officer, given_name_latin="Dara", family_name_latin="Sok", family_name_km=""
    )
    # Blanking the Khmer name of a person known by Latin names is fine (it was refused).
    services.person_update(actor=officer, person=person, given_name_km="")
    with pytest.raises(ValidationError) as excinfo:
        services.person_update(
            actor=officer, person=person, given_name_latin="", family_name_latin=""
        )
    assert "family_name_latin" in error_fields(excinfo)
    person.refresh_from_db()
    assert (person.given_name_latin, person.family_name_latin) == ("Dara", "Sok")


def test_event_persons_must_take_part_in_the_case(officer):
    case = new_case(officer)
    stranger = new_person(officer, given_name_latin="Dara")
    with pytest.raises(ValidationError) as excinfo:
        services.event_add(
            actor=officer,
            case=case,
            kind="rescue",
            occurred_on=datetime.date(2024, 3, 2),
            persons=[stranger],
        )
    assert "persons" in error_fields(excinfo)


def test_arrest_makes_the_person_a_suspect(officer):
    case = new_case(officer)
    suspect = new_person(
        officer, given_name_latin="Wei", family_name_latin="Zhang", citizenships=["CHN"]
    )
    services.arrest_add(
        actor=officer,
        case=case,
        person=suspect,
        arrested_on=datetime.date(2024, 3, 5),
        agency=Agency.objects.get(code="PAHT-12"),
        charges=["LSHTSE-15"],
    )
    assert case.participants.filter(person=suspect, role="suspect").exists()


def test_identity_fields_are_not_stored_in_plaintext(officer):
    person = new_person(officer, given_name_latin="Sreymom", phone="+855 12 345 678")
    services.document_add(actor=officer, person=person, kind="national_id", number="010203040")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name_latin, given_name_km, phone, date_of_birth FROM registry_person"
        )
        row = cursor.fetchone()
        cursor.execute("SELECT number FROM registry_identitydocument")
        number = cursor.fetchone()[0]
    assert "Sreymom" not in str(row) and "សុខា" not in str(row) and "345" not in str(row)
    assert "2008" not in str(row[3])
    assert "010203040" not in number
    assert Person.objects.get(pk=person.pk).given_name_latin == "Sreymom"


def test_altered_ciphertext_raises_instead_of_returning_garbage(officer):
    person = new_person(officer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name_latin FROM registry_person WHERE id = %s", [person.pk])
        token = cursor.fetchone()[0]
        tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
        cursor.execute(
            "UPDATE registry_person SET given_name_latin = %s WHERE id = %s", [tampered, person.pk]
        )
    with pytest.raises(InvalidToken):
        Person.objects.get(pk=person.pk)


def test_closed_case_cannot_be_added_to(officer, supervisor):
    case = new_case(officer)
    services.case_close(actor=supervisor, case=case, reason="done")
    with pytest.raises(PermissionDenied):
        services.participant_add(
            actor=officer, case=case, person=new_person(officer), role="victim"
        )


def test_no_add_or_save_service_writes_to_a_closed_case(officer, supervisor):
    """The rule lives in the services, so the API refuses what the pages refuse."""
    from ctip.registry.models import Arrest, Event, Proceeding, VictimProfile

    case = new_case(officer)
    victim = services.participant_add(
        actor=officer, case=case, person=new_person(officer), role="victim"
    )
    services.case_close(actor=supervisor, case=case, reason="done")
    case.refresh_from_db()
    victim.refresh_from_db()
    day = datetime.date(2024, 3, 1)
    attempts = [
        lambda: services.victim_profile_save(
            actor=officer, participant=victim, trafficking_status="ActualVictimOfTrafficking"
        ),
        lambda: services.event_add(actor=officer, case=case, kind="recruitment", occurred_on=day),
        lambda: services.arrest_add(
            actor=officer,
            case=case,
            person=new_person(officer),
            arrested_on=day,
            agency=case.owning_agency,
        ),
        lambda: services.proceeding_add(actor=officer, case=case, filed_on=day),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not VictimProfile.objects.filter(participant=victim).exists()
    assert not Event.objects.filter(case=case).exists()
    assert not Arrest.objects.filter(case=case).exists()
    assert not Proceeding.objects.filter(case=case).exists()


def test_a_renamed_person_is_found_by_the_new_name_only(officer):
    person = new_person(officer, given_name_latin="Dara", family_name_latin="Sok")
    services.person_update(actor=officer, person=person, given_name_latin="Vanna")
    found = person_search(actor=officer, query=PersonQuery(name="Vanna Sok"))
    assert person in found
    assert person not in person_search(actor=officer, query=PersonQuery(name="Dara Sok"))
