"""REST API of the access app: the agencies (names and kinds are public; people are not)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import SelectorViewSet, StrictSerializer, errors, parse

from . import selectors
from .choices import AgencyKind, AgencyLevel
from .models import Agency


class AgencySerializer(serializers.ModelSerializer):
    province: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    country: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="alpha3", read_only=True, allow_null=True
    )
    # Named like Field.parent only in the type stubs' eyes: DRF moves declared fields off the
    # class, so the serializer's own `parent` attribute is untouched at run time.
    parent: serializers.SlugRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Agency
        fields = ["code", "name_en", "name_km", "kind", "level", "province", "country", "parent"]
        read_only_fields = fields


class AgencyListQuery(StrictSerializer):
    kind = serializers.ChoiceField(choices=AgencyKind.choices, required=False)
    level = serializers.ChoiceField(choices=AgencyLevel.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List agencies",
        parameters=[AgencyListQuery],
        responses={200: AgencySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read an agency", responses={200: AgencySerializer, **errors(401, 404)}
    ),
)
class AgencyViewSet(SelectorViewSet):
    serializer_class = AgencySerializer
    pagination_class = None
    lookup_field = "code"
    lookup_value_converter = "str"

    def list(self, request: Request) -> Response:
        query = parse(
            AgencyListQuery, {k: v for k, v in request.query_params.items() if k != "format"}
        )
        agencies = selectors.agency_list().select_related("country", "parent").filter(**query)
        return Response(AgencySerializer(agencies, many=True).data)

    def retrieve(self, request: Request, code: str) -> Response:
        agency = selectors.agency_list().select_related("country", "parent").filter(code=code)
        found = agency.first()
        if found is None:
            raise Http404(_("No such agency."))
        return Response(AgencySerializer(found).data)


ROUTES: list[tuple[str, type[viewsets.GenericViewSet], str]] = [
    ("agencies", AgencyViewSet, "agency"),
]
