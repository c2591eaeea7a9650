"""Spreadsheet imports: every row checked first, applied in one transaction, re-import a no-op."""

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from ctip.exchange.choices import BatchStatus
from ctip.exchange.services import column_mapping_save, import_apply, import_upload, import_validate
from ctip.registry.models import Case, Person, VictimProfile

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "htcds"


def run(officer, agency, path, **kwargs):
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency, **kwargs)
    return import_validate(actor=officer, batch=batch)


def problems(batch):
    return [(p.row, p.column, p.code) for p in batch.problems.all()]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_clean_file_imports_once_and_again_changes_nothing(
    fmt, officer, agency, write_xlsx, write_csv, sample_rows
):
    rows = sample_rows(30)
    path = write_xlsx(rows) if fmt == "xlsx" else write_csv(rows)
    batch = run(officer, agency, path)
    assert batch.status == BatchStatus.VALIDATED, batch.refusal
    assert problems(batch) == []
    assert batch.total_rows == 30
    import_apply(actor=officer, batch=batch)
    assert Case.objects.count() == 30
    from ctip.registry.services import case_reference

    for case in Case.objects.all():
        assert case.reference == case_reference(case.pk, case.opened_on)
    assert Person.objects.count() == 30
    assert VictimProfile.objects.count() == 30
    khmer = Person.objects.exclude(given_name_km="").first()
    assert khmer is not None and khmer.given_name_km
    again = run(officer, agency, path)
    assert problems(again) == []
    import_apply(actor=officer, batch=again)
    assert again.result["cases"] == 0 and again.result["persons"] == 0
    assert Case.objects.count() == 30


@pytest.mark.django_db
def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(
    officer, agency, write_csv, sample_rows
):
    rows = sample_rows(5)
    header = rows[0]
    rows[1][header.index("prs_Birthdate")] = "31/02/2020"  # no such day
    rows[2][header.index("vic_MethodsOfControl")] = "Witchcraft"  # unknown code
    rows[3][header.index("prs_FirstName")] = None
    rows[3][header.index("prs_SecondName")] = None
    rows[3][header.index("ctip_FirstNameKm")] = None
    rows[3][header.index("ctip_SecondNameKm")] = None
    rows[4][header.index("ctip_OpenedOn")] = "2099-01-01"  # future
    batch = run(officer, agency, write_csv(rows))
    found = problems(batch)
    # rows[i] is line i + 1 of the file, below the header on line 1
    assert (2, "prs_Birthdate", "bad_date") in found
    assert (3, "vic_MethodsOfControl", "unknown_code") in found
    assert (4, "prs_FirstName", "missing") in found
    assert (5, "ctip_OpenedOn", "out_of_range") in found
    assert batch.rejected_rows == 4
    with pytest.raises(ValidationError):
        import_apply(actor=officer, batch=batch)
    assert Case.objects.count() == 0
    import_apply(actor=officer, batch=batch, skip_rejected=True)
    assert Case.objects.count() == 1
    assert batch.result["skipped_rows"] == 4


@pytest.mark.django_db
def test_local_dates_buddhist_years_and_khmer_numerals(officer, agency, write_csv, sample_rows):
    rows = sample_rows(4)
    col = rows[0].index("prs_Birthdate")
    rows[1][col] = "25/12/1990"
    rows[2][col] = "២៥/១២/២៥៣៣"  # 25/12/2533 BE in Khmer numerals = 1990-12-25
    rows[3][col] = "1990-12-25"
    rows[4][col] = "12/25/1990"  # month first, in a day-first file: reported
    batch = run(officer, agency, write_csv(rows))
    assert problems(batch) == [(5, "prs_Birthdate", "bad_date")]
    import_apply(actor=officer, batch=batch, skip_rejected=True)
    import datetime

    assert {p.date_of_birth for p in Person.objects.all()} == {datetime.date(1990, 12, 25)}


@pytest.mark.django_db
def test_khmer_and_latin_in_one_name_column(officer, agency, write_csv):
    rows = [
        ["cas_CaseOwner", "ctip_Province", "ctip_OpenedOn", "prs_FirstName", "prs_SecondName"],
        ["AHTJP", "KH-12", "2024-01-05", "Sokha សុខា", "ចាន់"],
    ]
    batch = run(officer, agency, write_csv(rows))
    import_apply(actor=officer, batch=batch)
    person = Person.objects.get()
    assert (person.given_name_latin, person.given_name_km, person.family_name_km) == (
        "Sokha",
        "សុខា",
        "ចាន់",
    )


@pytest.mark.django_db
def test_probable_duplicate_of_an_existing_person_is_reported(
    officer, agency, write_csv, sample_rows
):
    rows = sample_rows(3)
    import_apply(actor=officer, batch=run(officer, agency, write_csv(rows, "first.csv")))
    again = [list(r) for r in rows]
    for row in again[1:]:
        row[0] = "other-" + row[0]
        row[6] = "other-" + row[6]
    batch = run(officer, agency, write_csv(again, "second.csv"))
    assert {code for _r, _c, code in problems(batch)} == {"duplicate"}
    assert batch.rejected_rows == 3


@pytest.mark.django_db
def test_saved_mapping_reads_an_agencys_own_layout_and_notices_when_it_no_longer_fits(
    officer, agency, write_xlsx
):
    mapping = column_mapping_save(
        actor=officer,
        name="AHTJP register",
        agency=agency,
        columns={
            "cas_CaseId": "File no.",
            "prs_FirstName": "Victim name",
            "prs_Birthdate": "DOB",
            "ctip_Province": "Province",
            "ctip_OpenedOn": "Date received",
        },
    )
    rows = [
        ["AHTJP victims register 2024"],
        ["File no.", "Victim name", "DOB", "Province", "Date received", "Remarks"],
        ["F-1", "Dara ដារា", "03/04/2001", "Battambang", "02/01/2024", "x"],
        [None, None, None, None, None, None],
        ["F-2", "Pisey", "2002-05-06", "KH-12", "03/01/2024", ""],
    ]
    batch = run(officer, agency, write_xlsx(rows), mapping=mapping)
    assert problems(batch) == []
    import_apply(actor=officer, batch=batch)
    assert set(Case.objects.values_list("external_id", flat=True)) == {"F-1", "F-2"}
    renamed = [list(r) for r in rows]
    renamed[1][2] = "Birth date"
    batch = run(officer, agency, write_xlsx(renamed, "renamed.xlsx"), mapping=mapping)
    assert batch.status == BatchStatus.FAILED
    assert "DOB" in batch.refusal


@pytest.mark.django_db
def test_htcds_template_as_distributed_is_recognised(officer, agency, tmp_path):
    source = REFERENCE / "HTCDS Excel Spreadsheet single select with validation v2.0.xlsx"
    if not source.exists():
        pytest.skip("HTCDS reference templates are not beside the repository")
    import openpyxl

    workbook = openpyxl.load_workbook(source)
    ws = workbook["Case Sheet"]
    ws.delete_rows(3, 1)
    header = [c.value for c in ws[1]]
    ws.cell(3, header.index("prs_FirstName") + 1, "Bopha")
    ws.cell(3, header.index("prs_SecondName") + 1, "ពេជ្រ")
    ws.cell(3, header.index("prs_Gender") + 1, "Feminine")
    ws.cell(3, header.index("prs_Citizenship") + 1, "KH")
    ws.cell(3, header.index("vic_TraffickingStatus") + 1, "Possible victim of trafficking")
    ws.cell(3, header.index("vic_MethodsOfControl") + 1, "Debt bondage; False promises")
    ws.cell(3, header.index("cas_Status") + 1, "Active")
    ws.cell(3, header.index("cas_IncomingReferralDate") + 1, "15/01/2567")
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    batch = run(officer, agency, path)
    assert batch.status == BatchStatus.VALIDATED, batch.refusal
    assert problems(batch) == [(3, "ctip_Province", "missing")]  # AHTJP is national


@pytest.mark.django_db
def test_bad_files_are_refused_with_a_reason(officer, agency, tmp_path, write_xlsx, sample_rows):
    fake = tmp_path / "cases.xlsx"
    fake.write_text("name,dob\nDara,2001-01-01\n")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        run(officer, agency, fake)
    pdf = tmp_path / "cases.csv"
    pdf.write_bytes(b"%PDF-1.4 rest")
    with pytest.raises(ValidationError, match="PDF"):
        run(officer, agency, pdf)
    good = write_xlsx(sample_rows(200))
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        run(officer, agency, cut)


@pytest.mark.django_db
def test_zip_bomb_is_refused(officer, agency, tmp_path, settings):
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 50_000_000 + "</a>")
    with pytest.raises(ValidationError, match="zip bomb"):
        run(officer, agency, bomb)
    settings.CTIP_IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="largest accepted"):
        run(officer, agency, bomb)


@pytest.mark.django_db
def test_wrong_sheet_missing_header_merged_cells_and_cut_csv(
    officer, agency, write_xlsx, write_csv, sample_rows, tmp_path
):
    path = write_xlsx(sample_rows(3))
    batch = run(officer, agency, path, sheet="Victims")
    assert batch.status == BatchStatus.FAILED and "no sheet named Victims" in batch.refusal
    batch = run(officer, agency, write_xlsx([["a", "b"], [1, 2]], "noheader.xlsx"))
    assert batch.status == BatchStatus.FAILED and "column names" in batch.refusal
    merged = run(officer, agency, write_xlsx(sample_rows(3), "merged.xlsx", merge="B2:B4"))
    assert (0, "B2:B4", "merged_cells") in problems(merged)
    with pytest.raises(ValidationError):
        import_apply(actor=officer, batch=merged, skip_rejected=True)
    full = write_csv(sample_rows(5))
    cut = tmp_path / "cut.csv"
    data = full.read_bytes()
    cut.write_bytes(data[: data.rindex(b",", 0, len(data) - 40)])
    batch = run(officer, agency, cut)
    assert "short_row" in {code for _r, _c, code in problems(batch)}
    assert Case.objects.count() == 0
    shutil.rmtree(tmp_path / "imports")


@pytest.mark.django_db
def test_large_khmer_csv_is_read_whole(officer, agency, write_csv, sample_rows):
    """A multi-byte Khmer letter split at the edge of the encoding check is still UTF-8."""
    batch = run(officer, agency, write_csv(sample_rows(1500)))
    assert batch.status == BatchStatus.VALIDATED, batch.refusal
    assert batch.total_rows == 1500


@pytest.mark.django_db
def test_another_agencys_layout_cannot_be_overwritten(officer, agency, make_member):
    from django.core.exceptions import PermissionDenied

    column_mapping_save(
        actor=officer, name="shared name", agency=agency, columns={"prs_FirstName": "Name"}
    )
    other = make_member("case_officer", "GDI")
    from ctip.access.models import Agency
    from ctip.audit.models import AuditEvent
    from ctip.exchange.models import ColumnMapping

    with pytest.raises(PermissionDenied):
        column_mapping_save(
            actor=other,
            name="shared name",
            agency=Agency.objects.get(code="GDI"),
            columns={"prs_FirstName": "Nom"},
        )
    # The refusal is audited once, against the layout it tried to overwrite, and survives
    # the save's rollback; the layout is unchanged.
    mapping = ColumnMapping.objects.get(name="shared name")
    assert mapping.columns == {"prs_FirstName": "Name"}
    denied = AuditEvent.objects.filter(action="denied", actor_id=other.pk)
    assert [(e.object_type, e.object_id) for e in denied] == [
        ("exchange.columnmapping", str(mapping.pk))
    ]


@pytest.mark.django_db
def test_old_uploads_and_their_kept_rows_are_pruned_and_the_batch_stays(
    officer, agency, write_csv, sample_rows
):
    import datetime
    import io

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from ctip.audit.models import AuditEvent
    from ctip.exchange import checked
    from ctip.exchange.models import ImportBatch
    from ctip.exchange.services import import_prune

    old = run(officer, agency, write_csv(sample_rows(5)))
    recent = run(officer, agency, write_csv(sample_rows(5)))
    assert Path(old.stored_path).exists() and checked.path_for(old.stored_path).exists()
    ImportBatch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("import_prune", "--days", "30", stdout=out)
    assert "Pruned the files of 1 import(s)" in out.getvalue()
    assert not Path(old.stored_path).exists()
    assert not checked.path_for(old.stored_path).exists()
    assert Path(recent.stored_path).exists()  # younger than the cut-off: kept
    old.refresh_from_db()
    assert old.status == BatchStatus.VALIDATED and old.total_rows == 5  # the record stays
    event = AuditEvent.objects.filter(action="admin", object_type="exchange.importbatch").last()
    assert event.detail["pruned_uploads"] == [old.pk]
    with pytest.raises(ValidationError) as refused:
        import_apply(actor=officer, batch=old)
    assert "batch" in refused.value.message_dict
    assert Case.objects.count() == 0
    assert import_prune(older_than_days=30) == 0  # nothing left to prune
    with pytest.raises(ValidationError):
        import_prune(older_than_days=0)
    with pytest.raises(CommandError, match="older_than_days: Keep uploads at least one day"):
        call_command("import_prune", "--days", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_case_id_held_by_a_case_the_importer_may_not_see_is_refused_without_saying_so(
    officer, agency, write_csv, sample_rows, make_member
):
    """Unknown and forbidden look the same: the row is refused (no duplicate of the case that
    holds the id), the answer says nothing of that case, and the refusal is audited."""
    from ctip.access.choices import Action
    from ctip.access.models import Agency
    from ctip.access.policies import restrict
    from ctip.audit.models import AuditEvent

    rows = sample_rows(2)
    import_apply(actor=officer, batch=run(officer, agency, write_csv(rows, "first.csv")))
    other = make_member("case_officer", "PAHT-12")
    held = list(Case.objects.values_list("pk", flat=True))
    assert not restrict(Case.objects.filter(pk__in=held), other, Action.VIEW).exists()
    again = [list(r) for r in rows]
    owner = again[0].index("cas_CaseOwner")
    for row in again[1:]:
        row[6] = "other-" + row[6]  # new persons, under the case ids the first file used
        row[owner] = "PAHT-12"
    own = Agency.objects.get(code="PAHT-12")
    batch = run(other, own, write_csv(again, "second.csv"))
    refused = list(batch.problems.all())
    assert [(p.column, p.code) for p in refused] == [("cas_CaseId", "not_allowed")] * 2
    for problem in refused:
        assert "exist" not in problem.message and "AHTJP" not in problem.message
        assert "may not add persons under case id" in problem.message
    denied = AuditEvent.objects.filter(
        actor_id=other.pk, action="denied", object_type="registry.case"
    )
    assert sorted(int(e.object_id) for e in denied) == sorted(held)
    import_apply(actor=other, batch=batch, skip_rejected=True)
    assert Case.objects.count() == 2 and Person.objects.count() == 2


@pytest.mark.django_db
def test_a_person_id_held_by_a_person_the_importer_may_not_see_links_and_tells_nothing(
    officer, agency, write_csv, sample_rows, make_member
):
    """An importer names another agency's persons by their external ids, under new cases of
    their own: without the check the persons would join those cases and be shown to them.
    The row is refused in words that say nothing of the person, and the refusal is audited
    (decision 0405)."""
    from ctip.access.models import Agency
    from ctip.audit.models import AuditEvent
    from ctip.registry.models import Participant
    from ctip.registry.selectors import person_queryset

    rows = sample_rows(2)
    import_apply(actor=officer, batch=run(officer, agency, write_csv(rows, "first.csv")))
    held = dict(Person.objects.values_list("external_id", "pk"))
    attacker = make_member("case_officer", "PAHT-12")
    assert not person_queryset(actor=attacker).exists()
    again = [list(r) for r in rows]
    owner = again[0].index("cas_CaseOwner")
    for row in again[1:]:
        row[0] = "mine-" + row[0]  # the attacker's own new cases; the persons' ids kept
        row[owner] = "PAHT-12"
    batch = run(attacker, Agency.objects.get(code="PAHT-12"), write_csv(again, "second.csv"))
    refused = sorted(batch.problems.all(), key=lambda p: p.row)
    assert [(p.column, p.code) for p in refused] == [("prs_PersonId", "not_allowed")] * 2
    for problem, row in zip(refused, again[1:], strict=True):
        assert problem.message == (
            f"You may not use person id {row[6]}: give the person an id of your own."
        )
    denied = AuditEvent.objects.filter(
        actor_id=attacker.pk, action="denied", object_type="registry.person"
    )
    assert sorted(int(e.object_id) for e in denied) == sorted(held.values())
    import_apply(actor=attacker, batch=batch, skip_rejected=True)
    assert not person_queryset(actor=attacker).exists()
    assert Person.objects.count() == 2
    assert Participant.objects.filter(person_id__in=held.values()).count() == 2


@pytest.mark.django_db
def test_a_probable_duplicate_the_importer_may_not_see_is_not_named(
    officer, agency, write_csv, sample_rows, make_member
):
    """The duplicate check names a registered person only to one who may see them; to others it
    says, as the registration check does, that a likely match exists they may not see."""
    from ctip.access.models import Agency

    rows = sample_rows(2)
    import_apply(actor=officer, batch=run(officer, agency, write_csv(rows, "first.csv")))
    registered = set(Person.objects.values_list("pk", flat=True))
    again = [list(r) for r in rows]
    for row in again[1:]:
        row[0] = "other-" + row[0]
        row[6] = "other-" + row[6]
    own = run(officer, agency, write_csv(again, "own.csv"))
    named = {p.message.split("person P")[1].split(")")[0] for p in own.problems.all()}
    assert {int(pk) for pk in named} == registered

    outsider = make_member("case_officer", "PAHT-12")
    owner = again[0].index("cas_CaseOwner")
    for row in again[1:]:
        row[owner] = "PAHT-12"
    batch = run(outsider, Agency.objects.get(code="PAHT-12"), write_csv(again, "other.csv"))
    found = list(batch.problems.all())
    assert [(p.column, p.code) for p in found] == [("prs_FirstName", "duplicate")] * 2
    for problem in found:
        assert problem.message == (
            "Probably the same person as one recorded by an agency whose records you may not "
            "see. Ask the national secretariat's linkage reviewers before registering the "
            "person again."
        )
