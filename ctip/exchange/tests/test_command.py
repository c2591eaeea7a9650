"""`ctip import FILE`: the same report in the terminal, a dry run that writes nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from ctip.registry.models import Case


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing_then_import_applies(
    officer, write_csv, sample_rows, tmp_path
):
    rows = sample_rows(6)
    rows[3][rows[0].index("prs_Birthdate")] = "2567-13-01"
    path = write_csv(rows)
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import",
        str(path),
        "--user",
        officer.username,
        "--agency",
        "AHTJP",
        "--dry-run",
        "--report",
        str(report),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "row       4  prs_Birthdate" in text
    assert "6 rows checked, 1 with problems" in text and "Dry run" in text
    assert list(csv.reader(report.open(encoding="utf-8")))[1][:3] == [
        "4",
        "prs_Birthdate",
        "bad_date",
    ]
    assert Case.objects.count() == 0
    assert not list((tmp_path / "imports").glob("*.checked"))  # a dry run keeps no rows
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command(
            "import",
            str(path),
            "--user",
            officer.username,
            "--agency",
            "AHTJP",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Case.objects.count() == 0
    call_command(
        "import",
        str(path),
        "--user",
        officer.username,
        "--agency",
        "AHTJP",
        "--skip-rejected",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Case.objects.count() == 5


@pytest.mark.django_db
def test_unknown_mapping_and_refused_file_are_errors(officer, tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(CommandError, match="No column mapping named"):
        call_command("import", str(path), "--user", officer.username, "--mapping", "nope")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import", str(path), "--user", officer.username, "--agency", "AHTJP")


@pytest.mark.django_db
def test_an_import_leaves_its_cases_counted_for_the_statistics(officer, write_csv, sample_rows):
    """The import writes with COPY, past the models' signals; it marks its cases and the
    command recounts them once committed, so no statistics page has to (decision 0306)."""
    from ctip.stats.models import IndicatorRow, StaleCase

    path = write_csv(sample_rows(4))
    call_command(
        "import",
        str(path),
        "--user",
        officer.username,
        "--agency",
        "AHTJP",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    imported = set(Case.objects.values_list("pk", flat=True))
    assert len(imported) == 4
    assert not StaleCase.objects.exists()
    counted = IndicatorRow.objects.filter(source="victims_identified")
    assert set(counted.values_list("case_id", flat=True)) == imported
    assert all(case.reference.startswith("CT-") for case in Case.objects.all())

    # The same file again changes nothing, so it marks no case for recounting.
    from ctip.registry.signals import cases_written

    sent: list[set[int]] = []

    def record(cases: object, **kwargs: object) -> None:
        sent.append(set(cases))  # type: ignore[call-overload]

    cases_written.connect(record, dispatch_uid="test-reimport")
    try:
        call_command(
            "import",
            str(path),
            "--user",
            officer.username,
            "--agency",
            "AHTJP",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    finally:
        cases_written.disconnect(dispatch_uid="test-reimport")
    assert sent and all(not cases for cases in sent)
    assert not StaleCase.objects.exists()
