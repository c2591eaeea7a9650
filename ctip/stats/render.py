"""Output formats of the reports: CSV, XLSX, PDF, and the inline SVG charts of the pages.

Renderers only lay out what the report dict already holds; they compute nothing new."""

import csv
import io
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
HEADER = ["section", "item", "breakdown", "category", "value"]


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


def comparison_items(report: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(against which period, item, change) for every comparison in any report."""
    out = []
    comparisons = report.get("comparisons", {})
    if report["report"] == "half-year":
        for against, block in comparisons.items():
            out += [(f"{against} ({block['period']})", k, c) for k, c in block["items"].items()]
    else:
        for item, by in comparisons.items():
            out += [(against, item, c) for against, c in by.items()]
    return out


def to_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode()


def to_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(report_rows(report))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read Khmer right


def to_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append([f"ctip — {report['report']} report", report["period"]])
    if "headline" in report:
        summary.append([report["headline"]["en"]])
        summary.append([report["headline"]["km"]])
    summary.append([])
    summary.append(
        [
            "compared with",
            "item",
            "this period",
            "that period",
            "change %",
            "ratio 95% low",
            "ratio 95% high",
            "verdict",
        ]
    )
    summary[summary.max_row][0].font = Font(bold=True)
    for against, item, c in comparison_items(report):
        summary.append(
            [
                against,
                item,
                c["current"],
                c["baseline"],
                c["change_pct"],
                c["ratio_low"],
                c["ratio_high"],
                c["verdict"],
            ]
        )
    if report["report"] == "glotip":
        for name, table in report["tables"].items():
            sheet = book.create_sheet(name[:31])
            sheet.append([f"{table['rows']} \\ {table['columns']}", *table["column_keys"]])
            for r, values in zip(table["row_keys"], table["cells"], strict=True):
                sheet.append([r, *values])
    data = book.create_sheet("Data")
    data.append(HEADER)
    for row in report_rows(report):
        data.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(report: dict[str, Any]) -> bytes:
    """A PDF through WeasyPrint; Khmer is shaped by pango/HarfBuzz with the shipped Noto font."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(
        "stats/report_pdf.html",
        {"report": report, "font_dir": FONT_DIR.as_uri(), **page_context(report)},
    )
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()


RENDERERS = {"json": to_json, "csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}


def render(report: dict[str, Any], fmt: str) -> bytes:
    from django.core.exceptions import ValidationError

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
    bar_h, gap, label_w = 18, 6, 170
    height = len(items) * (bar_h + gap) + 10
    top = max(v for _k, v in items) or 1
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * (bar_h + gap)
        w = round(plot_w * value / top, 1)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#2a6f97"></rect>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        f'<polyline fill="none" stroke="#2a6f97" stroke-width="2" points="{path}"></polyline>'
    ]
    for (label, value), (x, y) in zip(series, points, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2a6f97"></circle>'
            f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="11" text-anchor="middle">'
            f"{value:g}</text>"
            f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def page_context(report: dict[str, Any]) -> dict[str, Any]:
    """Charts and comparison rows shared by the web page and the PDF."""
    charts = []
    if report["report"] == "half-year":
        charts.append(("Headline figures", bar_chart_svg(report["numbers"], "Headline figures")))
        rescued = report["indicators"]["victims_rescued"]["by"]
        for dim in ("sex", "age_band", "province"):
            charts.append((f"Victims rescued by {dim}", bar_chart_svg(rescued[dim], dim)))
        charts.append(("Cases by kind", bar_chart_svg(report["indicators"]["cases"]["by"]["kind"])))
    elif report["report"] == "tip":
        charts.append(("Data call", bar_chart_svg({r["id"]: r["value"] for r in report["rows"]})))
    else:
        for name, table in report["tables"].items():
            totals = {r: sum(v) for r, v in zip(table["row_keys"], table["cells"], strict=True)}
            charts.append((name, bar_chart_svg(totals, name)))
    tables = [
        (name, t, list(zip(t["row_keys"], t["cells"], strict=True)))
        for name, t in report.get("tables", {}).items()
    ]
    return {"charts": charts, "comparisons": comparison_items(report), "tables": tables}
