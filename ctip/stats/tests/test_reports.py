"""The half-year, TIP and GLOTIP reports, in every format, from the command and the selectors."""

import csv
import datetime
import io
import json
import re
import zlib

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from ctip.stats.render import render
from ctip.stats.reports import build_report, half_year_report

from .builders import Registry

D = datetime.date


@pytest.fixture
def world(make_member):
    officer = make_member("case_officer", "AHTJP")
    reg = Registry(officer)
    # 2024H1: 3 cases (1 trafficking, 2 sexual exploitation); 2023H1 and 2023H2: 1 case each.
    a = reg.case(D(2024, 2, 1), kind="trafficking")
    b = reg.case(D(2024, 3, 1), kind="sexual_exploitation")
    reg.case(D(2024, 5, 1), kind="sexual_exploitation")
    reg.case(D(2023, 3, 1))
    reg.case(D(2023, 9, 1))
    girl, woman, man = (
        reg.person("female", 2010),
        reg.person("female", 1990),
        reg.person("male", 1990),
    )
    for p in (girl, woman, man):
        reg.victim(a, p)
    reg.rescue(a, D(2024, 2, 2), girl, woman, man)
    reg.rescue(a, D(2024, 4, 2), girl)
    reg.arrest(b, reg.person("male", 1970, name="S1"), D(2024, 3, 2))
    reg.arrest(b, reg.person("male", 1970, ["CHN"], name="S2"), D(2024, 3, 2))
    return make_member("analyst", "NCCT")


def test_half_year_report_headline_and_comparisons(world):
    report = half_year_report(actor=world, period="2024H1")
    assert report["headline"]["en"] == (
        "First half of 2024: 3 cases (1 trafficking, 2 sexual exploitation), 2 arrests "
        "including 1 foreigner, 3 victims rescued, of whom 2 women and 1 minor."
    )
    assert "ឆមាសទី១" in report["headline"]["km"] and "៣" in report["headline"]["km"]
    previous = report["comparisons"]["previous"]
    assert previous["period"] == "2023H2"
    assert previous["items"]["cases"]["baseline"] == 1
    assert report["comparisons"]["year_before"]["period"] == "2023H1"
    assert "within normal variation" in previous["items"]["cases"]["verdict"]


def test_command_prints_json(world, capsys):
    call_command("report", "half-year", "--period", "2024H1", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["numbers"]["cases"] == 3 and data["numbers"]["victims_rescued_minors"] == 1
    assert set(data) >= {"headline", "comparisons", "indicators", "period"}


def test_command_refuses_unknown_period_and_writes_nothing(world, tmp_path):
    out = tmp_path / "r.json"
    with pytest.raises(CommandError, match="period"):
        call_command("report", "half-year", "--period", "2024H3", "--output", str(out))
    assert not out.exists()


def test_csv_and_xlsx_hold_the_same_figures(world):
    report = half_year_report(actor=world, period="2024H1")
    rows = list(csv.reader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))
    assert rows[0] == ["section", "item", "breakdown", "category", "value"]
    assert ["headline", "cases", "", "", "3"] in rows
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    data = [list(r) for r in book["Data"].iter_rows(values_only=True)]
    assert ["headline", "cases", None, None, 3] in data
    summary = [r[0] for r in book["Summary"].iter_rows(values_only=True)]
    assert any(str(first).startswith("First half of 2024:") for first in summary)


def test_pdf_embeds_the_khmer_font(world):
    pdf = render(half_year_report(actor=world, period="2024H1"), "pdf")
    assert pdf.startswith(b"%PDF")
    # Font descriptors sit in compressed object streams: inflate them to find the font.
    inflated = b"".join(
        _inflate(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S)
    )
    assert b"/FontFamily (Noto Sans Khmer)" in inflated


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return b""


@pytest.mark.parametrize("kind", ["tip", "glotip"])
def test_tip_and_glotip(world, kind):
    report = build_report(actor=world, kind=kind, period="2024")
    if kind == "tip":
        values = {r["id"]: r["value"] for r in report["rows"]}
        assert values["investigations"] == 3 and values["suspects_arrested"] == 2
        assert report["comparisons"]["cases"]["previous"]["baseline"] == 2
    else:
        table = report["tables"]["victims_by_sex_and_age"]
        assert table["row_keys"] == ["female", "male"]
        assert sum(map(sum, table["cells"])) == 3
    for fmt in ("csv", "xlsx", "json"):
        assert render(report, fmt)


def test_report_is_audited_as_an_export(world):
    from ctip.audit.models import AuditEvent

    half_year_report(actor=world, period="2024H1")
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "export" and event.object_id == "half-year:2024H1"
