"""Control and text-direction characters in imported files: refused by row and column, and
the batch never left "Checking" (a NUL once made PostgreSQL fail mid-check)."""

import json

import pytest

from ctip.exchange.choices import BatchStatus
from ctip.exchange.services import import_upload, import_validate
from ctip.registry.models import Person

pytestmark = pytest.mark.django_db


def _validate(officer, agency, path):
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency)
    return import_validate(actor=officer, batch=batch)


def _records(sample_rows, count=3):
    header, *rows = sample_rows(count)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("bad", ["Da\u0000ra", "Da\u202eara", "Da\u0007ra"])
def test_json_import_with_control_character_in_a_name_is_refused_by_row(
    officer, agency, tmp_path, sample_rows, bad
):
    _header, records = _records(sample_rows)
    for record in records:
        record.update({k: str(v) if v is not None else None for k, v in record.items()})
    records[1]["prs_FirstName"] = bad
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    batch = _validate(officer, agency, path)
    assert batch.status == BatchStatus.VALIDATED, batch.refusal
    found = [(p.row, p.column, p.code) for p in batch.problems.all()]
    assert found == [(2, "prs_FirstName", "control_character")]
    assert "U+" in batch.problems.get().message
    assert not batch.is_clean
    assert Person.objects.count() == 0


def test_csv_nul_in_a_name_is_refused(officer, agency, write_csv, sample_rows):
    # Past the first 8 KB, which the format sniffing refuses as binary when it holds a NUL.
    rows = sample_rows(120)
    rows[110][rows[0].index("prs_SecondName")] = "So\x00k"
    path = write_csv(rows)
    assert path.read_bytes().index(b"\x00") > 8192
    batch = _validate(officer, agency, path)
    assert [(p.row, p.column) for p in batch.problems.all()] == [(111, "prs_SecondName")]


def test_json_key_with_nul_is_refused_naming_the_column(officer, agency, tmp_path, sample_rows):
    _header, records = _records(sample_rows, 2)
    for record in records:
        record["bad\u0000key"] = "x"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(records, default=str), encoding="utf-8")
    batch = _validate(officer, agency, path)
    assert batch.status == BatchStatus.FAILED
    assert "control character (U+0000)" in batch.refusal


def test_an_unexpected_error_during_the_check_does_not_leave_the_batch_checking(
    officer, agency, write_csv, sample_rows, monkeypatch
):
    from ctip.exchange import services

    batch = import_upload(
        actor=officer, path=write_csv(sample_rows(2)), file_name="c.csv", agency=agency
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "validated_chunks", broken)
    with pytest.raises(RuntimeError):
        import_validate(actor=officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "unexpected error" in batch.refusal
