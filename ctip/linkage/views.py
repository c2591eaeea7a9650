"""Pages of the linkage app: the review queue, one pair side by side, an identity's records."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from . import selectors, services
from .forms import DecisionForm, UnmergeForm


def _require_reviewer(request: HttpRequest) -> None:
    if not services.may_review(request.user):
        audit_record(
            actor=request.user,
            action=AuditAction.DENIED,
            object_type="linkage.candidate",
            detail={"wanted": "queue"},
        )
        raise PermissionDenied(_("Only linkage reviewers may open the review queue."))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    page = Paginator(selectors.queue(actor=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "linkage/queue.html",
        {"page": page, "runs": selectors.runs(actor=request.user, limit=3)},
    )


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.candidate_get(actor=request.user, pk=pk)
    form = DecisionForm(initial={"fingerprint": view.candidate.fingerprint})
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.candidate_decide(
                    actor=request.user,
                    candidate=view.candidate,
                    decision=form.cleaned_data["decision"],
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Decision recorded."))
                following = selectors.queue(actor=request.user).first()
                if following is not None:
                    return redirect("linkage:pair", pk=following.pk)
                return redirect("linkage:queue")
    return render(request, "linkage/pair.html", {"view": view, "form": form})


@login_required
def identity(request: HttpRequest, pk: int) -> HttpResponse:
    persons = selectors.identity_records(actor=request.user, pk=pk)
    return render(
        request,
        "linkage/identity.html",
        {"identity_id": pk, "persons": persons, "form": UnmergeForm()},
    )


@login_required
@require_POST
def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    person, identity_id = selectors.person_for_unmerge(actor=request.user, pk=pk)
    form = UnmergeForm(request.POST)
    error: Any = None
    if form.is_valid():
        try:
            services.person_unmerge(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as problem:
            error = problem
        else:
            messages.success(request, _("The record was taken out of the identity."))
            if selectors.identity_exists(actor=request.user, pk=identity_id):
                return redirect("linkage:identity", pk=identity_id)
            return redirect("linkage:queue")
    for message in error.messages if error else []:
        form.add_error(None, message)
    persons = selectors.identity_records(actor=request.user, pk=identity_id)
    return render(
        request,
        "linkage/identity.html",
        {"identity_id": identity_id, "persons": persons, "form": form, "unmerging": person.pk},
        status=400,
    )
