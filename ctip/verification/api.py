"""API of the verification app: verifications the caller may see, read-only, and the public
summaries. Every step that changes a verification goes through its pages (the services check
the same rules for both; a write API can follow when a field app needs one)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import SelectorViewSet, errors

from . import selectors


class VerificationSerializer(serializers.Serializer):
    """A verification without its allegation, findings or persons (read on its page)."""

    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    status = serializers.CharField()
    lead_agency = serializers.CharField(source="lead_agency.code")
    sign_off_agency = serializers.CharField(source="sign_off_agency.code", allow_null=True)
    province = serializers.CharField(source="province.code", allow_null=True)
    visited_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    outcome_reason = serializers.CharField()
    signed_off_at = serializers.DateTimeField(allow_null=True)
    published = serializers.SerializerMethodField()

    def get_published(self, obj: Any) -> bool:
        return obj.published_at is not None


class PublicSummarySerializer(serializers.Serializer):
    place = serializers.CharField(source="place_name")
    visited_on = serializers.DateField()
    outcome = serializers.CharField()
    reason = serializers.CharField()
    summary = serializers.CharField(source="text")


class VerificationViewSet(SelectorViewSet):
    """Verifications you may see (`?status=`, `?box=mine|sign`)."""

    serializer_class = VerificationSerializer
    lookup_value_converter = "int"

    @extend_schema(
        summary="List verifications",
        responses={200: VerificationSerializer(many=True), **errors(401)},
    )
    def list(self, request: Request) -> Response:
        rows = selectors.verification_list(
            actor=request.user,
            status=request.query_params.get("status", ""),
            box=request.query_params.get("box", ""),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(VerificationSerializer(page, many=True).data)

    @extend_schema(
        summary="Read a verification",
        responses={200: VerificationSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        verification = selectors.verification_get(actor=request.user, pk=int(pk))
        return Response(VerificationSerializer(verification).data)


class PublicSummaryViewSet(SelectorViewSet):
    """Published summaries of allegations checked on site (no sign-in; no names)."""

    serializer_class = PublicSummarySerializer
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        summary="Public summaries of verifications",
        responses={200: PublicSummarySerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        # Paginated like every list of the API (the schema says so).
        page = self.paginate_queryset(selectors.public_summaries())
        return self.get_paginated_response(PublicSummarySerializer(page, many=True).data)


def register(router: Any) -> None:
    """Add the verification endpoints to the API router."""
    router.register("verifications", VerificationViewSet, basename="verification")
    router.register("verification-summaries", PublicSummaryViewSet, basename="verification-summary")
