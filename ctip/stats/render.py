"""Output formats of the reports: CSV, XLSX, PDF, and the inline SVG charts of the pages.

Renderers only lay out what the report dict already holds; they compute nothing new."""

import csv
import io
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import wording as w
from .periods import parse_period
from .wording import comparison_items

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
HEADER = ["section", "item", "breakdown", "category", "value"]
# Charts name the shipped Khmer face first (as the pages and the PDF do): without it a PDF
# draws Khmer labels in a fallback font that cannot shape them.
CHART_FONT = "Noto Sans Khmer, sans-serif"


def report_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The report as long-format rows, the same for CSV and the XLSX data sheet."""
    rows: list[list[Any]] = []
    kind = report["report"]
    if kind == "half-year":
        rows.append(["headline", "text_en", "", "", report["headline"]["en"]])
        rows.append(["headline", "text_km", "", "", report["headline"]["km"]])
        rows += [["headline", k, "", "", v] for k, v in report["numbers"].items()]
        for ind_id, ind in report["indicators"].items():
            rows.append(["indicator", ind_id, "total", "", ind["total"]])
            for dim, values in ind["by"].items():
                rows += [["indicator", ind_id, dim, k, v] for k, v in values.items()]
    elif kind == "tip":
        rows += [[r["section"], r["id"], "", "", r["value"]] for r in report["rows"]]
    elif kind == "glotip":
        for name, table in report["tables"].items():
            for r, values in zip(table["row_keys"], table["cells"], strict=True):
                rows += [
                    [name, r, table["columns"], c, v]
                    for c, v in zip(table["column_keys"], values, strict=True)
                ]
    for against, item_key, change in comparison_items(report):
        for field in ("current", "baseline", "change_pct", "ratio_low", "ratio_high", "verdict"):
            rows.append([f"comparison:{against}", item_key, field, "", change[field]])
    return rows


def to_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def to_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(report_rows(report))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read Khmer right


def to_xlsx(report: dict[str, Any]) -> bytes:
    """A workbook for people: the summary and the tables in words in the reader's language;
    the Data sheet keeps the codes (as the CSV) for those who compute further."""
    # Here, not at the top: openpyxl loads only in the processes that write a spreadsheet.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    words = page_context(report)
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([f"ctip — {words['title']}", words["period_title"]])
    summary.append([_("Scope"), words["scope"]])
    summary.append([_("Generated"), words["generated"]])
    if words["headline"]:
        summary.append([words["headline"]])
    summary.append([])
    summary.append(
        [
            _("Compared with"),
            _("Item"),
            _("This period"),
            _("That period"),
            _("Change"),
            _("95% interval of the ratio"),
            _("Verdict"),
        ]
    )
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for (_against, _item, change), row in zip(
        comparison_items(report), words["comparisons"], strict=True
    ):
        summary.append(
            [
                row["against"],
                row["item"],
                change["current"],
                change["baseline"],
                row["change"],
                row["interval"],
                row["verdict"],
            ]
        )
    for table in words["tables"]:
        sheet = book.create_sheet(table["name"][:31])
        sheet.append([table["corner"], *table["columns"]])
        for name, cells in table["rows"]:
            sheet.append([name, *[_as_number(v) for v in cells]])
    if words["rows"]:
        sheet = book.create_sheet(w.REPORT_NAMES["tip"][:31])
        sheet.append([_("Item"), _("Value")])
        for r, row in zip(report["rows"], words["rows"], strict=True):
            sheet.append([row["item"], r["value"]])
    data = book.create_sheet(_("Data")[:31])
    data.append(HEADER)
    for row in report_rows(report):
        data.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _as_number(text: str) -> Any:
    """A grouped number back to a number for the spreadsheet's own formatting."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits and digits == text.replace(",", "").replace(".", "") else text


def pdf_document(report: dict[str, Any]) -> Any:
    """The laid-out PDF (WeasyPrint); Khmer is shaped by pango/HarfBuzz with the shipped font."""
    # Here, not at the top: WeasyPrint (and its pango) loads only in the processes that print.
    from weasyprint import HTML

    html = render_to_string(
        "stats/report_pdf.html",
        {"report": report, "font_dir": FONT_DIR.as_uri(), **page_context(report)},
    )
    return HTML(string=html, base_url=str(FONT_DIR)).render()


def to_pdf(report: dict[str, Any]) -> bytes:
    return bytes(pdf_document(report).write_pdf())


RENDERERS = {"json": to_json, "csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}


def render(report: dict[str, Any], fmt: str) -> bytes:
    if fmt not in RENDERERS:
        raise ValidationError(
            {"format": f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}."}
        )
    return RENDERERS[fmt](report)


# --- charts ----------------------------------------------------------------------------------


def bar_chart_svg(data: dict[str, float], title: str = "", width: int = 520) -> str:
    """A horizontal bar chart as inline SVG: no script, no external asset, readable by screen
    readers through its title and the text of each bar."""
    items = [(str(k), float(v)) for k, v in data.items()]
    if not items:
        return ""
    # Room for the longest label (about 6.5 px a character at 12 px), within reason.
    bar_h, gap = 18, 6
    label_w = min(300, max(90, 12 + round(6.5 * max(len(k) for k, _v in items))))
    width = max(width, label_w + 260)
    height = len(items) * (bar_h + gap) + 10
    top = max(v for _k, v in items) or 1
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{CHART_FONT}">'
        f"<title>{escape(title)}</title>"
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * (bar_h + gap)
        w = round(plot_w * value / top, 1)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#2a6f97"></rect>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="12">{_num(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _num(value: float) -> str:
    return w.number(value)


def trend_chart_svg(series: list[tuple[str, float]], title: str = "", width: int = 520) -> str:
    """A line chart of values over periods, as inline SVG."""
    if not series:
        return ""
    height, pad = 180, 30
    top = max(v for _k, v in series) or 1
    step = (width - 2 * pad) / max(1, len(series) - 1)
    points = [
        (pad + i * step, height - pad - (height - 2 * pad) * v / top)
        for i, (_k, v) in enumerate(series)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{CHART_FONT}">'
        f"<title>{escape(title)}</title>"
        f'<polyline fill="none" stroke="#2a6f97" stroke-width="2" points="{path}"></polyline>'
    ]
    for (label, value), (x, y) in zip(series, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2a6f97"></circle>'
            f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="11" text-anchor="middle">'
            f"{_num(value)}</text>"
            f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def page_context(report: dict[str, Any]) -> dict[str, Any]:
    """Everything the web page and the PDF show, in words in the active language: charts,
    the change table, tables and indicator breakdowns with named, ordered rows."""
    bars: list[tuple[str, list[tuple[str, str, float]]]] = []

    def bar_chart(title: str, values: dict[str, float]) -> tuple[str, str]:
        # The PDF draws the same chart as HTML bars: WeasyPrint's SVG text is not shaped, so
        # Khmer labels inside an SVG come out broken there.
        top = max([float(v) for v in values.values()] + [1])
        bars.append(
            (title, [(k, w.number(v), round(100 * float(v) / top, 1)) for k, v in values.items()])
        )
        return title, bar_chart_svg(values, title)

    def chart(title: str, dim: str, values: dict[str, Any]) -> tuple[str, str]:
        return bar_chart(title, dict(w.rows(dim, values)))

    charts = []
    if report["report"] == "half-year":
        numbers = {w.item_name(k): v for k, v in report["numbers"].items()}
        charts.append(bar_chart(_("Headline figures"), numbers))
        rescued = report["indicators"]["victims_rescued"]["by"]
        for dim in ("sex", "age_band", "province"):
            title = _("Victims rescued by %(breakdown)s") % {"breakdown": w.dimension_name(dim)}
            charts.append(chart(title, dim, rescued[dim]))
        kinds = report["indicators"]["cases"]["by"]["kind"]
        charts.append(chart(_("Cases by kind"), "kind", kinds))
    elif report["report"] == "tip":
        values = {w.item_name(r["id"]): r["value"] for r in report["rows"]}
        charts.append(bar_chart(_("Data call"), values))
    else:
        for name, table in report["tables"].items():
            totals = {r: sum(v) for r, v in zip(table["row_keys"], table["cells"], strict=True)}
            title = str(w.TABLE_NAMES.get(name, name))
            charts.append(chart(title, table["rows"], totals))
    tables = []
    for name, t in report.get("tables", {}).items():
        order = w.ordered_keys(t["rows"], t["row_keys"])
        cells = dict(zip(t["row_keys"], t["cells"], strict=True))
        tables.append(
            {
                "name": str(w.TABLE_NAMES.get(name, name)),
                "corner": f"{w.dimension_name(t['rows'])} \\ {w.dimension_name(t['columns'])}",
                "columns": [w.value_name(t["columns"], c) for c in t["column_keys"]],
                "rows": [
                    (w.value_name(t["rows"], r), [w.number(v) for v in cells[r]]) for r in order
                ],
            }
        )
    indicators = [
        {
            "name": w.indicator_name(ind),
            "total": w.number(ind["total"]),
            "breakdowns": [
                (w.dimension_name(dim), [(k, w.number(v)) for k, v in w.rows(dim, values)])
                for dim, values in ind["by"].items()
            ],
        }
        for ind in report.get("indicators", {}).values()
    ]
    return {
        "charts": charts,
        "bars": bars,
        "comparisons": w.comparison_rows(report),
        "tables": tables,
        "indicators": indicators,
        "rows": [
            {"item": w.item_name(r["id"]), "value": w.number(r["value"])}
            for r in report.get("rows", [])
        ],
        "title": str(w.REPORT_NAMES.get(report["report"], report["report"])),
        "period_title": _period_title(report["period"]),
        "headline": w.headline(report) if "numbers" in report else "",
        "scope": w.scope_name(report["scope"]),
        "generated": w.local_time(report["generated_at"]),
    }


def _period_title(label: str) -> str:
    return parse_period(label).name()
