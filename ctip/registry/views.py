"""Case registry pages: thin views that parse with forms and call services and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ctip.access.choices import Action
from ctip.access.masking import can_read
from ctip.access.selectors import can_register_somewhere
from ctip.api.pagination import CappedPaginator
from ctip.reference.selectors import vocabulary_terms
from ctip.web.refusals import show_refusal

from . import selectors, services
from .choices import CaseKind, CaseStatus, ParticipantRole
from .forms import (
    ArrestForm,
    CaseCloseForm,
    CaseFilterForm,
    CaseForm,
    EventForm,
    ExistingParticipantForm,
    ParticipantForm,
    PersonForm,
    PersonSearchForm,
    ProceedingForm,
    VictimProfileForm,
    show_names_to,
)
from .hooks import case_sections
from .models import Case, Participant, VictimProfile
from .search_limits import TooManySearches

CASES_PER_PAGE = 50


def _case_for_change(request: HttpRequest, pk: int, action: str = Action.CHANGE) -> Case:
    """The case, if the actor may see it (else 404) and do `action` to it (else 403)."""
    case = selectors.case_get(actor=request.user, pk=pk)
    selectors.require_case_action(actor=request.user, case=case, action=action)
    return case


def _refuse_if_closed(request: HttpRequest, case: Case) -> HttpResponse | None:
    if case.is_closed:
        messages.error(request, _("The case is closed; reopen it to add to it."))
        return redirect("registry:case-detail", pk=case.pk)
    return None


# --- cases ---------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    # The list shows no summary: leave the encrypted column unread and undecrypted.
    cases: QuerySet[Case] = selectors.case_list(actor=request.user, filters=form.filters()).defer(
        "summary"
    )
    paginator = CappedPaginator(cases, CASES_PER_PAGE)
    page: Page = paginator.get_page(request.GET.get("page"))
    _label_codes(page.object_list)
    return render(
        request,
        "registry/case_list.html",
        {
            "form": form,
            "page": page,
            "paginator": paginator,
            "sort": form.filters().sort,
            "can_register": _can_register(request.user),
        },
    )


def _label_codes(cases: Any) -> None:
    """Give each listed case its kind and status labels, each looked up once per page.

    Model.get_FOO_display() rebuilds the field's whole choice dictionary on every call; on a
    page of cases that was a tenth of the rendering time.
    """
    kinds, statuses = dict(CaseKind.choices), dict(CaseStatus.choices)
    for case in cases:
        case.kind_label = kinds.get(case.kind, case.kind)
        case.status_label = statuses.get(case.status, case.status)


def _can_register(actor: Any) -> bool:
    return can_register_somewhere(actor=actor)


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    if not _can_register(request.user):
        raise PermissionDenied(_("Your role does not let you register cases."))
    form = CaseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user,
                kind=data["kind"],
                source=data["source"],
                owning_agency=data["owning_agency"],
                province=data["province"],
                opened_on=data["opened_on"],
                status=data["status"],
                summary=data["summary"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s registered. Now add the persons involved.")
                % {"reference": case.reference},
            )
            return _then(request, case)
    return render(request, "registry/case_form.html", {"form": form, "case": None})


def _then(request: HttpRequest, case: Case) -> HttpResponse:
    """Where a saved form leads: the case page, or straight on to adding a person (one page
    load less for an officer registering a case with its people)."""
    if request.POST.get("then") == "add-person":
        return redirect("registry:participant-add", pk=case.pk)
    return redirect("registry:case-detail", pk=case.pk)


ROLE_ORDER = list(ParticipantRole.values)
GROUP_HEADINGS: dict[str, Any] = {
    ParticipantRole.VICTIM: gettext_lazy("Victims"),
    ParticipantRole.SUSPECT: gettext_lazy("Suspects"),
    ParticipantRole.WITNESS: gettext_lazy("Witnesses"),
    ParticipantRole.GUARDIAN: gettext_lazy("Guardians"),
    ParticipantRole.REPORTER: gettext_lazy("Reporters"),
    ParticipantRole.INTERPRETER: gettext_lazy("Interpreters"),
    ParticipantRole.OTHER: gettext_lazy("Others"),
}


class TermLabels:
    """Labels of stored vocabulary codes in the active language, one query per vocabulary."""

    def __init__(self) -> None:
        self._maps: dict[str, dict[str, str]] = {}

    def __call__(self, vocabulary: str, codes: list[str] | str) -> list[str]:
        if vocabulary not in self._maps:
            self._maps[vocabulary] = {t.code: t.label for t in vocabulary_terms(vocabulary)}
        labels = self._maps[vocabulary]
        if isinstance(codes, str):
            codes = [codes] if codes else []
        return [labels.get(code, code) for code in codes]


def _profile_rows(profile: Any, labels: TermLabels) -> list[tuple[str, str]]:
    """A victim profile as (label, value) rows, omitting what was not recorded."""

    def label(field: str) -> str:
        return str(getattr(VictimProfile._meta.get_field(field), "verbose_name", field))

    rows: list[tuple[str, str]] = []
    # The coded fields the service validates, each with its vocabulary, in the same order.
    for field, vocabulary in services.VICTIM_PROFILE_FIELDS.items():
        values = labels(vocabulary, getattr(profile, field))
        if values:
            rows.append((label(field), ", ".join(values)))
    for field in ("age_when_trafficked", "identified_on", "status_decided_on"):
        value = getattr(profile, field)
        if value not in (None, ""):
            rows.append((label(field), str(value)))
    if profile.recruitment_platforms:
        rows.append(
            (
                label("recruitment_platforms"),
                ", ".join(profile.recruitment_platforms),
            )
        )
    rows.append(
        (
            label("consent_to_share"),
            _("Yes") if profile.consent_to_share else _("No"),
        )
    )
    return rows


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    case_file = selectors.case_file(actor=request.user, case=case)
    links = selectors.page_links(
        actor=request.user, cases=[case], participants=case_file.participants
    )
    labels = TermLabels()
    groups = []
    for role in ROLE_ORDER:
        members = [
            {
                "participant": p,
                "person": p.person,
                "links": links.participants.get(p.pk, []),
                "profile": getattr(p, "victim_profile", None),
                "profile_rows": (
                    _profile_rows(p.victim_profile, labels)
                    if hasattr(p, "victim_profile")
                    else None
                ),
            }
            for p in case_file.participants_by_role(role)
        ]
        if members:
            groups.append({"role": role, "heading": GROUP_HEADINGS[role], "members": members})
    for event in case_file.timeline:
        # Where it happened, most precise first; a province implies the country.
        region = event.province.label if event.province else ""
        if not region and event.country:
            region = event.country.label
        event.where = ", ".join(p for p in (event.place, event.district, region) if p)  # type: ignore[attr-defined]
    arrests = [{"arrest": a, "charges": labels("charge", a.charges)} for a in case_file.arrests]
    proceedings = [
        {"proceeding": p, "charges": labels("charge", p.charges)} for p in case_file.proceedings
    ]
    can_change = selectors.case_can(actor=request.user, case=case, action=Action.CHANGE)
    can_close = selectors.case_can(actor=request.user, case=case, action=Action.CLOSE)
    return render(
        request,
        "registry/case_detail.html",
        {
            "case": case,
            "file": case_file,
            "groups": groups,
            "timeline": case_file.timeline,
            "arrests": arrests,
            "proceedings": proceedings,
            "victim_count": len(case_file.victims),
            "suspect_count": len(case_file.suspects),
            "can_change": can_change and not case.is_closed,
            "can_close": can_close,
            "case_links": links.cases.get(case.pk, []),
            "sections": case_sections(
                actor=request.user,
                case=case,
                participants=case_file.participants,
                can_change=can_change and not case.is_closed,
            ),
        },
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_change(request, pk)
    if refused := _refuse_if_closed(request, case):
        return refused
    initial = {f: getattr(case, f) for f in ("kind", "source", "opened_on", "status", "summary")}
    initial["province"] = case.province_id
    form = CaseForm(request.POST or None, actor=request.user, editing=True, initial=initial)
    # A summary the user may not read is neither shown in the form nor overwritten by it.
    if case.summary and not can_read(request.user, case, "summary", case.pk):
        del form.fields["summary"]
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
            case.refresh_from_db()
        else:
            messages.success(request, _("Case %(ref)s saved.") % {"ref": case.reference})
            return redirect("registry:case-detail", pk=case.pk)
    return render(request, "registry/case_form.html", {"form": form, "case": case})


@login_required
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_change(request, pk, Action.CLOSE)
    if case.is_closed:
        messages.info(request, _("The case is already closed."))
        return redirect("registry:case-detail", pk=case.pk)
    form = CaseCloseForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(
                actor=request.user,
                case=case,
                status=data["status"],
                closed_on=data["closed_on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            show_refusal(form, error)
            case.refresh_from_db()
        else:
            messages.success(request, _("Case %(ref)s closed.") % {"ref": case.reference})
            return redirect("registry:case-detail", pk=case.pk)
    return render(request, "registry/case_close.html", {"form": form, "case": case})


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for_change(request, pk, Action.CLOSE)
    if case.is_closed:
        services.case_reopen(actor=request.user, case=case)
        messages.success(
            request, _("Case %(ref)s reopened for follow-up.") % {"ref": case.reference}
        )
    return redirect("registry:case-detail", pk=case.pk)


# --- participants and the case file --------------------------------------------------------


def _added(request: HttpRequest, case: Case, participant: Participant) -> HttpResponse:
    messages.success(
        request,
        _("%(name)s added as %(role)s.")
        % {"name": participant.person.display_name, "role": participant.get_role_display()},
    )
    if participant.role == ParticipantRole.VICTIM:
        return redirect("registry:victim-profile", pk=case.pk, participant_pk=participant.pk)
    return redirect("registry:case-detail", pk=case.pk)


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the case: find an existing one first, or register a new one."""
    case = _case_for_change(request, pk)
    if refused := _refuse_if_closed(request, case):
        return refused
    search = PersonSearchForm(request.GET or None)
    results: list[Any] = []
    if search.is_bound and search.is_valid() and search.has_criteria():
        results = _search(request, search)
    new_person = PersonForm(prefix="new")
    role_form = ParticipantForm(prefix="new")
    pick_form = ExistingParticipantForm(prefix="pick")
    checks: list[Any] = []
    confirm = False
    if request.method == "POST" and "pick-person" in request.POST:
        pick_form = ExistingParticipantForm(request.POST, prefix="pick")
        if pick_form.is_valid():
            try:
                person = selectors.person_get(
                    actor=request.user, pk=pick_form.cleaned_data["person"]
                )
                participant = services.participant_add(
                    actor=request.user,
                    case=case,
                    person=person,
                    role=pick_form.cleaned_data["role"],
                    notes=pick_form.cleaned_data["notes"],
                )
                return _added(request, case, participant)
            except ValidationError as error:
                show_refusal(pick_form, error)
    elif request.method == "POST":
        new_person = PersonForm(request.POST, prefix="new")
        role_form = ParticipantForm(request.POST, prefix="new")
        if new_person.is_valid() and role_form.is_valid():
            # Apps above the registry may find the person already known (linkage); the
            # officer then confirms before a second record is made.
            checks = selectors.registration_checks(
                actor=request.user,
                fields=new_person.person_fields(),
                document_number=new_person.cleaned_data.get("document_number") or "",
                case=case,
            )
            if "new-confirm" not in request.POST and any(c.confirm for c in checks):
                confirm = True
            else:
                data = new_person.cleaned_data
                try:
                    participant = services.person_register_in_case(
                        actor=request.user,
                        case=case,
                        role=role_form.cleaned_data["role"],
                        notes=role_form.cleaned_data["notes"],
                        document_kind=data.get("document_kind") or "",
                        document_number=data.get("document_number") or "",
                        document_country=data.get("document_country"),
                        **new_person.person_fields(),
                    )
                except ValidationError as error:
                    show_refusal(new_person, error, also=role_form)
                else:
                    return _added(request, case, participant)
    return render(
        request,
        "registry/participant_add.html",
        {
            "case": case,
            "search": search,
            "results": results,
            "searched": bool(search.is_bound and search.is_valid() and search.has_criteria()),
            "person_form": new_person,
            "role_form": role_form,
            "pick_form": pick_form,
            "roles": ParticipantRole.choices,
            "checks": checks,
            "confirm": confirm,
        },
    )


@login_required
def victim_profile(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    case = _case_for_change(request, pk)
    if refused := _refuse_if_closed(request, case):
        return refused
    participant = selectors.participant_get(actor=request.user, pk=participant_pk, case=case)
    if participant.role != ParticipantRole.VICTIM:
        raise Http404(_("Only a victim has a victim profile."))
    profile = getattr(participant, "victim_profile", None)
    initial = {}
    if profile is not None:
        initial = {name: getattr(profile, name) for name in VictimProfileForm.base_fields}
    form = VictimProfileForm(request.POST or None, initial=initial)
    # A testimony the user may not read is neither shown in the form nor overwritten by it.
    testimony_hidden = bool(profile and profile.testimony) and not can_read(
        request.user,
        profile,
        "testimony",
        profile.pk,  # type: ignore[union-attr]
    )
    if testimony_hidden:
        del form.fields["testimony"]
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            services.victim_profile_save(actor=request.user, participant=participant, **data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Victim profile saved."))
            return _then(request, case)
    return render(
        request,
        "registry/victim_profile_form.html",
        {
            "form": form,
            "case": case,
            "participant": participant,
            "profile": profile,
            "testimony_hidden": testimony_hidden,
        },
    )


def _case_form_page(
    request: HttpRequest,
    pk: int,
    form_class: type[Form],
    save: Any,
    template: str,
    success: str,
) -> HttpResponse:
    """The shared shape of the add-event, add-arrest and add-proceeding pages."""
    case = _case_for_change(request, pk)
    if refused := _refuse_if_closed(request, case):
        return refused
    form = form_class(request.POST or None, case=case)  # type: ignore[call-arg]
    show_names_to(form, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, success)
            return redirect("registry:case-detail", pk=case.pk)
    return render(request, template, {"form": form, "case": case})


@login_required
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        services.event_add(actor=request.user, case=case, **data)

    return _case_form_page(
        request, pk, EventForm, save, "registry/event_form.html", _("Event added to the timeline.")
    )


@login_required
def arrest_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        services.arrest_add(actor=request.user, case=case, **data)

    return _case_form_page(
        request, pk, ArrestForm, save, "registry/arrest_form.html", _("Arrest recorded.")
    )


@login_required
def proceeding_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        services.proceeding_add(actor=request.user, case=case, **data)

    return _case_form_page(
        request,
        pk,
        ProceedingForm,
        save,
        "registry/proceeding_form.html",
        _("Court proceeding recorded."),
    )


# --- persons -------------------------------------------------------------------------------


def _search(request: HttpRequest, form: Any) -> list[Any]:
    """Run a person search; past the user's rate the form says so and nothing is matched."""
    try:
        return selectors.person_search(actor=request.user, query=form.query())
    except TooManySearches as refused:
        form.add_error(None, str(refused))
        return []


@login_required
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    results: list[Any] = []
    searched = False
    if form.is_bound and form.is_valid() and form.has_criteria():
        results = _search(request, form)
        searched = not form.errors
    return render(
        request,
        "registry/person_search.html",
        {"form": form, "results": results, "searched": searched},
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    roles = selectors.person_cases(actor=request.user, person=person)
    links = selectors.page_links(
        actor=request.user, cases=[role.case for role in roles], participants=roles
    )
    rows = [
        {
            "participant": role,
            "links": links.participants.get(role.pk, []) + links.cases.get(role.case_id, []),
        }
        for role in roles
    ]
    countries = ", ".join(person.citizenships or [])
    return render(
        request,
        "registry/person_detail.html",
        {
            "sections": selectors.person_sections(actor=request.user, person=person),
            "person": person,
            "roles": rows,
            "countries": countries,
            "documents": list(person.documents.select_related("issuing_country")),
        },
    )
