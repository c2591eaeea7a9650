"""Pages of case management: assign, note, plan and record a follow-up, transfer."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.web.refusals import show_refusal

from .. import selectors
from ..models import Case
from . import services
from .forms import AssignForm, FollowUpForm, FollowUpRecordForm, NoteForm, TransferForm
from .selectors import caseworker_choices, follow_up_get


def _page(
    request: HttpRequest,
    pk: int,
    build: Callable[[Case, Any], Form],
    save: Callable[[Case, dict[str, Any]], Any],
    *,
    heading: str,
    success: str,
    action: str = Action.CHANGE,
) -> HttpResponse:
    """Show the form for a case the actor may change (404 unseen, 403 read-only); save it
    through the service and go back to the case, or show the refusal on the form."""
    case = selectors.case_get(actor=request.user, pk=pk)
    selectors.require_case_action(actor=request.user, case=case, action=action)
    form = build(case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(request, success)
            return redirect("registry:case-detail", pk=case.pk)
    return render(
        request, "registry/casework_form.html", {"form": form, "case": case, "heading": heading}
    )


def _participants(request: HttpRequest, case: Case) -> Any:
    return selectors.case_file(actor=request.user, case=case).participants


@login_required
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def build(case: Case, data: Any) -> Form:
        return AssignForm(
            data, staff=caseworker_choices(case=case), initial={"caseworker": case.assigned_to_id}
        )

    def save(case: Case, data: dict[str, Any]) -> None:
        services.case_assign(actor=request.user, case=case, caseworker=data["caseworker"])

    return _page(
        request, pk, build, save, heading=_("Assign a caseworker"), success=_("Caseworker saved.")
    )


@login_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    def build(case: Case, data: Any) -> Form:
        return NoteForm(data, participants=_participants(request, case), actor=request.user)

    def save(case: Case, data: dict[str, Any]) -> None:
        services.case_note_add(
            actor=request.user,
            case=case,
            text=data["text"],
            sensitivity=data["sensitivity"] or "",
            participant=data["participant"],
        )

    return _page(request, pk, build, save, heading=_("Write a case note"), success=_("Note saved."))


@login_required
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    def build(case: Case, data: Any) -> Form:
        return FollowUpForm(
            data,
            participants=_participants(request, case),
            actor=request.user,
            staff=caseworker_choices(case=case),
        )

    def save(case: Case, data: dict[str, Any]) -> None:
        services.follow_up_plan(actor=request.user, case=case, **data)

    return _page(
        request,
        pk,
        build,
        save,
        heading=_("Plan a follow-up visit"),
        success=_("Follow-up planned."),
    )


@login_required
def follow_up_record(request: HttpRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    def build(case: Case, data: Any) -> Form:
        follow_up_get(actor=request.user, pk=follow_up_pk, case=case)  # 404 if not this case's
        return FollowUpRecordForm(data)

    def save(case: Case, data: dict[str, Any]) -> None:
        follow_up = follow_up_get(actor=request.user, pk=follow_up_pk, case=case)
        services.follow_up_record(actor=request.user, follow_up=follow_up, **data)

    return _page(
        request,
        pk,
        build,
        save,
        heading=_("Record the follow-up"),
        success=_("Follow-up recorded."),
    )


@login_required
def case_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def build(case: Case, data: Any) -> Form:
        return TransferForm(data)

    def save(case: Case, data: dict[str, Any]) -> None:
        services.case_transfer(actor=request.user, case=case, **data)

    return _page(
        request,
        pk,
        build,
        save,
        heading=_("Transfer the case to another agency"),
        success=_("Case transferred."),
        action=Action.SHARE,
    )
