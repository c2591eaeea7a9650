"""An exported case or person comes back (#14 item 10): this installation's references and
person ids are recognised in its own marked rows, among what the importing user may see, and
the import matches them instead of duplicating them. Decision 0404."""

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest

from ctip.access.models import Agency
from ctip.exchange.export import export_write
from ctip.exchange.own_ids import own_export_mark
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.reference.models import Province
from ctip.registry.models import Case, Participant, Person
from ctip.registry.services import (
    case_create,
    participant_add,
    person_create,
    victim_profile_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(officer: Any, agency: Any) -> Participant:
    """A case registered by hand (no external ids): its export names it by its reference."""
    case = case_create(
        actor=officer,
        kind="trafficking",
        source="operation",
        owning_agency=agency,
        province=Province.objects.get(code="KH-12"),
        opened_on=datetime.date(2026, 3, 2),
    )
    person = person_create(
        actor=officer,
        registered_by=agency,
        given_name_latin="Sophea",
        family_name_latin="Chan",
        sex="female",
        date_of_birth=datetime.date(2004, 5, 1),
        citizenships=["KHM"],
    )
    participant = participant_add(actor=officer, case=case, person=person, role="victim")
    victim_profile_save(
        actor=officer, participant=participant, trafficking_status="ActualVictimOfTrafficking"
    )
    return participant


def _export_rows(actor: Any) -> list[dict[str, str]]:
    handle = io.StringIO()
    export_write(actor=actor, layout="htcds", file_format="csv", handle=handle)
    return list(csv.DictReader(io.StringIO(handle.getvalue())))


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(actor: Any, agency: Any, path: Path) -> Any:
    batch = import_upload(actor=actor, path=path, file_name=path.name, agency=agency)
    batch = import_validate(actor=actor, batch=batch)
    assert list(batch.problems.values_list("message", flat=True)) == []
    return import_apply(actor=actor, batch=batch)


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), Person.objects.count(), Participant.objects.count()


def test_an_export_imported_again_matches_its_case_and_person(
    officer: Any, agency: Any, registered: Participant, tmp_path: Path
) -> None:
    rows = _export_rows(officer)
    assert [(r["cas_CaseId"], r["prs_PersonId"]) for r in rows] == [
        (registered.case.reference, f"ctip-person-{registered.person_id}")
    ]
    assert rows[0]["ctip_ExportedFrom"] == own_export_mark()
    before = _counts()
    _import(officer, agency, _write(rows, tmp_path / "again.csv"))
    assert _counts() == before
    # The person named by their id joins another case instead of being registered twice.
    rows[0]["cas_CaseId"] = "FIELD-2026-7"
    _import(officer, agency, _write(rows, tmp_path / "moved.csv"))
    new_case = Case.objects.get(external_id="FIELD-2026-7")
    assert list(new_case.participants.values_list("person_id", flat=True)) == [registered.person_id]
    assert Person.objects.count() == before[1]


def test_ids_of_the_same_shape_from_elsewhere_are_not_taken_for_ours(
    officer: Any, agency: Any, registered: Participant, tmp_path: Path
) -> None:
    """Another installation writes CT- references and ctip-person- ids for other people."""
    rows = _export_rows(officer)
    rows[0]["ctip_ExportedFrom"] = "ctip-0123456789abcdef0123"  # a partner's mark
    rows[0]["prs_Birthdate"] = "1990-01-01"  # not the same person by the duplicate check
    cases, persons, _participants = _counts()
    _import(officer, agency, _write(rows, tmp_path / "partner.csv"))
    assert _counts()[:2] == (cases + 1, persons + 1)
    copy = Case.objects.get(external_id=registered.case.reference)
    assert copy.pk != registered.case_id
    assert Person.objects.get(external_id=f"ctip-person-{registered.person_id}").pk != (
        registered.person_id
    )


def test_a_user_who_may_not_see_the_records_links_nothing_to_them(
    officer: Any, registered: Participant, make_member: Any, tmp_path: Path
) -> None:
    """Unknown and hidden look the same: the file's ids then name new records, and the hidden
    person gains no case of the outsider's."""
    rows = _export_rows(officer)
    outsider = make_member("case_officer", "PAHT-12")
    rows[0]["cas_CaseOwner"] = "PAHT-12"
    rows[0]["prs_Birthdate"] = "1990-01-01"
    path = _write(rows, tmp_path / "hidden.csv")
    _import(outsider, Agency.objects.get(code="PAHT-12"), path)
    assert Participant.objects.filter(person_id=registered.person_id).count() == 1
    assert Case.objects.get(external_id=registered.case.reference).owning_agency.code == "PAHT-12"
    assert Person.objects.filter(external_id=f"ctip-person-{registered.person_id}").exists()
    # The same answer for an id that names no record at all.
    rows[0]["prs_PersonId"] = "ctip-person-999999"
    rows[0]["cas_CaseId"] = "CT-2026-0999999"
    rows[0]["prs_Birthdate"] = "1991-02-02"
    _import(outsider, Agency.objects.get(code="PAHT-12"), _write(rows, tmp_path / "none.csv"))
    assert Person.objects.filter(external_id="ctip-person-999999").exists()
