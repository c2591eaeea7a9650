"""Pages of the investigations app: a case's identifiers and connections, an identifier's
cases, persons, organisations, compounds, the network view and its image, alerts."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.masking import MASK, can_read
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Case, Person
from ctip.web.refusals import show_refusal

from . import selectors, services
from .drawing import legend, stands_for, svg
from .forms import (
    CompoundInCaseForm,
    IdentifierForm,
    IdentifierSearchForm,
    JobAdForm,
    NetworkFilterForm,
    OrganisationInCaseForm,
    RelationForm,
    parse_party,
    party_choices,
)
from .models import ConnectionAlert, Identifier, Organisation
from .normalise import display


def _guard(request: HttpRequest) -> None:
    if not selectors.may_investigate(request.user):
        raise Http404(_("Not found."))


def identifier_text(actor: Any, identifier: Identifier) -> str:
    """An identifier as the actor may read it: the normal form, grouped, or the mask."""
    if not can_read(actor, identifier, "value", identifier.pk):
        return MASK
    return display(identifier.kind, identifier.value)


def _person_text(actor: Any, person: Person) -> str:
    if not can_read(actor, person, "display_name", person.pk):
        return f"P{person.pk} {MASK}"
    return person.display_name


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form = IdentifierSearchForm(request.GET or None)
    not_found = False
    if request.GET and form.is_valid():
        found = selectors.identifier_find(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            service=form.cleaned_data.get("service") or "",
        )
        if found is not None:
            return redirect("investigations:identifier", found.pk)
        not_found = True
    alerts = list(selectors.alert_list(actor=request.user, unread_only=True)[:20])
    return render(
        request,
        "investigations/home.html",
        {"form": form, "not_found": not_found, "alerts": _alert_rows(request.user, alerts)},
    )


def _alert_rows(actor: Any, alerts: list[ConnectionAlert]) -> list[dict[str, Any]]:
    visible = selectors.alert_new_case_visible(actor=actor, alerts=alerts)
    return [
        {
            "alert": alert,
            "identifier": identifier_text(actor, alert.identifier),
            "new_case_visible": alert.new_case_id in visible,
        }
        for alert in alerts
    ]


def _holders(actor: Any, case: Case, involvements: list[Any]) -> tuple[list, list]:
    persons: dict[int, str] = {}
    for participant in selectors.case_participants(actor=actor, case=case):
        persons.setdefault(
            participant.person_id,
            f"{_person_text(actor, participant.person)} ({participant.get_role_display()})",
        )
    organisations = {i.organisation_id: i.organisation.name for i in involvements}
    return list(persons.items()), list(organisations.items())


def _party(actor: Any, case: Case, value: str) -> Person | Organisation | None:
    parsed = parse_party(value)
    if parsed is None:
        return None
    kind, pk = parsed
    return selectors.relation_party(actor=actor, case=case, kind=kind, pk=pk)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    actor = request.user
    records = selectors.case_records(actor=actor, case=case)
    may_record = selectors.may_change_case(actor, case)
    persons, organisations = _holders(actor, case, records.involvements)
    holders = party_choices(persons, organisations)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {
        "identifier": IdentifierForm(
            request.POST if which == "identifier" else None, holders=holders, prefix="identifier"
        ),
        "organisation": OrganisationInCaseForm(
            request.POST if which == "organisation" else None, prefix="organisation"
        ),
        "compound": CompoundInCaseForm(
            request.POST if which == "compound" else None,
            compounds=selectors.compound_list(actor=actor).order_by("name"),
            prefix="compound",
        ),
        "relation": RelationForm(
            request.POST if which == "relation" else None, parties=holders, prefix="relation"
        ),
        "ad": JobAdForm(
            request.POST if which == "ad" else None,
            request.FILES if which == "ad" else None,
            prefix="ad",
        ),
    }
    if which in forms:
        if not may_record:
            raise Http404(_("No such case."))
        form = forms[which]
        if form.is_valid():
            try:
                _save(which, form, actor=actor, case=case)
            except (ValidationError, PermissionDenied) as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("investigations:case", case.pk)
    counts = selectors.identifier_counts(actor=actor, case=case)
    connections = selectors.case_connections(actor=actor, case=case)
    uses = [
        {
            "use": use,
            "text": identifier_text(actor, use.identifier),
            "holder": _person_text(actor, use.person)
            if use.person
            else (use.organisation.name if use.organisation else ""),
            "count": counts.get(use.identifier_id),
        }
        for use in records.uses
    ]
    shared = [
        {
            "case": item.case,
            "identifiers": [identifier_text(actor, i) for i in item.identifiers],
            "organisations": [o.name for o in item.organisations],
            "compounds": [c.name for c in item.compounds],
        }
        for item in connections.visible
    ]
    relations = [
        {
            "relation": rel,
            "subject": _person_text(actor, rel.subject_person)
            if rel.subject_person
            else str(rel.subject_organisation),
            "object": _person_text(actor, rel.object_person)
            if rel.object_person
            else str(rel.object_organisation),
        }
        for rel in records.relations
    ]
    return render(
        request,
        "investigations/case.html",
        {
            "case": case,
            "uses": uses,
            "records": records,
            "relations": relations,
            "connections": connections,
            "shared": shared,
            "may_record": may_record,
            "forms": forms,
        },
    )


def _save(which: str, form: Any, *, actor: Any, case: Case) -> None:
    """Call the service a case page's form stands for."""
    data = form.cleaned_data
    if which == "identifier":
        holder = _party(actor, case, data.get("holder") or "")
        services.identifier_record(
            actor=actor,
            case=case,
            kind=data["kind"],
            value=data["value"],
            service=form.service_value(),
            person=holder if isinstance(holder, Person) else None,
            organisation=holder if isinstance(holder, Organisation) else None,
            note=data.get("note") or "",
            seen_on=data.get("seen_on"),
        )
    elif which == "organisation":
        organisation = services.organisation_create(
            actor=actor,
            name=data["name"],
            kind=data["kind"],
            registration_number=data.get("registration_number") or "",
            jurisdiction=data.get("jurisdiction"),
        )
        services.organisation_involve(
            actor=actor,
            case=case,
            organisation=organisation,
            role=data["role"],
            note=data.get("note") or "",
        )
    elif which == "compound":
        compound = data.get("compound") or services.compound_create(
            actor=actor,
            name=data["name"],
            province=data.get("province"),
            location_code=data.get("place") or "",
        )
        services.compound_involve(
            actor=actor, case=case, compound=compound, note=data.get("note") or ""
        )
    elif which == "relation":
        subject = _party(actor, case, data["subject"])
        other = _party(actor, case, data["object"])
        if subject is None or other is None:
            raise ValidationError({"subject": _("Choose both parties of the relation.")})
        services.relation_create(
            actor=actor,
            case=case,
            kind=data["kind"],
            subject=subject,
            object=other,
            role=data.get("role") or "",
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
        )
    elif which == "ad":
        services.job_ad_record(
            actor=actor,
            agency=case.owning_agency,
            case=case,
            url=data.get("url") or "",
            text=data.get("text") or "",
            service=data.get("service") or "",
            seen_on=data.get("seen_on"),
            identifiers=form.identifiers(),
            screenshot=data.get("screenshot"),
            screenshot_name=getattr(data.get("screenshot"), "name", ""),
        )


@login_required
@require_POST
def use_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    use = selectors.identifier_use_get(actor=request.user, pk=pk)
    if use is None:
        raise Http404(_("Not found."))
    try:
        services.identifier_use_remove(actor=request.user, use=use)
    except PermissionDenied:
        raise Http404(_("Not found.")) from None
    messages.success(request, _("Removed."))
    return redirect("investigations:case", use.case_id)


@login_required
def identifier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    identifier = selectors.identifier_get(actor=request.user, pk=pk)
    found = selectors.identifier_cases(actor=request.user, identifier=identifier)
    rows = [
        {
            "use": use,
            "holder": _person_text(request.user, use.person)
            if use.person
            else (use.organisation.name if use.organisation else ""),
        }
        for use in found.uses
    ]
    return render(
        request,
        "investigations/identifier.html",
        {
            "identifier": identifier,
            "text": identifier_text(request.user, identifier),
            "as_typed": identifier.as_typed
            if can_read(request.user, identifier, "as_typed", identifier.pk)
            else MASK,
            "found": found,
            "rows": rows,
            "network_query": urlencode({"identifier": identifier.pk}),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    uses = selectors.person_identifiers(actor=request.user, person=person)
    connections = selectors.person_connections(actor=request.user, person=person)
    return render(
        request,
        "investigations/person.html",
        {
            "person": person,
            "name": _person_text(request.user, person),
            "uses": [{"use": u, "text": identifier_text(request.user, u.identifier)} for u in uses],
            "connections": connections,
            "shared": [
                {
                    "case": s.case,
                    "identifiers": [identifier_text(request.user, i) for i in s.identifiers],
                }
                for s in connections.visible
            ],
        },
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    found = selectors.organisation_list(actor=request.user, query=query)
    return render(
        request,
        "investigations/organisation_list.html",
        {"organisations": found[:200], "query": query},
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(actor=request.user, pk=pk)
    file = selectors.organisation_file(actor=request.user, organisation=organisation)
    relations = [
        {
            "relation": rel,
            "subject": _person_text(request.user, rel.subject_person)
            if rel.subject_person
            else str(rel.subject_organisation),
            "object": _person_text(request.user, rel.object_person)
            if rel.object_person
            else str(rel.object_organisation),
        }
        for rel in file.relations
    ]
    return render(
        request,
        "investigations/organisation.html",
        {
            "organisation": organisation,
            "file": file,
            "relations": relations,
            "uses": [
                {"use": u, "text": identifier_text(request.user, u.identifier)} for u in file.uses
            ],
            "network_query": urlencode({"organisation": organisation.pk}),
        },
    )


@login_required
def compound_list(request: HttpRequest) -> HttpResponse:
    compounds = selectors.compound_list(actor=request.user).order_by("name")
    return render(request, "investigations/compound_list.html", {"compounds": compounds[:200]})


@login_required
def compound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = selectors.compound_get(actor=request.user, pk=pk)
    file = selectors.compound_file(actor=request.user, compound=compound)
    return render(
        request,
        "investigations/compound.html",
        {
            "compound": compound,
            "file": file,
            "network_query": urlencode({"compound": compound.pk}),
        },
    )


def _network_args(request: HttpRequest) -> tuple[NetworkFilterForm, dict[str, Any], str]:
    """The filters and the seed of a network request; the seed is read through the
    selectors, so an unknown or hidden one is a 404."""
    form = NetworkFilterForm(request.GET or None)
    actor = request.user
    seed: dict[str, Any] = {}
    title = _("Network of your cases")
    for name, getter in (
        ("case", selectors.case_get),
        ("identifier", selectors.identifier_get),
        ("organisation", selectors.organisation_get),
        ("compound", selectors.compound_get),
    ):
        raw = request.GET.get(name, "")
        if raw:
            if not raw.isdigit():
                raise Http404(_("Not found."))
            seed[name] = getter(actor=actor, pk=int(raw))
            label = seed[name]
            if name == "identifier":
                label = identifier_text(actor, seed[name])
            title = _("Network around %(what)s") % {"what": label}
    return form, seed, title


def _filters(form: NetworkFilterForm) -> selectors.NetworkFilters:
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        province = data.get("province")
        return selectors.NetworkFilters(
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            province=province.pk if province else None,
        )
    return selectors.NetworkFilters()


@login_required
def network(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form, seed, title = _network_args(request)
    graph = selectors.network(actor=request.user, filters=_filters(form), **seed)
    drawing = svg(graph, title=title)
    nodes = [
        {"node": node, "stands_for": stands_for(node)}
        for node in sorted(graph.nodes.values(), key=lambda n: (n.kind, n.label))
    ]
    return render(
        request,
        "investigations/network.html",
        {
            "form": form,
            "title": title,
            # Built from escaped labels and URLs by drawing.svg; no user text unescaped.
            "drawing": mark_safe(drawing),
            "graph": graph,
            "nodes": nodes,
            "legend": legend(),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def network_image(request: HttpRequest) -> HttpResponse:
    """The network as an SVG file to download (audited: it carries names and numbers)."""
    _guard(request)
    form, seed, title = _network_args(request)
    graph = selectors.network(actor=request.user, filters=_filters(form), **seed)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="investigations.network",
        detail={"nodes": len(graph.nodes), "query": request.GET.urlencode()[:200]},
    )
    response = HttpResponse(
        svg(graph, title=title, links=False, embed_font=True), content_type="image/svg+xml"
    )
    response["Content-Disposition"] = 'attachment; filename="ctip-network.svg"'
    return response


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    alerts = list(selectors.alert_list(actor=request.user)[:200])
    return render(
        request, "investigations/alerts.html", {"alerts": _alert_rows(request.user, alerts)}
    )


@login_required
@require_POST
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    alert = selectors.alert_list(actor=request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404(_("Not found."))
    services.alert_mark_read(actor=request.user, alert=alert)
    return redirect(reverse("investigations:alerts"))
