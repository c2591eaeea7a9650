"""REST endpoints of the screening app: operations, persons found (many per request), their
screening interviews, suspects (refused for victims), repatriation and embassy lists.

Built as decision 0141 asks: selector-backed viewsets, strict input serializers, persons shown
through the registry's masked serializer."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.api.base import SelectorViewSet, StrictSerializer, errors, parse, resolve
from ctip.reference.models import Province
from ctip.registry.api import PersonSummarySerializer

from . import selectors, services
from .choices import (
    DECIDED_VALUES,
    INDICATOR_CODES,
    LANGUAGE_CODES,
    Answer,
    OperationKind,
    Repatriation,
)
from .models import FoundPerson, Operation, Screening

# --- what the endpoints answer -------------------------------------------------------------


class OperationSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    lead_agency = serializers.CharField(source="lead_agency.code", read_only=True)
    case = serializers.CharField(source="case.reference", read_only=True)

    class Meta:
        model = Operation
        fields = ["id", "kind", "name", "conducted_on", "province", "place", "lead_agency", "case"]
        read_only_fields = fields


class ScreeningSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "interviewed_on",
            "agency",
            "language",
            "interpreter",
            "answers",
            "indicators",
            "decision",
            "second_interview",
            "consent_to_embassy",
        ]
        read_only_fields = fields


class FoundPersonSerializer(serializers.ModelSerializer):
    """A person found; the person's identity is masked for roles without clearance."""

    person = PersonSummarySerializer(read_only=True)

    class Meta:
        model = FoundPerson
        fields = [
            "id",
            "operation",
            "number",
            "person",
            "nationality",
            "language",
            "document_held",
            "age_is_apparent",
            "decision",
            "decided_on",
            "consent_to_embassy",
            "repatriation",
            "repatriation_on",
        ]
        read_only_fields = fields


# --- what they take ------------------------------------------------------------------------


class OperationCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=OperationKind.choices)
    name = serializers.CharField(max_length=200)
    conducted_on = serializers.DateField()
    province = serializers.SlugRelatedField(slug_field="code", queryset=Province.objects.all())
    place = serializers.CharField(max_length=200)
    lead_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    agencies = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), many=True, required=False
    )


class FoundRowSerializer(StrictSerializer):
    """One person found; values are checked by the same rule as the grid and the upload."""

    number = serializers.IntegerField(required=False, min_value=1)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    name_km = serializers.CharField(required=False, allow_blank=True, max_length=120)
    sex = serializers.CharField(required=False, max_length=10)
    age = serializers.IntegerField(required=False, allow_null=True)
    age_is_apparent = serializers.BooleanField(required=False, default=False)
    nationality = serializers.CharField(required=False, allow_blank=True, max_length=60)
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)
    document_held = serializers.CharField(required=False, max_length=20)
    document_number = serializers.CharField(required=False, allow_blank=True, max_length=40)


class FoundCreateSerializer(StrictSerializer):
    operation = serializers.IntegerField()
    rows = serializers.ListField(
        child=FoundRowSerializer(),
        allow_empty=False,
        max_length=services.MAX_ROWS_PER_SUBMIT,
    )


class FoundListQuery(StrictSerializer):
    operation = serializers.IntegerField()
    decision = serializers.CharField(required=False, allow_blank=True)
    nationality = serializers.CharField(required=False, allow_blank=True, max_length=3)


class ScreeningCreateSerializer(StrictSerializer):
    interviewed_on = serializers.DateField()
    language = serializers.ChoiceField(choices=LANGUAGE_CODES)
    interpreter = serializers.BooleanField(required=False, default=False)
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.values),
        help_text="Indicator code -> yes/no/unknown/declined. Codes: " + ", ".join(INDICATOR_CODES),
    )
    decision = serializers.ChoiceField(choices=DECIDED_VALUES)
    reasons = serializers.CharField(max_length=4000)
    consent_to_embassy = serializers.BooleanField(required=False, default=False)


class RepatriationSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Repatriation.choices)
    on = serializers.DateField(required=False)


class EmbassyListSerializer(StrictSerializer):
    nationality = serializers.CharField(max_length=3)
    to_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())


class EmbassyResultSerializer(serializers.Serializer):
    packages = serializers.ListField(child=serializers.IntegerField())
    already_sent = serializers.ListField(child=serializers.IntegerField())
    without_consent = serializers.ListField(
        child=serializers.IntegerField(), help_text="Numbers of the victims left out: no consent."
    )
    child_steps_missing = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Numbers of the children left out: no best-interest determination or guardian.",
    )


# --- the endpoints -------------------------------------------------------------------------


class OperationViewSet(SelectorViewSet):
    """Raids, rescues and interceptions."""

    serializer_class = OperationSerializer
    serializer_classes = {"create": OperationCreateSerializer}
    lookup_value_converter = "int"

    @extend_schema(summary="List operations", responses={200: OperationSerializer(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.operation_list(actor=request.user))
        return self.get_paginated_response(OperationSerializer(page, many=True).data)

    @extend_schema(
        summary="Read an operation", responses={200: OperationSerializer, **errors(401, 404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        operation = selectors.operation_get(actor=request.user, pk=int(pk))
        return Response(OperationSerializer(operation).data)

    @extend_schema(
        summary="Record an operation",
        request=OperationCreateSerializer,
        responses={201: OperationSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        data = parse(OperationCreateSerializer, request.data)
        operation = services.operation_create(actor=request.user, **data)
        return Response(OperationSerializer(operation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send the embassy list of one nationality",
        description="Identified victims of the nationality who consented go to the partner "
        "agency as repatriation referrals with exchange packages; the others are named back.",
        request=EmbassyListSerializer,
        responses={201: EmbassyResultSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="embassy-list")
    def embassy_list(self, request: Request, pk: int) -> Response:
        operation = selectors.operation_get(actor=request.user, pk=int(pk), action=Action.CHANGE)
        data = parse(EmbassyListSerializer, request.data)
        sent = services.embassy_list_send(
            actor=request.user,
            operation=operation,
            nationality=data["nationality"].upper(),
            to_agency=data["to_agency"],
        )
        body = {
            "packages": [p.pk for p in sent.packages],
            "already_sent": [f.number for f in sent.already],
            "without_consent": [f.number for f in sent.without_consent],
            "child_steps_missing": [f.number for f in sent.child_steps_missing],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class FoundPersonViewSet(SelectorViewSet):
    """Persons found in operations, their screening, suspects and repatriation."""

    serializer_class = FoundPersonSerializer
    serializer_classes = {
        "create": FoundCreateSerializer,
        "screen": ScreeningCreateSerializer,
        "repatriation": RepatriationSerializer,
    }
    lookup_value_converter = "int"

    def _ctx(self) -> dict[str, Any]:
        return {"actor": self.request.user}

    @extend_schema(
        summary="List the persons found in an operation",
        parameters=[FoundListQuery],
        responses={200: FoundPersonSerializer(many=True), **errors(400, 401)},
    )
    def list(self, request: Request) -> Response:
        # ?format=json is content negotiation, as on every other list, not a filter.
        query = parse(
            FoundListQuery, {k: v for k, v in request.query_params.items() if k != "format"}
        )
        operation = resolve(
            "operation", lambda: selectors.operation_get(actor=request.user, pk=query["operation"])
        )
        found = selectors.found_list(
            actor=request.user,
            operation=operation,
            filters=selectors.FoundFilters(
                decision=query.get("decision", ""), nationality=query.get("nationality", "")
            ),
        )[:1000]
        return Response(FoundPersonSerializer(found, many=True, context=self._ctx()).data)

    @extend_schema(
        summary="Read a person found", responses={200: FoundPersonSerializer, **errors(401, 404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        found = selectors.found_get(actor=request.user, pk=int(pk))
        return Response(FoundPersonSerializer(found, context=self._ctx()).data)

    @extend_schema(
        summary="Register persons found (many at once)",
        description="Every row is checked first; one bad row refuses all, errors keyed "
        "`row N: field`. Each person is registered in the registry (identity encrypted).",
        request=FoundCreateSerializer,
        responses={201: FoundPersonSerializer(many=True), **errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        data = parse(FoundCreateSerializer, request.data)
        operation = resolve(
            "operation",
            lambda: selectors.operation_get(
                actor=request.user, pk=data["operation"], action=Action.CHANGE
            ),
        )
        created = services.found_persons_add(
            actor=request.user, operation=operation, rows=[dict(r) for r in data["rows"]]
        )
        return Response(
            FoundPersonSerializer(created, many=True, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Record a screening interview and the decision",
        request=ScreeningCreateSerializer,
        responses={201: ScreeningSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def screen(self, request: Request, pk: int) -> Response:
        found = selectors.found_get(actor=request.user, pk=int(pk), action=Action.CHANGE)
        data = parse(ScreeningCreateSerializer, request.data)
        screening = services.screening_record(actor=request.user, found=found, **data)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a person found as a suspect of the operation",
        description="Refused (400, on `role`) for an identified or presumed victim of the "
        "same operation: the non-punishment principle.",
        request=None,
        responses={201: FoundPersonSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def suspect(self, request: Request, pk: int) -> Response:
        found = selectors.found_get(actor=request.user, pk=int(pk), action=Action.CHANGE)
        services.found_person_mark_suspect(actor=request.user, found=found)
        return Response(
            FoundPersonSerializer(found, context=self._ctx()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Record where a person's repatriation stands",
        request=RepatriationSerializer,
        responses={200: FoundPersonSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def repatriation(self, request: Request, pk: int) -> Response:
        found = selectors.found_get(actor=request.user, pk=int(pk), action=Action.CHANGE)
        data = parse(RepatriationSerializer, request.data)
        services.repatriation_update(actor=request.user, found=found, **data)
        return Response(FoundPersonSerializer(found, context=self._ctx()).data)


def register(router: Any) -> None:
    """Add the screening endpoints to the API router."""
    router.register("operations", OperationViewSet, basename="operation")
    router.register("persons-found", FoundPersonViewSet, basename="person-found")
