"""Pages of case management: assign, note, plan and record a follow-up, transfer, a victim's
needs and risk assessment (and its versions), a child's protection steps."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.masking import mask_value
from ctip.web.refusals import show_refusal

from .. import selectors
from ..choices import ParticipantRole
from ..models import Case, Participant
from . import services
from .children import is_child, steps_of
from .forms import (
    AssessmentForm,
    AssignForm,
    ChildStepsForm,
    FollowUpForm,
    FollowUpRecordForm,
    NoteForm,
    TransferForm,
)
from .selectors import (
    assessment_history,
    case_child_steps,
    caseworker_choices,
    follow_up_get,
)


def _page(
    request: HttpRequest,
    pk: int,
    build: Callable[[Case, Any], Form],
    save: Callable[[Case, dict[str, Any]], Any],
    *,
    heading: str | Callable[[Case], str],
    success: str,
    action: str = Action.CHANGE,
    extra: Callable[[Case], dict[str, Any]] | None = None,
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
    if callable(heading):
        heading = heading(case)
    context = {"form": form, "case": case, "heading": heading}
    if extra is not None:
        context.update(extra(case))
    return render(request, "registry/casework_form.html", context)


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
        # The children of the case and the steps a transfer still needs (decision 0150).
        extra=lambda case: {
            "children": case_child_steps(
                actor=request.user, case=case, participants=_participants(request, case)
            )
        },
    )


def _victim(request: HttpRequest, case: Case, participant_pk: int) -> Participant:
    """A victim of this case the actor sees (404 otherwise, as for an unknown one)."""
    participant = selectors.participant_get(actor=request.user, pk=participant_pk, case=case)
    if participant.role != ParticipantRole.VICTIM:
        raise Http404(_("No such participant."))
    return participant


@login_required
def assessment_add(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """A new version of the victim's needs and risk assessment, starting from the current one
    where the actor may read it."""

    def build(case: Case, data: Any) -> Form:
        victim = _victim(request, case, participant_pk)
        initial: dict[str, Any] = {}
        history = assessment_history(actor=request.user, participant=victim)
        if history and history[0].readable:
            latest = history[0]
            for area, entry in latest.needs.items():
                initial[f"{area}_level"] = entry.get("level")
                initial[f"{area}_note"] = entry.get("note", "")
            initial.update(
                risk_level=latest.risk_level,
                risk_reasons=latest.risk_reasons,
                sensitivity=latest.sensitivity,
            )
        return AssessmentForm(data, initial=initial)

    def save(case: Case, data: dict[str, Any]) -> None:
        services.assessment_record(
            actor=request.user,
            participant=_victim(request, case, participant_pk),
            needs=AssessmentForm.needs_of(data),
            risk_level=data["risk_level"],
            risk_reasons=data["risk_reasons"],
            sensitivity=data["sensitivity"] or "",
        )

    return _page(
        request,
        pk,
        build,
        save,
        heading=lambda case: (
            _("Needs and risk assessment of %(name)s (person %(id)s)")
            % _named(request, case, participant_pk)
        ),
        success=_("Assessment saved."),
    )


def _named(request: HttpRequest, case: Case, participant_pk: int) -> dict[str, Any]:
    """The victim a page heading names, read through the selector as the actor: the name
    masked where the actor may not read it, and the person number the case page shows."""
    victim = _victim(request, case, participant_pk)
    return {
        "name": mask_value(request.user, victim.person, "display_name"),
        "id": victim.person_id,
    }


@login_required
def assessment_list(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """Every version of the victim's assessment: who assessed when, and what they found."""
    case = selectors.case_get(actor=request.user, pk=pk)
    victim = _victim(request, case, participant_pk)
    return render(
        request,
        "registry/assessment_list.html",
        {
            "case": case,
            "victim": victim,
            "assessments": assessment_history(actor=request.user, participant=victim),
        },
    )


@login_required
def child_steps(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """The child's best-interest assessment and determination, and the appointed guardian."""

    def build(case: Case, data: Any) -> Form:
        victim = _victim(request, case, participant_pk)
        if not is_child(victim):
            raise Http404(_("No such participant."))
        steps = steps_of(victim)
        initial = {}
        if steps is not None:
            initial = {
                name: getattr(steps, name)
                for name in (
                    "assessed_on",
                    "assessment",
                    "determined_on",
                    "determination",
                    "guardian_name",
                    "guardian_relationship",
                    "guardian_appointed_on",
                )
            }
            initial["guardian_agency"] = steps.guardian_agency_id
        return ChildStepsForm(data, initial=initial)

    def save(case: Case, data: dict[str, Any]) -> None:
        services.child_steps_save(
            actor=request.user, participant=_victim(request, case, participant_pk), **data
        )

    return _page(
        request,
        pk,
        build,
        save,
        heading=lambda case: (
            _("Child protection steps of %(name)s (person %(id)s)")
            % _named(request, case, participant_pk)
        ),
        success=_("Child protection steps saved."),
    )
