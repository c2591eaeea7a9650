"""Pages of sanctions screening: the lists and the hits awaiting decision, one hit's evidence
and the decision on it, screening again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.investigations.selectors import is_investigator

from . import selectors, services
from .choices import HitStatus
from .display import evidence_lines, subject_text
from .forms import HitDecisionForm, HitFilterForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    lists = list(selectors.watch_lists(actor=actor))
    form = HitFilterForm(request.GET or None)
    status = HitStatus.PENDING
    if request.GET and form.is_valid():
        status = form.cleaned_data["status"]
    page = Paginator(selectors.hit_list(actor=actor, status=status), 25).get_page(
        request.GET.get("page")
    )
    rows = [{"hit": hit, "subject": subject_text(actor, hit)} for hit in page.object_list]
    return render(
        request,
        "investigations/sanctions/home.html",
        {
            "lists": lists,
            "page": page,
            "rows": rows,
            "form": form,
            "status": status,
            "may_screen": is_investigator(actor),
        },
    )


@login_required
def hit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    hit = selectors.hit_get(actor=actor, pk=pk)
    form = HitDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hit_decide(
                actor=actor,
                hit=hit,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("investigations:sanctions")
    entity = hit.entity
    properties = entity.data or {}
    return render(
        request,
        "investigations/sanctions/hit.html",
        {
            "hit": hit,
            "subject": subject_text(actor, hit),
            "evidence": evidence_lines(actor, hit),
            "entity": entity,
            "aliases": [n for n in entity.names if n != entity.caption],
            "weak_aliases": properties.get("weakAlias", []),
            "birth_dates": properties.get("birthDate", []),
            "programs": properties.get("program", []) + properties.get("topics", []),
            "cases": selectors.hit_cases(actor=actor, hit=hit),
            "form": form,
            "may_decide": is_investigator(actor) and hit.status != HitStatus.WITHDRAWN,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    watch_list = selectors.watch_list_get(actor=request.user, pk=pk)
    try:
        report = services.watch_list_screen(actor=request.user, watch_list=watch_list)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Screened again: %(new)d new hits, %(kept)d kept, %(withdrawn)d withdrawn.")
            % {"new": report.new, "kept": report.kept, "withdrawn": report.withdrawn},
        )
    return redirect("investigations:sanctions")
