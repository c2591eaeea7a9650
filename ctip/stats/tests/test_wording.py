"""Statistics pages speak in words: names not codes, ordered bands, grouped numbers, rounded
percentages, local times, and in Khmer no English other than codes and names of things."""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest

from .builders import Registry

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def analyst(make_member: Any) -> Any:
    """Victims in two provinces, of several ages, one of them foreign; cases in two halves."""
    officer = make_member("case_officer", "AHTJP")
    reg = Registry(officer)
    for province, born, nationality, when in [
        ("KH-12", 2010, "KHM", D(2024, 2, 1)),
        ("KH-18", 1990, "THA", D(2024, 3, 1)),
        ("KH-2", 2001, "KHM", D(2024, 4, 1)),
        ("KH-12", 1975, "KHM", D(2023, 9, 1)),
    ]:
        case = reg.case(when, province=province)
        victim = reg.person("female", born, [nationality])
        reg.victim(case, victim)
        reg.rescue(case, when, victim)
    reg.arrest(case, reg.person("male", 1970, ["VNM"], name="S"), D(2024, 3, 2))
    return make_member("analyst", "NCCT")


def _text(html: str) -> str:
    """What a reader sees: the page's main text, without tags, scripts or attributes."""
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_dashboard_names_provinces_and_orders_age_bands(client: Any, analyst: Any):
    client.force_login(analyst)
    html = client.get(
        "/stats/", {"indicator": "victims_rescued", "period": "2024H1", "breakdown": "age_band"}
    ).content.decode()
    text = _text(html)
    assert "KH-12" not in text and "age_band" not in text
    assert "Phnom Penh" in text and "Preah Sihanouk" in text and "Battambang" in text
    # Provinces by name: Battambang, Phnom Penh, Preah Sihanouk.
    assert text.index("Battambang") < text.index("Phnom Penh") < text.index("Preah Sihanouk")
    # Age bands in their order, not text order ("18-20" would sort before "9-17").
    bands = re.findall("(\\d+)\u2013\\d+ years", text)
    assert bands == sorted(bands, key=int) and bands


def test_report_page_in_words(client: Any, analyst: Any):
    client.force_login(analyst)
    text = _text(client.get("/stats/reports/half-year/2024H1/").content.decode())
    for code in ("cases_sexual_exploitation", "year_before", "age_band", "Report: half-year"):
        assert code not in text
    assert "Same period a year before (First half of 2023)" in text
    assert "Sexual exploitation cases" in text
    # A change in whole per cent, signed; no long decimals anywhere.
    assert re.search("[+\u2212]\\d+ %", text)
    assert not re.search(r"\d\.\d{3,}", text)
    assert "1 foreigners" not in text and "1 foreigner" in text


def test_generated_is_in_the_installation_time_zone(client: Any, analyst: Any, settings: Any):
    from zoneinfo import ZoneInfo

    settings.TIME_ZONE = "Asia/Phnom_Penh"
    client.force_login(analyst)
    text = _text(client.get("/stats/reports/tip/2024H1/").content.decode())
    found = re.search(r"Generated: (\d{4}-\d\d-\d\d \d\d:\d\d) \(Asia/Phnom_Penh\)", text)
    assert found
    now = datetime.datetime.now(ZoneInfo("Asia/Phnom_Penh"))
    shown = datetime.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M")
    assert abs((now.replace(tzinfo=None) - shown).total_seconds()) < 120


def test_numbers_have_thousands_separators():
    from django.utils import translation

    from ctip.stats.wording import number, percent

    with translation.override("en"):
        assert number(12345) == "12,345" and number(2.26) == "2.3"
        assert percent(-46.1538) == "\u221246 %" and percent(None) == "—"


# Latin words a Khmer page may show: codes, names of standards and units.
ALLOWED_LATIN = {"CSV", "XLSX", "PDF", "JSON", "ctip", "SDG", "CTDC", "TIP", "UNODC", "GLOTIP"}


def _latin_words(text: str) -> set[str]:
    text = re.sub(r"\([A-Z][a-z]+/[A-Za-z_]+\)", " ", text)  # a time zone's identifier
    words = set(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text))
    return {w for w in words if w not in ALLOWED_LATIN and not re.fullmatch(r"[A-Z]{2,}\d*", w)}


@pytest.mark.parametrize(
    "url",
    [
        "/stats/?indicator=victims_rescued&period=2024H1&breakdown=nationality",
        "/stats/?indicator=arrests&period=2024H1&breakdown=province",
        "/stats/reports/half-year/2024H1/",
        "/stats/reports/tip/2024H1/",
        "/stats/reports/glotip/2024H1/",
    ],
)
def test_khmer_statistics_pages_have_no_english_words(client: Any, analyst: Any, url: str):
    client.force_login(analyst)
    client.cookies.load({"django_language": "km"})
    text = _text(client.get(url).content.decode())
    assert not _latin_words(text), sorted(_latin_words(text))


def test_khmer_xlsx_headers_and_sheets_are_translated(client: Any, analyst: Any):
    import io

    from openpyxl import load_workbook

    client.force_login(analyst)
    client.cookies.load({"django_language": "km"})
    body = client.get("/stats/reports/half-year/2024H1/", {"format": "xlsx"}).content
    book = load_workbook(io.BytesIO(body))
    summary = book.worksheets[0]
    cells = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    headers = next(r for r in summary.iter_rows(values_only=True) if r and len(r) > 5)
    assert not _latin_words(" ".join(str(h) for h in headers if h)), headers
    assert not any("trafficking cases" in c or "year_before" in c for c in cells)


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _boxes(child)


def test_khmer_pdf_keeps_every_table_and_verdict_inside_the_page(analyst: Any, tmp_path: Any):
    from django.utils import translation

    from ctip.stats.render import pdf_document
    from ctip.stats.reports import half_year_report

    with translation.override("km"):
        report = half_year_report(actor=analyst, period="2024H1")
        document = pdf_document(report)
    texts = []
    for page in document.pages:
        right = page.width  # the page box's own width, margins included
        for box in _boxes(page._page_box):
            x, width = getattr(box, "position_x", 0), getattr(box, "width", 0) or 0
            assert x + width <= right + 0.5, (type(box).__name__, x, width, right)
            if hasattr(box, "text"):
                texts.append(box.text)
    # The verdict sentence is there whole (not cut at the page's edge).
    whole = "".join(texts)
    assert "ធំជាងការប្រែប្រួលដោយចៃដន្យ" in whole or "កម្រិតធម្មតា" in whole or "ដូចគ្នា" in whole
    import os

    out = os.environ.get("CTIP_PDF_OUT")
    (Path(out) if out else tmp_path / "report-km.pdf").write_bytes(document.write_pdf())


def test_every_counting_rule_has_a_khmer_text():
    from django.utils import translation

    from ctip.stats.indicators import CATALOGUE

    with translation.override("km"):
        untranslated = [
            i.id for i in CATALOGUE.values() if _latin_words(translation.gettext(i.counting_rule))
        ]
    assert not untranslated


def test_table_rows_keep_their_order_and_every_key_even_when_two_share_a_name():
    """A table's rows are ordered by key, not by mapping names back to keys: two keys that
    read the same (a code and the word it stands for) both keep their row."""
    from ctip.stats.wording import ordered_keys, value_name

    assert ordered_keys("age_group", ["unknown", "adult", "minor"]) == ["minor", "adult", "unknown"]
    twins = ["unknown", str(value_name("sex", "unknown"))]
    assert twins[0] != twins[1] and value_name("sex", twins[1]) == value_name("sex", twins[0])
    assert sorted(ordered_keys("sex", twins)) == sorted(twins)


def test_khmer_pdf_has_no_english_words(analyst: Any):
    """#14 Done means: the Khmer statistics PDFs speak Khmer (codes and names aside)."""
    from django.utils import translation

    from ctip.stats.render import pdf_document
    from ctip.stats.reports import half_year_report

    with translation.override("km"):
        document = pdf_document(half_year_report(actor=analyst, period="2024H1"))
    texts = [
        box.text
        for page in document.pages
        for box in _boxes(page._page_box)
        if hasattr(box, "text")
    ]
    assert texts and not _latin_words(" ".join(texts)), sorted(_latin_words(" ".join(texts)))
