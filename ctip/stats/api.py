"""REST endpoints of the statistics app: published releases, readable without signing in."""

from typing import Any

from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .selectors import published_release, published_releases


@api_view(["GET"])
@permission_classes([AllowAny])
def release_list(request: Request) -> Response:
    rows: list[dict[str, Any]] = [
        {"id": r.pk, "period": r.period, "protection": r.protection, "epsilon": r.epsilon}
        for r in published_releases()
    ]
    return Response(rows)


@api_view(["GET"])
@permission_classes([AllowAny])
def release_detail(request: Request, pk: int) -> Response:
    r = published_release(pk=pk)
    return Response(
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
    )
