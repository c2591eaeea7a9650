"""The registry API's case and person endpoints."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import StrictSerializer, errors, parse

from .. import selectors, services
from ..search_limits import SEARCH_WINDOW, TooManySearches
from .base import RegistryViewSet, case_of
from .fields import PAGING_PARAMS
from .inputs import (
    CaseCloseSerializer,
    CaseCreateSerializer,
    CaseListQuery,
    CaseShareResultSerializer,
    CaseShareSerializer,
    CaseUpdateSerializer,
    DocumentCreateSerializer,
    PersonCreateSerializer,
    PersonSearchQuery,
    PersonSearchResultSerializer,
    PersonWriteSerializer,
)
from .serializers import (
    CaseFileSerializer,
    CaseListItemSerializer,
    IdentityDocumentSerializer,
    PersonSerializer,
    PersonSummarySerializer,
    default_agency,
    render_case,
    render_person,
)


@extend_schema_view(
    list=extend_schema(
        summary="List cases",
        parameters=[CaseListQuery],
        responses={200: CaseListItemSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a case file",
        responses={200: CaseFileSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Register a case",
        request=CaseCreateSerializer,
        responses={201: CaseFileSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a case",
        description="Closing goes through the close action, not through status.",
        request=CaseUpdateSerializer,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    ),
)
class CaseViewSet(RegistryViewSet):
    """Cases the user's agencies own, are shared or are responsible for."""

    serializer_class = CaseFileSerializer
    serializer_classes = {
        "create": CaseCreateSerializer,
        "partial_update": CaseUpdateSerializer,
        "close": CaseCloseSerializer,
        "reopen": StrictSerializer,
        "share": CaseShareSerializer,
        "list": CaseListItemSerializer,
    }

    def list(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}
        query = parse(CaseListQuery, params)
        filters = selectors.CaseFilters.from_values({**query, "sort": query["ordering"]})
        page = self.paginate_queryset(selectors.case_list(actor=request.user, filters=filters))
        return self.get_paginated_response(CaseListItemSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(render_case(request.user, case_of(request.user, pk)))

    def create(self, request: Request) -> Response:
        data = parse(CaseCreateSerializer, request.data)
        if "owning_agency" not in data:
            data["owning_agency"] = default_agency(request.user, "owning_agency")
        case = services.case_create(actor=request.user, **data)
        return Response(render_case(request.user, case), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        case = case_of(request.user, pk)
        data = parse(CaseUpdateSerializer, request.data, partial=True)
        case = services.case_update(actor=request.user, case=case, **data)
        return Response(render_case(request.user, case))

    @extend_schema(
        summary="Close a case",
        description="Needs a supervisor's role. HTCDS status closed or closed_referred.",
        request=CaseCloseSerializer,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        case = case_of(request.user, pk)
        data = parse(CaseCloseSerializer, request.data)
        case = services.case_close(actor=request.user, case=case, **data)
        return Response(render_case(request.user, case))

    @extend_schema(
        summary="Reopen a closed case",
        description="The case returns to follow-up. Needs a supervisor's role.",
        request=None,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        parse(StrictSerializer, request.data)  # an empty body: any field is unknown
        case = services.case_reopen(actor=request.user, case=case_of(request.user, pk))
        return Response(render_case(request.user, case))

    @extend_schema(
        summary="Share a case with another agency",
        request=CaseShareSerializer,
        responses={200: CaseShareResultSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: int) -> Response:
        case = case_of(request.user, pk)
        data = parse(CaseShareSerializer, request.data)
        share = services.case_share(actor=request.user, case=case, agency=data["agency"])
        return Response(CaseShareResultSerializer(share).data)


@extend_schema_view(
    list=extend_schema(
        summary="Find persons",
        description=(
            "Name search forgives romanisation variants and family-name order. Returns at "
            "most `limit` persons, in registration order."
        ),
        parameters=[PersonSearchQuery],
        responses={200: PersonSearchResultSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a person", responses={200: PersonSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Register a person",
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a person",
        request=PersonWriteSerializer,
        responses={200: PersonSerializer, **errors(400, 401, 403, 404)},
    ),
)
class PersonViewSet(RegistryViewSet):
    """Persons in the user's cases or registered by the user's agencies."""

    pagination_class = None

    serializer_class = PersonSerializer
    serializer_classes = {
        "create": PersonCreateSerializer,
        "partial_update": PersonWriteSerializer,
        "documents": DocumentCreateSerializer,
        "list": PersonSummarySerializer,
    }

    def list(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}
        query = parse(PersonSearchQuery, params)
        try:
            found = selectors.person_search(
                actor=request.user, query=selectors.PersonQuery(**query)
            )
        except TooManySearches as refused:
            raise Throttled(wait=int(SEARCH_WINDOW.total_seconds()), detail=str(refused)) from None
        return Response(
            {
                "count": len(found),
                "results": PersonSummarySerializer(found, many=True, context=self._ctx()).data,
            }
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        return Response(render_person(request.user, person))

    def create(self, request: Request) -> Response:
        data = parse(PersonCreateSerializer, request.data)
        registered_by = data.pop("registered_by", None) or default_agency(
            request.user, "registered_by"
        )
        person = services.person_create(actor=request.user, registered_by=registered_by, **data)
        return Response(render_person(request.user, person), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        data = parse(PersonWriteSerializer, request.data, partial=True)
        person = services.person_update(actor=request.user, person=person, **data)
        return Response(render_person(request.user, person))

    @extend_schema(
        summary="Add an identity document",
        request=DocumentCreateSerializer,
        responses={201: IdentityDocumentSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        data = parse(DocumentCreateSerializer, request.data)
        document = services.document_add(actor=request.user, person=person, **data)
        return Response(
            IdentityDocumentSerializer(document, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )
