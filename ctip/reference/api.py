"""REST API of reference data: provinces, countries and vocabularies (public facts, read-only)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import SelectorViewSet, errors

from . import selectors
from .models import Country, Province, Term


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name_en", "name_km", "population_2019"]
        read_only_fields = fields


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["alpha3", "alpha2", "name_en", "name_km"]
        read_only_fields = fields


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["code", "label_en", "label_km", "sort_order"]
        read_only_fields = fields


class VocabularySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The vocabulary's name, e.g. means_of_control.")
    terms = TermSerializer(many=True)


class _ReferenceViewSet(SelectorViewSet):
    """Short lists that rarely change: no paging, no filters."""

    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        summary="List provinces", responses={200: ProvinceSerializer(many=True), **errors(401)}
    )
)
class ProvinceViewSet(_ReferenceViewSet):
    serializer_class = ProvinceSerializer

    def list(self, request: Request) -> Response:
        return Response(ProvinceSerializer(selectors.province_list(), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List countries", responses={200: CountrySerializer(many=True), **errors(401)}
    )
)
class CountryViewSet(_ReferenceViewSet):
    serializer_class = CountrySerializer

    def list(self, request: Request) -> Response:
        return Response(CountrySerializer(selectors.country_list(), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List vocabularies with their terms",
        responses={200: VocabularySerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Read one vocabulary",
        responses={200: VocabularySerializer, **errors(401, 404)},
    ),
)
class VocabularyViewSet(_ReferenceViewSet):
    serializer_class = VocabularySerializer
    lookup_field = "name"
    lookup_value_converter = "str"

    def list(self, request: Request) -> Response:
        catalogue = selectors.vocabulary_catalogue()
        data = [{"name": name, "terms": terms} for name, terms in sorted(catalogue.items())]
        return Response(VocabularySerializer(data, many=True).data)

    def retrieve(self, request: Request, name: str) -> Response:
        terms = selectors.vocabulary_terms(name)
        if not terms:
            raise Http404(_("No such vocabulary."))
        return Response(VocabularySerializer({"name": name, "terms": terms}).data)


ROUTES: list[tuple[str, type[viewsets.GenericViewSet], str]] = [
    ("provinces", ProvinceViewSet, "province"),
    ("countries", CountryViewSet, "country"),
    ("vocabularies", VocabularyViewSet, "vocabulary"),
]
