"""Verification pages: the list, ordering one, its page and each step (team, visit, findings,
persons, outcome, sign-off, cases, public summary), and the public page of summaries."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.intake.selectors import matter_get
from ctip.intake.services.triage import may_decide
from ctip.reference import gazetteer
from ctip.web.refusals import refusal_text, show_refusal

from . import selectors, services
from .choices import VerificationStatus
from .forms import (
    FindingForm,
    FoundPersonForm,
    OpenCaseForm,
    PlanForm,
    PublishForm,
    SignOffForm,
    SubmitForm,
    TeamMemberForm,
    VisitForm,
)
from .models import Verification


def _lead_choices(actor: Any) -> Any:
    """Agencies the actor may order a verification for."""
    agencies = selectors.verifying_agencies()
    if getattr(actor, "is_superuser", False):
        return agencies
    return agencies.filter(pk__in=sorted(selectors.staff_agencies(actor)))


@login_required
def verification_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_use_verifications(request.user):
        raise Http404
    box = request.GET.get("box", "")
    status = request.GET.get("status", "")
    rows = selectors.verification_list(
        actor=request.user, status=status, box=box, search=request.GET.get("q", "")
    )[:200]
    return render(
        request,
        "verification/verification_list.html",
        {
            "verifications": rows,
            "box": box,
            "status": status,
            "statuses": VerificationStatus.choices,
            "may_order": _lead_choices(request.user).exists(),
        },
    )


@login_required
def verification_create(request: HttpRequest) -> HttpResponse:
    """Order a verification: for a matter triage decided to verify (`?matter=`), or for an
    allegation that reached the actor's agency another way."""
    matter_id = request.GET.get("matter", "")
    matter = None
    if matter_id:
        if not matter_id.isdigit():
            raise Http404
        matter = matter_get(actor=request.user, pk=int(matter_id))
        agencies = selectors.verifying_agencies()
        if not (may_decide(request.user, matter) or request.user.is_superuser):
            agencies = agencies.filter(pk__in=sorted(selectors.staff_agencies(request.user)))
    else:
        agencies = _lead_choices(request.user)
    if not agencies.exists():
        raise Http404
    initial = {}
    if matter is not None:
        initial = {
            "lead_agency": matter.assigned_agency_id,
            "allegation": services.matter_allegation(matter),
        }
    form = PlanForm(request.POST or None, agencies=agencies, matter=matter, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if matter is not None:
                verification = services.verification_order(
                    actor=request.user, matter=matter, **form.cleaned_data
                )
            else:
                verification = services.verification_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Verification ordered. Now put the team together."))
            return redirect("verification:detail", pk=verification.pk)
    return render(
        request,
        "verification/form.html",
        {
            "form": form,
            "title": _("Order a verification"),
            "button": _("Order verification"),
            "matter": matter,
        },
    )


@login_required
def verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    verification = selectors.verification_get(actor=request.user, pk=pk)
    file = selectors.verification_file(verification=verification)
    actor = request.user
    return render(
        request,
        "verification/verification_detail.html",
        {
            "v": verification,
            "place": selectors.place_name(verification),
            "file": file,
            "team_problems": services.team_problems(verification, file.team),
            "may_change": selectors.may_change(actor, verification),
            "may_submit": verification.status == VerificationStatus.VISITED
            and selectors.may_work_on(actor, verification),
            "may_sign_off": selectors.may_sign_off(actor, verification),
            "may_open_case": selectors.may_open_case(actor, verification),
            "may_publish": verification.status == VerificationStatus.CLOSED
            and selectors.came_from_public(verification)
            and selectors.may_publish(actor, verification),
        },
    )


def _step(
    request: HttpRequest,
    pk: int,
    form_class: Callable[..., Form],
    act: Callable[[Verification, dict[str, Any]], Any],
    *,
    title: str,
    button: str,
    done: str,
    form_kwargs: Callable[[Verification], dict[str, Any]] | None = None,
    allowed: Callable[[Any, Verification], bool] = selectors.may_change,
) -> HttpResponse:
    """One step of a verification on its own page: a form, the service, back to the page."""
    verification = selectors.verification_get(actor=request.user, pk=pk, audit=False)
    if not allowed(request.user, verification):
        raise Http404
    kwargs = form_kwargs(verification) if form_kwargs else {}
    form = form_class(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            act(verification, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, done)
            return redirect("verification:detail", pk=verification.pk)
    return render(
        request,
        "verification/form.html",
        {"form": form, "v": verification, "title": title, "button": button},
    )


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        return services.verification_update_plan(actor=request.user, verification=v, **data)

    def initial(v: Verification) -> dict[str, Any]:
        return {
            "editing": True,
            "current_place": gazetteer.place(v.place_code) if len(v.place_code) > 4 else None,
            "initial": {field: getattr(v, field) for field in services.PLAN_FIELDS},
        }

    return _step(
        request,
        pk,
        PlanForm,
        act,
        title=_("Change the plan"),
        button=_("Save plan"),
        done=_("Plan saved."),
        form_kwargs=initial,
    )


@login_required
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidates = list(selectors.team_candidates())

    def act(v: Verification, data: dict[str, Any]) -> Any:
        membership = next(m for m in candidates if str(m.pk) == data["member"])
        return services.team_member_add(
            actor=request.user,
            verification=v,
            user=membership.user,
            agency=membership.agency,
            role=data["role"],
        )

    return _step(
        request,
        pk,
        TeamMemberForm,
        act,
        title=_("Add an officer to the team"),
        button=_("Add to team"),
        done=_("Officer added to the team."),
        form_kwargs=lambda v: {"candidates": candidates},
    )


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        return services.visit_record(
            actor=request.user, verification=v, visited_on=data["visited_on"], notes=data["notes"]
        )

    return _step(
        request,
        pk,
        VisitForm,
        act,
        title=_("Record the visit"),
        button=_("Save visit"),
        done=_("Visit recorded."),
        form_kwargs=lambda v: {"initial": {"visited_on": v.visited_on, "notes": v.visit_notes}},
    )


@login_required
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        upload = data.pop("file", None)
        return services.finding_add(
            actor=request.user,
            verification=v,
            upload=upload,
            file_name=getattr(upload, "name", ""),
            **data,
        )

    return _step(
        request,
        pk,
        FindingForm,
        act,
        title=_("Add a finding or evidence"),
        button=_("Add finding"),
        done=_("Finding added."),
    )


@login_required
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        return services.found_person_add(actor=request.user, verification=v, **data)

    return _step(
        request,
        pk,
        FoundPersonForm,
        act,
        title=_("Add a person met on site"),
        button=_("Add person"),
        done=_("Person added."),
    )


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        return services.verification_submit(actor=request.user, verification=v, **data)

    def kwargs(v: Verification) -> dict[str, Any]:
        return {
            "agencies": selectors.verifying_agencies().exclude(pk=v.lead_agency_id),
            "initial": {
                "outcome": v.outcome,
                "reason": v.outcome_reason,
                "note": v.outcome_note,
                "sign_off_agency": v.sign_off_agency_id,
            },
        }

    return _step(
        request,
        pk,
        SubmitForm,
        act,
        title=_("Outcome and sign-off"),
        button=_("Submit for sign-off"),
        done=_("Submitted for sign-off."),
        form_kwargs=kwargs,
        allowed=lambda actor, v: (
            v.status == VerificationStatus.VISITED and selectors.may_work_on(actor, v)
        ),
    )


@login_required
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    verification = selectors.verification_get(actor=request.user, pk=pk, audit=False)
    if not selectors.may_sign_off(request.user, verification):
        raise Http404
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        send_back = request.POST.get("decision") == "return"
        try:
            if send_back:
                services.verification_return(
                    actor=request.user, verification=verification, note=note
                )
            else:
                services.verification_sign_off(
                    actor=request.user, verification=verification, note=note
                )
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request, _("Sent back to the team.") if send_back else _("Signed off and closed.")
            )
            return redirect("verification:detail", pk=verification.pk)
    return render(
        request,
        "verification/sign_off.html",
        {
            "form": form,
            "v": verification,
            "file": selectors.verification_file(verification=verification),
        },
    )


@login_required
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        form_persons = [p for p in pending(v) if str(p.pk) in data["persons"]]
        case = services.verification_open_case(
            actor=request.user,
            verification=v,
            kind=data["kind"],
            persons=form_persons,
            province=data["province"],
        )
        opened.append(case)
        return case

    def pending(v: Verification) -> list[Any]:
        return [p for p in v.persons.all() if p.person_id is None]

    opened: list[Any] = []
    response = _step(
        request,
        pk,
        OpenCaseForm,
        act,
        title=_("Open a case from this verification"),
        button=_("Open case"),
        done=_("Case opened."),
        form_kwargs=lambda v: {
            "actor": request.user,
            "pending": pending(v),
            "initial": {"province": v.province_id},
        },
        allowed=selectors.may_open_case,
    )
    if opened:
        return redirect("registry:case-detail", pk=opened[0].pk)
    return response


@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification, data: dict[str, Any]) -> Any:
        return services.summary_publish(actor=request.user, verification=v, text=data["text"])

    return _step(
        request,
        pk,
        PublishForm,
        act,
        title=_("Publish the public summary"),
        button=_("Publish"),
        done=_("Summary published."),
        form_kwargs=lambda v: {"initial": {"text": v.public_summary}},
        allowed=lambda actor, v: (
            v.status == VerificationStatus.CLOSED and selectors.may_publish(actor, v)
        ),
    )


def _post_action(
    request: HttpRequest, pk: int, act: Callable[[Verification], Any], done: str
) -> HttpResponse:
    verification = selectors.verification_get(actor=request.user, pk=pk, audit=False)
    try:
        act(verification)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(exc)})
    else:
        messages.success(request, done)
    return redirect("verification:detail", pk=pk)


@login_required
@require_POST
def team_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    def act(v: Verification) -> Any:
        row = v.team.filter(pk=member).first()
        if row is None:
            raise Http404
        return services.team_member_remove(actor=request.user, verification=v, member=row)

    return _post_action(request, pk, act, _("Officer taken off the team."))


@login_required
@require_POST
def finding_remove(request: HttpRequest, pk: int, finding: int) -> HttpResponse:
    def act(v: Verification) -> Any:
        row = v.findings.filter(pk=finding).first()
        if row is None:
            raise Http404
        return services.finding_remove(actor=request.user, verification=v, finding=row)

    return _post_action(request, pk, act, _("Finding removed."))


@login_required
@require_POST
def person_remove(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    def act(v: Verification) -> Any:
        row = v.persons.filter(pk=person).first()
        if row is None:
            raise Http404
        return services.found_person_remove(actor=request.user, verification=v, person=row)

    return _post_action(request, pk, act, _("Person removed."))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def act(v: Verification) -> Any:
        return services.summary_withdraw(actor=request.user, verification=v)

    return _post_action(request, pk, act, _("Summary withdrawn from the public page."))


def public_summaries(request: HttpRequest) -> HttpResponse:
    """The public page: no sign-in, no names; what was checked where, when, and the outcome."""
    return render(
        request,
        "verification/public_summaries.html",
        {"summaries": selectors.public_summaries()},
    )
