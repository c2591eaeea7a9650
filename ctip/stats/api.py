"""REST endpoints of the statistics app: published releases, readable without signing in."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .selectors import published_release, published_releases


class ReleaseSummarySerializer(serializers.Serializer):
    """One published release in the list."""

    id = serializers.IntegerField()
    period = serializers.CharField()
    protection = serializers.CharField()
    epsilon = serializers.FloatField(allow_null=True)


class ReleaseSerializer(ReleaseSummarySerializer):
    """A published release with its protected tables."""

    min_cell = serializers.IntegerField(allow_null=True)
    digest = serializers.CharField()
    published_at = serializers.DateTimeField()
    tables = serializers.JSONField()


@extend_schema(responses=ReleaseSummarySerializer(many=True), operation_id="stats_releases_list")
@api_view(["GET"])
@permission_classes([AllowAny])
def release_list(request: Request) -> Response:
    rows: list[dict[str, Any]] = [
        {"id": r.pk, "period": r.period, "protection": r.protection, "epsilon": r.epsilon}
        for r in published_releases()
    ]
    return Response(ReleaseSummarySerializer(rows, many=True).data)


@extend_schema(responses=ReleaseSerializer, operation_id="stats_releases_retrieve")
@api_view(["GET"])
@permission_classes([AllowAny])
def release_detail(request: Request, pk: int) -> Response:
    r = published_release(pk=pk)
    return Response(
        ReleaseSerializer(
            {
                "id": r.pk,
                "period": r.period,
                "protection": r.protection,
                "epsilon": r.epsilon,
                "min_cell": r.min_cell,
                "digest": r.digest,
                "published_at": r.published_at,
                "tables": r.tables,
            }
        ).data
    )
