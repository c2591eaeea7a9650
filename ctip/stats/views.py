"""Statistics pages: staff dashboard, report pages and downloads. Thin: selectors do the work."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import render as out
from .forms import DashboardFilterForm
from .indicators import CATALOGUE
from .periods import Period, parse_period
from .reports import BUILDERS, build_report
from .selectors import indicator_cube, may_see_statistics


def _require_staff(request: HttpRequest) -> None:
    if not may_see_statistics(request.user):
        raise PermissionDenied(_("Your role does not include statistics."))


def last_complete_half(today: Any = None) -> Period:
    today = today or timezone.localdate()
    return Period(today.year, 1) if today.month >= 7 else Period(today.year - 1, 2)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Indicators with filters, a trend over the last eight half-years, a province table."""
    _require_staff(request)
    default = {"indicator": "victims_rescued", "period": last_complete_half().label}
    form = DashboardFilterForm(request.GET or default)
    context: dict[str, Any] = {"form": form, "catalogue": CATALOGUE.values()}
    if form.is_valid():
        ind = CATALOGUE[form.cleaned_data["indicator"]]
        period = parse_period(form.cleaned_data["period"])
        breakdown = form.cleaned_data["breakdown"] or ind.disaggregations[0]
        cube = indicator_cube(actor=request.user, indicator_id=ind.id, period=period)
        halves, p = [], Period(period.year, period.half or 2)
        for _i in range(8):
            halves.append(p)
            p = p.previous()
        trend = [
            (h.label, indicator_cube(actor=request.user, indicator_id=ind.id, period=h).total)
            for h in reversed(halves)
        ]
        by = cube.by(breakdown)
        context.update(
            indicator=ind,
            period=period,
            breakdown=breakdown,
            total=cube.total,
            rows=sorted(by.items(), key=lambda kv: -kv[1]),
            chart=out.bar_chart_svg(by, f"{ind.name_en} by {breakdown}"),
            trend=out.trend_chart_svg(trend, f"{ind.name_en}, last eight half-years"),
            province_rows=sorted(cube.by("province").items())
            if "province" in ind.disaggregations
            else [],
        )
    return render(
        request,
        "stats/dashboard.html",
        context,
        status=200 if form.is_valid() or not request.GET else 400,
    )


@login_required
def report_page(request: HttpRequest, kind: str, period: str) -> HttpResponse:
    """A report as a page with charts; ?format=csv|xlsx|pdf|json downloads it instead."""
    _require_staff(request)
    if kind not in BUILDERS:
        raise Http404(_("No such report."))
    fmt = request.GET.get("format", "html")
    if fmt != "html" and fmt not in out.FORMATS:
        return HttpResponse(_("Unknown format."), status=400, content_type="text/plain")
    try:
        report = build_report(actor=request.user, kind=kind, period=period)
    except ValidationError as error:
        return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
    if fmt != "html":
        response = HttpResponse(out.render(report, fmt), content_type=out.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="ctip-{kind}-{period}.{fmt}"'
        return response
    return render(
        request,
        "stats/report.html",
        {"report": report, "kind": kind, "formats": out.FORMATS, **out.page_context(report)},
    )
