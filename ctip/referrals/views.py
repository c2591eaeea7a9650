"""Referral pages: lists, a referral's page and its transitions, sending, tasks, the work
dashboard and digest, a victim's service pathway, exchange packages, coordination figures."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.registry.casework.children import is_child, steps_of
from ctip.registry.selectors import case_get, participant_get, require_case_action
from ctip.web.refusals import refusal_text, show_refusal

from . import selectors, services
from .choices import ReferralStatus, Service, Transition
from .digest import digest_text
from .forms import (
    CarePlanItemForm,
    CoordinationFilterForm,
    ExchangeUpdateForm,
    ReasonForm,
    ReferralNoteForm,
    ReferralSendForm,
    TaskForm,
)


def _my_agencies(actor: Any) -> Any:
    return Agency.objects.filter(pk__in=sorted(services.staff_agencies(actor))).order_by("code")


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "inbox")
    filters = selectors.ReferralFilters(
        box=box if box in ("inbox", "outbox", "all") else "inbox",
        status=request.GET.get("status", ""),
        service=request.GET.get("service", ""),
        overdue=request.GET.get("overdue") == "1",
    )
    referrals = selectors.referral_list(actor=request.user, filters=filters)[:200]
    return render(
        request,
        "referrals/referral_list.html",
        {
            "referrals": referrals,
            "filters": filters,
            "statuses": ReferralStatus.choices,
            "services": Service.choices,
        },
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get(actor=request.user, pk=pk)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "transitions": selectors.referral_transitions(actor=request.user, referral=referral),
            "overdue": selectors.is_overdue(referral),
            # Only the referral's owner side and its receiver read its tasks (decision 0510).
            "tasks": selectors.task_queryset(actor=request.user).filter(referral=referral),
            "may_add_task": selectors.referral_task_owners(
                actor=request.user, referral=referral
            ).exists(),
            "notes": selectors.referral_notes(actor=request.user, referral=referral),
            "may_write_note": selectors.may_write_referral_note(
                actor=request.user, referral=referral
            ),
            "note_form": ReferralNoteForm(),
            "package": getattr(referral, "exchange_package", None),
            "can_prepare_exchange": selectors.may_prepare_exchange(
                actor=request.user, referral=referral
            ),
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def referral_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    if transition not in Transition.values:
        raise Http404
    referral = selectors.referral_for_action(
        actor=request.user, pk=pk, wanted=f"referral_{transition}"
    )
    form = ReasonForm(request.POST)
    form.is_valid()
    kwargs: dict[str, Any] = {}
    if transition in (Transition.DECLINE, Transition.CLOSE):
        kwargs["reason"] = form.cleaned_data.get("reason", "")
    if transition == Transition.COMPLETE:
        kwargs["outcome"] = form.cleaned_data.get("outcome", "")
    try:
        services.TRANSITION_SERVICES[transition](actor=request.user, referral=referral, **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(exc)})
    else:
        messages.success(request, _("Referral updated."))
    return redirect("referrals:detail", pk=pk)


def _plan_item(request: HttpRequest, participant: Any) -> Any:
    """The care plan service named by ?plan=, of this victim (404 otherwise)."""
    raw = request.GET.get("plan", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    item = selectors.care_plan_item_get(actor=request.user, pk=int(raw))
    if item.participant_id != participant.pk:
        raise Http404
    return item


@login_required
def care_plan_add(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Plan a service for a victim (the owner's work on the case, as notes are)."""
    participant = participant_get(actor=request.user, pk=participant_id)
    require_case_action(actor=request.user, case=participant.case, action=Action.CHANGE)
    form = CarePlanItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_plan_item_add(
                actor=request.user, participant=participant, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Service added to the care plan."))
            return redirect("registry:case-detail", pk=participant.case_id)
    return render(
        request, "referrals/care_plan_form.html", {"form": form, "participant": participant}
    )


@login_required
def referral_send(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = participant_get(actor=request.user, pk=participant_id)
    # Referring passes the case on: only the owner's side may (the service's own rule).
    require_case_action(actor=request.user, case=participant.case, action=Action.SHARE)
    # Sending a service of the victim's care plan: the plan's service, linked once sent.
    item = _plan_item(request, participant)
    form = ReferralSendForm(
        request.POST or None,
        sender_agencies=_my_agencies(request.user),
        offers=selectors.services_by_agency(),
        initial={"service": item.service if item else request.GET.get("service", "")},
    )
    if item is not None:
        form.fields["service"].choices = [(item.service, item.get_service_display())]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stamps = json.loads(request.POST.get("deadline_stamps") or "{}")
        common = {
            "actor": request.user,
            "to_agency": data["to_agency"],
            "from_agency": data["from_agency"],
            "shares_identity": data["shares_identity"],
            "note": data["note"],
            "deadline_stamp": stamps.get(data["service"]),
        }
        try:
            if item is not None:
                referral = services.care_plan_refer(item=item, **common)
            else:
                referral = services.referral_send(
                    participant=participant, service=data["service"], **common
                )
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request, _("Referral sent to %(agency)s.") % {"agency": referral.to_agency.code}
            )
            return redirect("referrals:detail", pk=referral.pk)
    rules, stamps = selectors.send_form_deadlines()
    return render(
        request,
        "referrals/referral_send.html",
        {
            "form": form,
            "participant": participant,
            "plan_item": item,
            # A child's steps, shown before sending (decision 0150: a durable solution waits
            # for the best-interest determination and a guardian).
            "child_steps": steps_of(participant) if is_child(participant) else None,
            "is_child": is_child(participant),
            "deadlines": rules,
            "deadline_stamps": json.dumps(stamps),
        },
    )


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """The owner's and the supervisor's dashboard of overdue and soon-due work."""
    return render(
        request,
        "referrals/work.html",
        {"dashboard": selectors.work_dashboard(actor=request.user)},
    )


@login_required
def digest(request: HttpRequest) -> HttpResponse:
    """Today's digest, exactly as the e-mail would read."""
    dashboard = selectors.work_dashboard(actor=request.user)
    return render(
        request,
        "referrals/digest.html",
        {"text": digest_text(user=request.user, dashboard=dashboard), "dashboard": dashboard},
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "referrals/task_list.html",
        {"tasks": selectors.task_list(actor=request.user)[:200]},
    )


@login_required
def task_create(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get(actor=request.user, pk=case_id)
    require_case_action(actor=request.user, case=case, action=Action.CHANGE)
    form = TaskForm(request.POST or None, owner_agencies=_my_agencies(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                actor=request.user,
                case=case,
                title=data["title"],
                owner_agency=data["owner_agency"],
                service=data["service"],
                due_on=data["due_on"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("Task added."))
            return redirect("referrals:tasks")
    return render(request, "referrals/task_form.html", {"form": form, "case": case})


@login_required
@require_POST
def referral_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A note on the referral by its sending side or its receiver (decision 0510)."""
    referral = selectors.referral_get(actor=request.user, pk=pk)
    form = ReferralNoteForm(request.POST)
    if form.is_valid():
        try:
            services.referral_note_add(
                actor=request.user, referral=referral, text=form.cleaned_data["text"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(exc)})
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note."))
    return redirect("referrals:detail", referral.pk)


@login_required
def referral_task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A task on one referral: its owner's side adds one, and so does the agency it was sent to
    while serving the person, owned by that agency (decision 0510)."""
    referral = selectors.referral_get(actor=request.user, pk=pk)
    owners = selectors.referral_task_owners(actor=request.user, referral=referral)
    if not owners.exists():
        raise PermissionDenied(_("You may not add tasks to this referral."))
    form = TaskForm(request.POST or None, owner_agencies=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                actor=request.user,
                case=referral.case,
                referral=referral,
                title=data["title"],
                owner_agency=data["owner_agency"],
                service=data["service"],
                due_on=data["due_on"],
            )
        except (ValidationError, PermissionDenied) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect("referrals:detail", referral.pk)
    return render(
        request,
        "referrals/task_form.html",
        {"form": form, "case": referral.case, "referral": referral},
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    try:
        services.task_complete(actor=request.user, task=task)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(exc)})
    return redirect("referrals:tasks")


@login_required
def pathway(request: HttpRequest, participant_id: int) -> HttpResponse:
    found = selectors.pathway(actor=request.user, participant_id=participant_id)
    acting = selectors.may_refer_from(actor=request.user, cases=[found.participant.case])
    return render(
        request,
        "referrals/pathway.html",
        {"pathway": found, "can_refer": found.participant.case_id in acting},
    )


@login_required
@require_POST
def exchange_create(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_action(
        actor=request.user, pk=pk, wanted="exchange_package_create"
    )
    try:
        package = services.exchange_package_create(actor=request.user, referral=referral)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(exc)})
        return redirect("referrals:detail", pk=pk)
    return redirect("referrals:exchange", pk=package.pk)


@login_required
def exchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.exchange_package_get(actor=request.user, pk=pk)
    form = ExchangeUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_update_add(actor=request.user, package=package, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_text(exc))
        else:
            messages.success(request, _("Update recorded."))
            return redirect("referrals:exchange", pk=pk)
    return render(
        request,
        "referrals/exchange_detail.html",
        {
            "package": package,
            "updates": package.updates.all(),
            "form": form,
            "payload": json.dumps(
                selectors.exchange_payload(actor=request.user, package=package),
                ensure_ascii=False,
                indent=2,
            ),
        },
    )


@login_required
def exchange_json(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.exchange_package_get(actor=request.user, pk=pk)
    content = selectors.exchange_package_export(actor=request.user, package=package, fmt="json")
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="exchange-{package.pk}.json"'
    return response


@login_required
def exchange_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.exchange_package_get(actor=request.user, pk=pk)
    content = selectors.exchange_package_export(actor=request.user, package=package, fmt="pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="exchange-{package.pk}.pdf"'
    return response


@login_required
def coordination(request: HttpRequest) -> HttpResponse:
    form = CoordinationFilterForm(request.GET or None)
    filters = selectors.CoordinationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.CoordinationFilters(
            sent_from=data["sent_from"],
            sent_to=data["sent_to"],
            province=data["province"].pk if data["province"] else None,
            service=data["service"],
        )
    figures = selectors.coordination_figures(actor=request.user, filters=filters)
    return render(request, "referrals/coordination.html", {"figures": figures, "form": form})
