"""The investigations endpoints: a case's records and connections, identifiers (found by value,
recorded, removed), organisations, compounds, alerts. Thin viewsets (decision 0141): parse,
call a selector or service with the acting user, render with a masked serializer."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import SelectorViewSet, errors, parse, resolve

from .. import selectors, services
from ..models import ConnectionAlert, Organisation
from .serializers import (
    AlertQuery,
    AlertSerializer,
    CaseRecordsSerializer,
    CompoundFileSerializer,
    CompoundListSerializer,
    ConnectionsSerializer,
    IdentifierFileSerializer,
    IdentifierFindQuery,
    IdentifierSerializer,
    IdentifierUseCreateSerializer,
    OrganisationFileSerializer,
    OrganisationListSerializer,
    OrganisationQuery,
    UseSerializer,
)


class NewestFirst(CursorPagination):
    """Cursor pages, newest first: no count over the whole table, no deep OFFSET."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# Query parameters of paging and content negotiation, not of the filters.
PAGING_PARAMS = frozenset({"cursor", "page_size", "format"})


def filters(request: Request) -> dict[str, Any]:
    """The query string less paging, for a strict query serializer."""
    return {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}


def _guard(actor: Any) -> None:
    """The app's endpoints do not exist for roles that do not use it (404, as on the pages)."""
    if not selectors.may_investigate(actor):
        raise Http404(_("Not found."))


def _use_row(actor: Any, use: Any, counts: dict[int, Any]) -> dict[str, Any]:
    count = counts.get(use.identifier_id)
    return {
        "id": use.pk,
        "identifier": use.identifier,
        "person": use.person,
        "organisation": use.organisation,
        "seen_on": use.seen_on,
        "other_cases_visible": count.visible if count else 0,
        "other_cases_hidden": count.hidden if count else 0,
        "other_provinces": count.provinces if count else 0,
    }


class InvestigationCaseViewSet(SelectorViewSet):
    """A case as investigators read it: its facts and what this app records in it, and the
    other cases sharing something with it (those the reader may not see, only counted)."""

    serializer_class = CaseRecordsSerializer
    serializer_classes = {"connections": ConnectionsSerializer}
    lookup_value_converter = "int"
    pagination_class = None

    @extend_schema(
        summary="Read what a case records for investigators",
        responses={200: CaseRecordsSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request.user
        case = selectors.case_get(actor=actor, pk=int(pk))
        records = selectors.case_records(actor=actor, case=case)
        counts = selectors.identifier_counts(actor=actor, case=case)
        body = {
            "case": case,
            "identifiers": [_use_row(actor, use, counts) for use in records.uses],
            "organisations": [
                {"organisation": inv.organisation, "role": inv.role} for inv in records.involvements
            ],
            "compounds": [inv.compound for inv in records.compounds],
            "job_ads": [ad.pk for ad in records.ads],
        }
        return Response(CaseRecordsSerializer(body, context={"actor": actor}).data)

    @extend_schema(
        summary="Other cases sharing an identifier, organisation or compound with this one",
        responses={200: ConnectionsSerializer, **errors(401, 404)},
    )
    @action(detail=True, methods=["get"])
    def connections(self, request: Request, pk: int) -> Response:
        actor = request.user
        case = selectors.case_get(actor=actor, pk=int(pk))
        found = selectors.case_connections(actor=actor, case=case)
        return Response(ConnectionsSerializer(found, context={"actor": actor}).data)


class IdentifierViewSet(SelectorViewSet):
    """Identifiers: found by exact value however typed (audited, without the value), and read
    with the cases that record them."""

    serializer_class = IdentifierSerializer
    serializer_classes = {"retrieve": IdentifierFileSerializer}
    lookup_value_converter = "int"
    pagination_class = None

    @extend_schema(
        summary="Find an identifier by its value",
        description="Normalised as when recorded (012 345 678 = +855 12 345 678). Answers the "
        "identifier only where it is recorded in a case, or named in an ad, the reader sees.",
        parameters=[IdentifierFindQuery],
        responses={200: IdentifierSerializer(many=True), **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        _guard(request.user)
        query = parse(IdentifierFindQuery, filters(request))  # ?format=json as elsewhere
        found = selectors.identifier_find(
            actor=request.user,
            kind=query["kind"],
            value=query["value"],
            service=query.get("service") or "",
        )
        rows = [found] if found is not None else []
        return Response(IdentifierSerializer(rows, many=True, context={"actor": request.user}).data)

    @extend_schema(
        summary="Read an identifier and the cases recording it",
        responses={200: IdentifierFileSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request.user
        identifier = selectors.identifier_get(actor=actor, pk=int(pk))
        found = selectors.identifier_cases(actor=actor, identifier=identifier)
        body = {
            "identifier": identifier,
            "uses": [
                {
                    "case": use.case,
                    "person": use.person,
                    "organisation": use.organisation,
                    "seen_on": use.seen_on,
                }
                for use in found.uses
            ],
            "hidden": found.hidden,
            "provinces": found.provinces,
            "job_ads": [ad.pk for ad in found.ads],
        }
        return Response(IdentifierFileSerializer(body, context={"actor": actor}).data)


class IdentifierUseViewSet(SelectorViewSet):
    """Identifiers recorded in cases: record one (normalised; one that cannot be is kept as
    typed and flagged), remove one recorded by mistake."""

    serializer_class = UseSerializer
    serializer_classes = {"create": IdentifierUseCreateSerializer}
    lookup_value_converter = "int"
    pagination_class = None

    @extend_schema(
        summary="Record an identifier in a case",
        description="`person` must take part in the case; `organisation` is any organisation's "
        "id. Other open cases recording it alert their agencies' investigators.",
        request=IdentifierUseCreateSerializer,
        responses={201: UseSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        actor = request.user
        _guard(actor)
        data = parse(IdentifierUseCreateSerializer, request.data)
        case = resolve("case", lambda: selectors.case_get(actor=actor, pk=data["case"]))
        person = None
        if data.get("person") is not None:
            participant = case.participants.filter(person_id=data["person"]).first()
            if participant is None:
                # Unknown persons and persons of other cases answer alike.
                raise serializers.ValidationError({"person": [_("Not found.")]})
            person = participant.person
        organisation = None
        if data.get("organisation") is not None:
            organisation = Organisation.objects.filter(pk=data["organisation"]).first()
            if organisation is None:
                raise serializers.ValidationError({"organisation": [_("Not found.")]})
        use = services.identifier_record(
            actor=actor,
            case=case,
            kind=data["kind"],
            value=data["value"],
            service=data.get("service") or "",
            person=person,
            organisation=organisation,
            note=data.get("note") or "",
            seen_on=data.get("seen_on"),
        )
        counts = selectors.identifier_counts(actor=actor, case=case)
        return Response(
            UseSerializer(_use_row(actor, use, counts), context={"actor": actor}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Remove an identifier recorded in a case by mistake",
        responses={204: None, **errors(401, 403, 404)},
    )
    def destroy(self, request: Request, pk: int) -> Response:
        actor = request.user
        _guard(actor)
        use = selectors.identifier_use_get(actor=actor, pk=int(pk))
        if use is None:
            raise Http404(_("Not found."))
        services.identifier_use_remove(actor=actor, use=use)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganisationViewSet(SelectorViewSet):
    """Organisations (not personal data): any user of the app reads them; which cases involve
    them follows the case rule (listed if visible, counted otherwise)."""

    serializer_class = OrganisationListSerializer
    serializer_classes = {"retrieve": OrganisationFileSerializer}
    lookup_value_converter = "int"
    pagination_class = NewestFirst

    @extend_schema(
        summary="List or search organisations",
        parameters=[OrganisationQuery],
        responses={200: OrganisationListSerializer(many=True), **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        query = parse(OrganisationQuery, filters(request))
        found = selectors.organisation_list(actor=request.user, query=query.get("q") or "")
        if query.get("kind"):
            found = found.filter(kind=query["kind"])
        page = self.paginate_queryset(found)
        return self.get_paginated_response(OrganisationListSerializer(page, many=True).data)

    @extend_schema(
        summary="Read an organisation and its cases",
        responses={200: OrganisationFileSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request.user
        organisation = selectors.organisation_get(actor=actor, pk=int(pk))
        found = selectors.organisation_file(actor=actor, organisation=organisation)
        body = {
            "organisation": organisation,
            "cases": [{"case": inv.case, "role": inv.role} for inv in found.involvements],
            "hidden": found.hidden,
            "compounds": sorted({op.compound_id for op in found.compounds}),
        }
        return Response(OrganisationFileSerializer(body, context={"actor": actor}).data)


class CompoundViewSet(SelectorViewSet):
    """Compounds: their operators, their visible cases (a count of the others), and the people
    found there by nationality (victims of the visible cases, counted)."""

    serializer_class = CompoundListSerializer
    serializer_classes = {"retrieve": CompoundFileSerializer}
    lookup_value_converter = "int"
    pagination_class = NewestFirst

    @extend_schema(
        summary="List compounds",
        responses={200: CompoundListSerializer(many=True), **errors(401, 404)},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.compound_list(actor=request.user))
        return self.get_paginated_response(CompoundListSerializer(page, many=True).data)

    @extend_schema(
        summary="Read a compound and its cases",
        responses={200: CompoundFileSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        actor = request.user
        compound = selectors.compound_get(actor=actor, pk=int(pk))
        found = selectors.compound_file(actor=actor, compound=compound)
        body = {
            "compound": compound,
            "operators": sorted({op.organisation_id for op in found.operators}),
            "cases": [{"case": inv.case} for inv in found.involvements],
            "hidden": found.hidden,
            "found_by_nationality": [
                {"country": country, "people": n} for country, n in found.nationalities
            ],
        }
        return Response(CompoundFileSerializer(body, context={"actor": actor}).data)


class AlertViewSet(SelectorViewSet):
    """The reader's own connection alerts (they are in the notifications too)."""

    serializer_class = AlertSerializer
    lookup_value_converter = "int"
    pagination_class = NewestFirst

    def _rows(self, actor: Any, alerts: list[ConnectionAlert]) -> list[dict[str, Any]]:
        visible = selectors.alert_new_case_visible(actor=actor, alerts=alerts)
        return [
            {
                "id": alert.pk,
                "open_case": alert.open_case,
                "identifier": alert.identifier,
                "new_case_agency": alert.new_case.owning_agency.code,
                "new_case": alert.new_case if alert.new_case_id in visible else None,
                "created_at": alert.created_at,
                "read_at": alert.read_at,
            }
            for alert in alerts
        ]

    @extend_schema(
        summary="List my connection alerts",
        parameters=[AlertQuery],
        responses={200: AlertSerializer(many=True), **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        actor = request.user
        _guard(actor)
        query = parse(AlertQuery, filters(request))
        alerts = selectors.alert_list(actor=actor, unread_only=query["unread"]).select_related(
            "open_case__province", "open_case__owning_agency"
        )
        page = self.paginate_queryset(alerts)
        rows = self._rows(actor, list(page or []))
        data = AlertSerializer(rows, many=True, context={"actor": actor}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Mark one of my alerts read",
        request=None,
        responses={200: AlertSerializer, **errors(401, 404)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: int) -> Response:
        actor = request.user
        _guard(actor)
        # Another's alert answers like an unknown one.
        alert = selectors.alert_list(actor=actor).filter(pk=int(pk)).first()
        if alert is None:
            raise Http404(_("Not found."))
        services.alert_mark_read(actor=actor, alert=alert)
        row = self._rows(actor, [alert])[0]
        return Response(AlertSerializer(row, context={"actor": actor}).data)
