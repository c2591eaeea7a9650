"""API of the linkage app: possible matches for a person about to be registered."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import SelectorViewSet, errors, parse, resolve
from ctip.registry.api import PersonSummarySerializer, PersonWriteSerializer
from ctip.registry.selectors import case_get

from . import selectors


class CheckRequestSerializer(PersonWriteSerializer):
    """The person being registered, as for creating one, with an optional document and case."""

    document_number = serializers.CharField(required=False, allow_blank=True, max_length=80)
    case = serializers.IntegerField(
        required=False, help_text="The case the person is registered in (its province counts)."
    )


class EvidenceSerializer(serializers.Serializer):
    field = serializers.CharField()
    name = serializers.CharField(help_text="The field's name in the user's language.")
    agreement = serializers.ChoiceField(choices=["agree", "partly", "disagree", "missing"])
    words = serializers.CharField(help_text="The verdict in the user's language.")


class PossibleMatchSerializer(serializers.Serializer):
    person = PersonSummarySerializer()
    probability = serializers.FloatField()
    likely = serializers.BooleanField(
        help_text="At or above the linkage's lower threshold; false: a possible match only "
        "(names and little else agree, as for many people)."
    )
    evidence = EvidenceSerializer(many=True)


class CheckResultSerializer(serializers.Serializer):
    ready = serializers.BooleanField(
        help_text="False until a linkage run has trained a model: nothing was checked."
    )
    matches = PossibleMatchSerializer(many=True)
    not_visible = serializers.IntegerField(
        help_text="Likely matches recorded by agencies whose records you may not see."
    )


class PossibleMatchViewSet(SelectorViewSet):
    """Who the person you are about to register probably is already."""

    serializer_class = CheckRequestSerializer

    @extend_schema(
        summary="Possible matches for a person about to be registered",
        request=CheckRequestSerializer,
        responses={200: CheckResultSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        # Refused before the body's case is read: a role that may not check gets 403 and an
        # audited refusal, not an answer about the case.
        selectors.require_checker(request.user)
        data = parse(CheckRequestSerializer, request.data)
        case_id = data.pop("case", None)
        case = (
            resolve("case", lambda: case_get(actor=request.user, pk=case_id))
            if case_id is not None
            else None
        )
        draft = selectors.Draft.from_fields(
            data,
            province=case.province.code if case is not None else "",
            source=case.owning_agency.code if case is not None else "",
        )
        check = selectors.registration_check(actor=request.user, draft=draft)
        context: dict[str, Any] = {"actor": request.user}
        body = {
            "ready": check.ready,
            "matches": [
                {
                    "person": PersonSummarySerializer(m.person, context=context).data,
                    "probability": round(m.probability, 4),
                    "likely": m.likely,
                    "evidence": [
                        {
                            "field": e.field,
                            "name": e.label,
                            "agreement": e.verdict,
                            "words": e.words,
                        }
                        for e in m.evidence
                    ],
                }
                for m in check.matches
            ],
            "not_visible": check.hidden,
        }
        return Response(body)


def register(router: Any) -> None:
    """Add the linkage endpoints to the API router."""
    router.register("possible-matches", PossibleMatchViewSet, basename="possible-match")
