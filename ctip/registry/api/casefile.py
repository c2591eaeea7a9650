"""Case-file endpoints of the registry API: participants, victims, events, arrests, proceedings."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.api.base import errors, parse, resolve

from .. import selectors, services
from .base import RegistryViewSet, case_in_payload, person_of
from .inputs import (
    ArrestCreateSerializer,
    EventCreateSerializer,
    ParticipantCreateSerializer,
    ProceedingCreateSerializer,
    ProceedingUpdateSerializer,
    VictimProfileCreateSerializer,
    VictimProfileWriteSerializer,
)
from .serializers import (
    ArrestSerializer,
    EventSerializer,
    ParticipantSerializer,
    ProceedingSerializer,
    VictimProfileSerializer,
)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a participant", responses={200: ParticipantSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add a person to a case in a role",
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer, **errors(400, 401, 403)},
    ),
)
class ParticipantViewSet(RegistryViewSet):
    serializer_class = ParticipantSerializer
    serializer_classes = {"create": ParticipantCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        participant = selectors.participant_get(actor=request.user, pk=int(pk))
        return Response(ParticipantSerializer(participant, context=self._ctx()).data)

    def create(self, request: Request) -> Response:
        data = parse(ParticipantCreateSerializer, request.data)
        participant = services.participant_add(
            actor=request.user,
            case=case_in_payload(request.user, data["case"]),
            person=person_of(request.user, "person", data["person"]),
            role=data["role"],
            notes=data.get("notes", ""),
        )
        return Response(
            ParticipantSerializer(participant, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a victim profile",
        responses={200: VictimProfileSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Record a victim profile",
        description="For a participant whose role is victim; one profile per participant.",
        request=VictimProfileCreateSerializer,
        responses={201: VictimProfileSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a victim profile",
        request=VictimProfileWriteSerializer,
        responses={200: VictimProfileSerializer, **errors(400, 401, 403, 404)},
    ),
)
class VictimProfileViewSet(RegistryViewSet):
    serializer_class = VictimProfileSerializer
    serializer_classes = {
        "create": VictimProfileCreateSerializer,
        "partial_update": VictimProfileWriteSerializer,
    }

    def retrieve(self, request: Request, pk: int) -> Response:
        profile = selectors.victim_profile_get(actor=request.user, pk=int(pk))
        return Response(VictimProfileSerializer(profile, context=self._ctx()).data)

    def create(self, request: Request) -> Response:
        data = parse(VictimProfileCreateSerializer, request.data)
        participant_id = data.pop("participant")
        participant = resolve(
            "participant",
            lambda: selectors.participant_get(actor=request.user, pk=participant_id),
        )
        profile = services.victim_profile_create(
            actor=request.user, participant=participant, **data
        )
        return Response(
            VictimProfileSerializer(profile, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        profile = selectors.victim_profile_get(actor=request.user, pk=int(pk))
        data = parse(VictimProfileWriteSerializer, request.data, partial=True)
        profile = services.victim_profile_save(
            actor=request.user, participant=profile.participant, **data
        )
        return Response(VictimProfileSerializer(profile, context=self._ctx()).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read an event", responses={200: EventSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add an event to a case's story",
        request=EventCreateSerializer,
        responses={201: EventSerializer, **errors(400, 401, 403)},
    ),
)
class EventViewSet(RegistryViewSet):
    serializer_class = EventSerializer
    serializer_classes = {"create": EventCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(EventSerializer(selectors.event_get(actor=request.user, pk=int(pk))).data)

    def create(self, request: Request) -> Response:
        data = parse(EventCreateSerializer, request.data)
        data["case"] = case_in_payload(request.user, data["case"])
        data["persons"] = [person_of(request.user, "persons", pk) for pk in data.get("persons", [])]
        event = services.event_add(actor=request.user, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read an arrest", responses={200: ArrestSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Record an arrest",
        request=ArrestCreateSerializer,
        responses={201: ArrestSerializer, **errors(400, 401, 403)},
    ),
)
class ArrestViewSet(RegistryViewSet):
    serializer_class = ArrestSerializer
    serializer_classes = {"create": ArrestCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ArrestSerializer(selectors.arrest_get(actor=request.user, pk=int(pk))).data)

    def create(self, request: Request) -> Response:
        data = parse(ArrestCreateSerializer, request.data)
        data["case"] = case_in_payload(request.user, data["case"])
        data["person"] = person_of(request.user, "person", data["person"])
        arrest = services.arrest_add(actor=request.user, **data)
        return Response(ArrestSerializer(arrest).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a court proceeding",
        responses={200: ProceedingSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Record a court proceeding",
        request=ProceedingCreateSerializer,
        responses={201: ProceedingSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Record progress of a proceeding",
        request=ProceedingUpdateSerializer,
        responses={200: ProceedingSerializer, **errors(400, 401, 403, 404)},
    ),
)
class ProceedingViewSet(RegistryViewSet):
    serializer_class = ProceedingSerializer
    serializer_classes = {
        "create": ProceedingCreateSerializer,
        "partial_update": ProceedingUpdateSerializer,
    }

    def retrieve(self, request: Request, pk: int) -> Response:
        proceeding = selectors.proceeding_get(actor=request.user, pk=int(pk))
        return Response(ProceedingSerializer(proceeding).data)

    def create(self, request: Request) -> Response:
        data = parse(ProceedingCreateSerializer, request.data)
        data["case"] = case_in_payload(request.user, data["case"])
        if data.get("defendant") is not None:
            data["defendant"] = person_of(request.user, "defendant", data["defendant"])
        proceeding = services.proceeding_add(actor=request.user, **data)
        return Response(ProceedingSerializer(proceeding).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        proceeding = selectors.proceeding_get(actor=request.user, pk=int(pk))
        data = parse(ProceedingUpdateSerializer, request.data, partial=True)
        proceeding = services.proceeding_update(actor=request.user, proceeding=proceeding, **data)
        return Response(ProceedingSerializer(proceeding).data)
