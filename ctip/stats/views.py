"""Statistics pages: staff dashboard, report pages and downloads. Thin: selectors do the work."""

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.choices import AgencyKind
from ctip.web.refusals import show_refusal

from . import render as out
from . import services
from . import wording as words
from .choices import Protection
from .forms import INTERVAL_CHOICES, SELECTION_LABELS, DarkFigureForm, DashboardFilterForm
from .indicators import CATALOGUE
from .periods import Period, last_complete_half, parse_period
from .reports import BUILDERS, build_report
from .selectors import (
    dark_figure,
    may_aggregate_all,
    may_see_statistics,
    periods_figures,
    privacy_ledger,
    published_release,
    published_releases,
    release_get,
    release_list,
)

SUPPRESSED = "*"


def _require_staff(request: HttpRequest) -> None:
    if not may_see_statistics(request.user):
        raise PermissionDenied(_("Your role does not include statistics."))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Indicators with filters, a trend over the last eight half-years, a province table."""
    _require_staff(request)
    # What the query leaves out takes its default, so that "?period=abc" is told what is
    # wrong with the period instead of that an indicator is missing.
    default = {"indicator": "victims_rescued", "period": last_complete_half().label}
    form = DashboardFilterForm({**default, **request.GET.dict()})
    context: dict[str, Any] = {
        "form": form,
        "catalogue": CATALOGUE.values(),
        "may_estimate": may_aggregate_all(request.user),
    }
    if form.is_valid():
        ind = CATALOGUE[form.cleaned_data["indicator"]]
        period = parse_period(form.cleaned_data["period"])
        breakdown = form.cleaned_data["breakdown"] or ind.disaggregations[0]
        halves, p = [], Period(period.year, period.half or 2)
        for _i in range(8):
            halves.append(p)
            p = p.previous()
        # One pass for the chosen period and the eight half-years of the trend (a year and
        # its halves overlap, so that case takes two).
        figures = periods_figures(
            actor=request.user, wanted={period: (ind.id,), **{h: (ind.id,) for h in halves}}
        )
        cube = figures[period].cubes[ind.id]
        trend = [(h.label, figures[h].total(ind.id)) for h in reversed(halves)]
        rows = words.rows(breakdown, cube.by(breakdown))
        name, by_what = words.indicator_name(ind), words.dimension_name(breakdown)
        context.update(
            indicator=ind,
            indicator_name=name,
            # The catalogue's rule is English; its Khmer text is in the catalogue of
            # translations (a test checks that every rule has one).
            counting_rule=_(ind.counting_rule),
            period=period,
            period_name=period.name(),
            breakdown=breakdown,
            breakdown_name=by_what,
            breakdowns=[(d, words.dimension_name(d)) for d in ind.disaggregations],
            total=cube.total,
            total_words=words.number(cube.total),
            rows=[(label, words.number(n)) for label, n in rows],
            chart=out.bar_chart_svg(
                dict(rows),
                _("%(indicator)s by %(breakdown)s") % {"indicator": name, "breakdown": by_what},
            ),
            trend=out.trend_chart_svg(
                trend, _("%(indicator)s, last eight half-years") % {"indicator": name}
            ),
            trend_points=trend,
            province_rows=[
                (label, words.number(n)) for label, n in words.rows("province", cube.by("province"))
            ]
            if "province" in ind.disaggregations and breakdown != "province"
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
        raise BadRequest(
            _("Unknown format %(value)r: choose one of %(formats)s.")
            % {"value": fmt, "formats": ", ".join(out.FORMATS)}
        )
    try:
        report = build_report(actor=request.user, kind=kind, period=period, viewed=fmt == "html")
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error
    if fmt != "html":
        response = HttpResponse(out.render(report, fmt), content_type=out.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="ctip-{kind}-{period}.{fmt}"'
        return response
    return render(
        request,
        "stats/report.html",
        {"report": report, "kind": kind, "formats": out.FORMATS, **out.page_context(report)},
    )


@login_required
def dark_figure_page(request: HttpRequest) -> HttpResponse:
    """Multiple systems estimation: the registry for a period, or an uploaded capture table."""
    if not may_aggregate_all(request.user):
        raise PermissionDenied(_("Only analysts and secretariat staff estimate the dark figure."))
    form = DarkFigureForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = {"period": data["period"]} if data["period"] else {"table": data["file"]}
        try:
            result = dark_figure(
                actor=request.user,
                method=data["method"],
                interval=data["interval"],
                bootstrap=data["bootstrap"],
                for_page=True,
                **source,
            )
        except ValidationError as error:
            show_refusal(form, error)
    lists, terms, labels_used = [], [], {}
    if result:
        labels_used = {
            "selection": SELECTION_LABELS.get(result["selection"], result["selection"]),
            "interval": dict(INTERVAL_CHOICES).get(result["interval_method"] or "", ""),
        }
        labels = dict(AgencyKind.choices) if result["source"] == "registry" else {}
        lists = [(labels.get(name, name), n) for name, n in result["list_sizes"].items()]
        # A term names one list, or two joined by ":" (their dependence): show the names.
        terms = [" & ".join(str(labels.get(n, n)) for n in t.split(":")) for t in result["terms"]]
    return render(
        request,
        "stats/dark_figure.html",
        {"form": form, "result": result, "lists": lists, "terms": terms, **labels_used},
        status=400 if form.errors else 200,
    )


# --- public statistics (no sign-in) and releases ------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    """Published releases, for anyone."""
    return render(request, "stats/public_index.html", {"releases": published_releases()})


def public_release(request: HttpRequest, pk: int) -> HttpResponse:
    release = published_release(pk=pk)
    tables = [(t, list(zip(t["row_keys"], t["values"], strict=True))) for t in release.tables]
    return render(request, "stats/public_release.html", {"release": release, "tables": tables})


def public_release_csv(request: HttpRequest, pk: int) -> HttpResponse:
    release = published_release(pk=pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period", "protection", "epsilon", "table", "row", "column", "value"])
    for table in release.tables:
        for row_key, values in zip(table["row_keys"], table["values"], strict=True):
            for col_key, value in zip(table["column_keys"], values, strict=True):
                writer.writerow(
                    [
                        release.period,
                        release.protection,
                        release.epsilon if release.epsilon is not None else "",
                        table["id"],
                        row_key,
                        col_key,
                        SUPPRESSED if value is None else value,
                    ]
                )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="ctip-{release.period}-{pk}.csv"'
    return response


@login_required
def releases(request: HttpRequest) -> HttpResponse:
    """Staff: prepare, sign off and publish releases; the privacy budget ledger."""
    release_rows = release_list(actor=request.user)  # refuses anyone but release staff
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                raw = request.POST.get("epsilon", "").strip()
                try:
                    epsilon = float(raw) if raw else None
                except ValueError:
                    raise ValidationError({"epsilon": _("Epsilon must be a number.")}) from None
                services.release_create(
                    actor=request.user,
                    period=request.POST.get("period", ""),
                    protection=request.POST.get("protection", ""),
                    epsilon=epsilon,
                )
            elif action in ("sign_off", "publish"):
                release = release_get(actor=request.user, pk=request.POST.get("release"))
                service = (
                    services.release_sign_off if action == "sign_off" else services.release_publish
                )
                service(actor=request.user, release=release)
            else:
                raise ValidationError({"action": _("Unknown action.")})
            return redirect("stats:releases")
        except ValidationError as error:
            errors = error.message_dict
    return render(
        request,
        "stats/releases.html",
        {
            "releases": release_rows,
            "ledger": privacy_ledger(actor=request.user),
            "errors": errors,
            "protections": Protection.choices,
        },
        status=400 if errors else 200,
    )
