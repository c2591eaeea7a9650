"""Exports: HTCDS names and values, scoping by actor, formula injection, and the round trip."""

import csv
import io
import json

import openpyxl
import pytest

from ctip.exchange.export import export_write, neutralise
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.registry.models import Case, CaseShare, Event, Participant, Person, VictimProfile


def load(officer, agency, path):
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency)
    batch = import_validate(actor=officer, batch=batch)
    assert list(batch.problems.values_list("message", flat=True)) == []
    return import_apply(actor=officer, batch=batch)


def export(actor, layout, fmt):
    handle = io.BytesIO() if fmt == "xlsx" else io.StringIO()
    export_write(actor=actor, layout=layout, file_format=fmt, handle=handle)
    return handle.getvalue()


def wipe_registry():
    """A fresh registry: what a second database would hold before the import."""
    VictimProfile.objects.all().delete()
    Event.objects.all().delete()
    Participant.objects.all().delete()
    CaseShare.objects.all().delete()
    Case.objects.all().delete()
    Person.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_htcds_round_trip_keeps_every_record(
    fmt, officer, agency, write_csv, sample_rows, tmp_path
):
    load(officer, agency, write_csv(sample_rows(40, seed=11)))
    first = export(officer, "htcds", fmt)
    assert "សុខា" in first or "ដារា" in first or "ចាន់" in first  # Khmer survives
    wipe_registry()
    path = tmp_path / f"export.{fmt}"
    path.write_text(first, encoding="utf-8")
    load(officer, agency, path)
    assert Case.objects.count() == 40
    assert export(officer, "htcds", fmt) == first


@pytest.mark.django_db
def test_htcds_csv_uses_the_standards_names_and_values(officer, agency, write_csv, sample_rows):
    load(officer, agency, write_csv(sample_rows(5)))
    rows = list(csv.DictReader(io.StringIO(export(officer, "htcds", "csv"))))
    assert {"prs_FirstName", "vic_MethodsOfControl", "cas_Status"} <= set(rows[0])
    assert {r["cas_Status"] for r in rows} == {"Active"}
    assert all(r["vic_TraffickingStatus"].endswith("VictimOfTrafficking") for r in rows)
    data = json.loads(export(officer, "htcds", "json"))
    assert isinstance(data["records"][0]["vic_MethodsOfControl"], list)


@pytest.mark.django_db
def test_exports_show_only_the_actors_cases(officer, agency, write_csv, sample_rows, make_member):
    load(officer, agency, write_csv(sample_rows(5)))
    outsider = make_member("case_officer", "GDI")
    rows = list(csv.DictReader(io.StringIO(export(outsider, "cases", "csv"))))
    assert rows == []
    assert len(list(csv.DictReader(io.StringIO(export(officer, "cases", "csv"))))) == 5


@pytest.mark.django_db
def test_formula_injection_is_neutralised_in_csv_and_xlsx(officer, agency, write_csv):
    rows = [
        ["cas_CaseId", "ctip_Province", "ctip_OpenedOn", "prs_FirstName", "prs_SecondName"],
        ["X-1", "KH-12", "2024-01-05", '=HYPERLINK("http://x")', "@SUM(A1)"],
    ]
    load(officer, agency, write_csv(rows))
    text = export(officer, "htcds", "csv")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    workbook = openpyxl.load_workbook(io.BytesIO(export(officer, "htcds", "xlsx")))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "+", "-")) for v in values)
    assert neutralise("\tcmd") == "'\tcmd" and neutralise("Sokha") == "Sokha"


@pytest.mark.django_db
def test_text_direction_controls_stored_earlier_are_removed_on_export(
    officer, agency, write_csv, sample_rows
):
    load(officer, agency, write_csv(sample_rows(1)))
    # A name stored before such characters were refused (written past the services).
    person = Person.objects.get()
    person.family_name_latin = "Chan\u202eexe.txt"
    person.save(update_fields=["family_name_latin"])
    text = export(officer, "htcds", "csv")
    assert "Chanexe.txt" in text and "\u202e" not in text
    workbook = openpyxl.load_workbook(io.BytesIO(export(officer, "htcds", "xlsx")))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "Chanexe.txt" in values
    assert neutralise("=\u202dx") == "'=x"


@pytest.mark.django_db
def test_exports_mask_identity_for_roles_without_clearance(
    officer, agency, write_csv, sample_rows, make_member
):
    load(officer, agency, write_csv(sample_rows(3, seed=5)))
    partner = make_member("ngo_partner", agency.code)
    clear = list(csv.DictReader(io.StringIO(export(officer, "htcds", "csv"))))
    masked = list(csv.DictReader(io.StringIO(export(partner, "htcds", "csv"))))
    assert len(clear) == len(masked) == 3
    assert all(row["prs_FirstName"] not in ("", "•••") for row in clear)
    assert {row["prs_FirstName"] for row in masked} == {"•••"}
    assert [row["cas_Status"] for row in masked] == [row["cas_Status"] for row in clear]


@pytest.mark.django_db
def test_no_setting_turns_export_masking_off(
    officer, agency, write_csv, sample_rows, make_member, settings
):
    """Masking was a dotted path in the settings, and an empty one let every row through."""
    load(officer, agency, write_csv(sample_rows(2, seed=6)))
    partner = make_member("ngo_partner", agency.code)
    settings.CTIP_EXPORT_MASKER = ""
    masked = list(csv.DictReader(io.StringIO(export(partner, "htcds", "csv"))))
    assert len(masked) == 2 and {row["prs_FirstName"] for row in masked} == {"•••"}
