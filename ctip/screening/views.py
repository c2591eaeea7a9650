"""Screening pages: thin, they parse input and call services and selectors."""

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.choices import Action
from ctip.access.selectors import agencies_actor_can_register_for
from ctip.registry.forms.fields import person_label
from ctip.web.refusals import refusal_text, show_refusal

from . import selectors, services
from .choices import INDICATORS, Answer, Decision, Repatriation
from .field import FORM_ID, question_in
from .forms import (
    GRID_COLUMNS,
    EmbassyForm,
    OperationForm,
    RepatriationForm,
    ScreeningForm,
    UploadForm,
)
from .importing import found_persons_import

GRID_ROWS = 25
GRID_MAX_ROWS = 80  # 11 fields a row stay under Django's 1,000 fields per request


@login_required
def operation_list(request: HttpRequest) -> HttpResponse:
    operations = selectors.operation_list(actor=request.user)[:200]
    return render(
        request,
        "screening/operation_list.html",
        {"operations": operations, "may_record": selectors.may_record_operations(request.user)},
    )


@login_required
def operation_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_record_operations(request.user):
        raise PermissionDenied(_("You may not record operations."))
    form = OperationForm(
        request.POST or None, lead_agencies=agencies_actor_can_register_for(actor=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            operation = services.operation_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Operation recorded; now enter the persons found."))
            return redirect("screening:found-grid", operation.pk)
    return render(request, "screening/operation_form.html", {"form": form})


@login_required
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(actor=request.user, pk=pk)
    filters = selectors.FoundFilters(
        decision=request.GET.get("decision", ""), nationality=request.GET.get("nationality", "")
    )
    found = selectors.found_list(actor=request.user, operation=operation, filters=filters)
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    rows = [(f, person_label(request.user, f.person)) for f in page.object_list]
    figures = selectors.operation_figures(actor=request.user, operation=operation)
    return render(
        request,
        "screening/operation_detail.html",
        {
            "operation": operation,
            "page": page,
            "rows": rows,
            "figures": figures,
            "decisions": Decision.choices,
            "filters": filters,
            "form_id": FORM_ID,
            "embassy_nationalities": [
                n
                for n, counts in sorted(figures.by_nationality.items())
                if counts.get(Decision.IDENTIFIED) and n not in ("KHM", "—")
            ],
        },
    )


def _grid_rows(data: Any, count: int) -> list[tuple[int, dict[str, Any]]]:
    """(position, values) of each grid row where something was typed."""
    rows = []
    for position in range(count):
        values = {}
        for name, _label, kind, _size, _choices in GRID_COLUMNS:
            value = data.get(f"r{position}-{name}", "")
            if kind == "checkbox":
                value = "yes" if value else ""
            values[name] = value.strip() if isinstance(value, str) else value
        typed = {k: v for k, v in values.items() if v and k not in ("sex", "document_held")}
        if typed:
            rows.append((position, values))
    return rows


@login_required
def found_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """Many persons per submit: a row per person; blank rows are skipped."""
    operation = selectors.operation_get(actor=request.user, pk=pk, action=Action.CHANGE)
    try:
        count = min(max(int(request.GET.get("rows", GRID_ROWS)), 1), GRID_MAX_ROWS)
    except ValueError:
        count = GRID_ROWS
    errors: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    data: Any = {}
    if request.method == "POST":
        count = min(max(int(request.POST.get("count", count) or count), 1), GRID_MAX_ROWS)
        data = request.POST
        typed = _grid_rows(data, count)
        try:
            created = services.found_persons_add(
                actor=request.user, operation=operation, rows=[values for _p, values in typed]
            )
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                where, _sep, name = key.partition(": ")
                if where.startswith("row "):
                    position = typed[int(where.split()[1]) - 1][0]
                    errors.setdefault(position, {})[name] = texts
                else:
                    general.extend(texts)
        except PermissionDenied as error:
            general.append(refusal_text(error))
        else:
            messages.success(
                request, _("%(n)d persons registered in the operation.") % {"n": len(created)}
            )
            return redirect("screening:found-grid", operation.pk)
    grid = []
    for position in range(count):
        cells = []
        for name, label, kind, size, choices in GRID_COLUMNS:
            value = data.get(f"r{position}-{name}", "") if data else ""
            cells.append(
                {
                    "name": f"r{position}-{name}",
                    "field": name,
                    "label": label,
                    "kind": kind,
                    "size": size,
                    "choices": choices,
                    "value": value,
                    "errors": errors.get(position, {}).get(name, []),
                }
            )
        grid.append({"position": position, "cells": cells, "has_errors": position in errors})
    return render(
        request,
        "screening/found_grid.html",
        {
            "operation": operation,
            "grid": grid,
            "count": count,
            "more": min(count + GRID_ROWS, GRID_MAX_ROWS),
            "general": general,
            "error_rows": len(errors),
        },
    )


@login_required
def found_upload(request: HttpRequest, pk: int) -> HttpResponse:
    operation = selectors.operation_get(actor=request.user, pk=pk, action=Action.CHANGE)
    form = UploadForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                batch = found_persons_import(
                    actor=request.user, operation=operation, path=path, file_name=upload.name
                )
            except (ValidationError, PermissionDenied) as error:
                show_refusal(form, error)
        if batch is not None and batch.result:
            messages.success(
                request,
                _("%(n)d persons registered from %(file)s.")
                % {"n": batch.result.get("persons_found", 0), "file": batch.file_name},
            )
            return redirect("screening:operation-detail", operation.pk)
    problems = list(batch.problems.all()[:200]) if batch is not None else []
    return render(
        request,
        "screening/found_upload.html",
        {"operation": operation, "form": form, "batch": batch, "problems": problems},
    )


@login_required
def found_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The person found and the screening form: the page an interviewer keeps open."""
    found = selectors.found_get(actor=request.user, pk=pk)
    form = ScreeningForm(
        request.POST or None,
        initial={
            "interviewed_on": timezone.localdate(),
            "language": found.language or "km",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_record(
                actor=request.user,
                found=found,
                interviewed_on=form.cleaned_data["interviewed_on"],
                language=form.cleaned_data["language"],
                answers=form.answers(),
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
                interpreter=form.cleaned_data["interpreter"],
                consent_to_embassy=form.cleaned_data["consent_to_embassy"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Screening recorded."))
            return redirect("screening:found-detail", found.pk)
    language = request.GET.get("in") or found.language
    questions = [
        (
            field,
            question_in(indicator.code, "en" if request.LANGUAGE_CODE != "km" else "km"),
            question_in(indicator.code, language) if language not in ("", "en", "km") else "",
            str(field.value() or ""),
        )
        for field, indicator in zip(form.answer_fields(), INDICATORS, strict=True)
    ]
    return render(
        request,
        "screening/found_detail.html",
        {
            "found": found,
            "name": person_label(request.user, found.person),
            "form": form,
            "questions": questions,
            # Every indicator is answered from the same list (forms._answer_field).
            "answers": [(str(v), str(label)) for v, label in Answer.choices],
            "screenings": list(found.screenings.all()),
            "repatriation_form": RepatriationForm(
                initial={"status": found.repatriation, "on": timezone.localdate()}
            ),
            "repatriations": Repatriation.choices,
        },
    )


@login_required
@require_POST
def repatriation(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.found_get(actor=request.user, pk=pk, action=Action.CHANGE)
    form = RepatriationForm(request.POST)
    if form.is_valid():
        try:
            services.repatriation_update(
                actor=request.user,
                found=found,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
            )
            messages.success(request, _("Repatriation status saved."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("screening:found-detail", found.pk)


@login_required
@require_POST
def mark_suspect(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.found_get(actor=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.found_person_mark_suspect(actor=request.user, found=found)
        messages.success(request, _("Recorded as a suspect in the operation's case."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("screening:found-detail", found.pk)


@login_required
def embassy_list(request: HttpRequest, pk: int, nationality: str) -> HttpResponse:
    """The identified victims of one nationality, and sending their list to the embassy."""
    operation = selectors.operation_get(actor=request.user, pk=pk)
    nationality = nationality.upper()[:3]
    agencies = selectors.embassy_agencies(nationality)
    form = EmbassyForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.embassy_list_send(
                actor=request.user,
                operation=operation,
                nationality=nationality,
                to_agency=form.cleaned_data["to_agency"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(sent)d victims sent to the embassy; %(without)d left out without consent.")
                % {"sent": len(sent.packages), "without": len(sent.without_consent)},
            )
            if sent.child_steps_missing:
                messages.warning(
                    request,
                    _(
                        "%(n)d children left out: record their best-interest determination "
                        "and guardian on the case first."
                    )
                    % {"n": len(sent.child_steps_missing)},
                )
            return redirect("screening:embassy-list", operation.pk, nationality)
    rows = [
        (row, person_label(request.user, row.found.person))
        for row in selectors.embassy_rows(
            actor=request.user, operation=operation, nationality=nationality
        )
    ]
    return render(
        request,
        "screening/embassy_list.html",
        {
            "operation": operation,
            "nationality": nationality,
            "rows": rows,
            "form": form,
            "agencies": agencies,
            "with_consent": sum(1 for row, _n in rows if row.found.consent_to_embassy),
        },
    )
