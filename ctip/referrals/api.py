"""REST endpoints of the referrals app: referrals and their transitions, tasks, exchange
packages, a victim's pathway, the owner's work list and the coordination figures.

Built as decision 0141 asks: selector-backed viewsets, strict input serializers, and records
named in a body fetched through the selectors (unknown and hidden ids get the same 400)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.access.masking import serializer_actor
from ctip.access.models import Agency
from ctip.api.base import SelectorViewSet, StrictSerializer, errors, parse, resolve
from ctip.registry.api import PAGING_PARAMS
from ctip.registry.selectors import case_get, participant_get

from . import selectors, services
from .choices import ReferralStatus, Service, Transition
from .models import ExchangePackage, Referral, Task

# --- what the endpoints answer -------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the API shows it (output only)."""

    case = serializers.CharField(source="case.reference", read_only=True)
    from_agency = serializers.CharField(source="from_agency.code", read_only=True)
    to_agency = serializers.CharField(source="to_agency.code", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "participant",
            "from_agency",
            "to_agency",
            "service",
            "status",
            "shares_identity",
            "consent_basis",
            "note",
            "decline_reason",
            "close_reason",
            "outcome",
            "sent_at",
            "accept_due_on",
            "due_on",
            "accepted_at",
            "declined_at",
            "started_at",
            "completed_at",
            "closed_at",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, referral: Referral) -> bool:
        return selectors.is_overdue(referral)


class TaskSerializer(serializers.ModelSerializer):
    """A task as the API shows it (output only)."""

    owner_agency = serializers.CharField(source="owner_agency.code", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "case", "referral", "title", "service", "owner_agency", "due_on", "status"]
        read_only_fields = fields


class ExchangeUpdateOutSerializer(serializers.Serializer):
    status = serializers.CharField()
    occurred_on = serializers.DateField()
    note = serializers.CharField()


class ExchangePackageSerializer(serializers.ModelSerializer):
    """A package with its HTCDS record as JSON, identity masked as the reader sees it
    elsewhere (selectors.exchange_payload); the actor comes from the context."""

    payload = serializers.SerializerMethodField()
    updates = serializers.SerializerMethodField()

    class Meta:
        model = ExchangePackage
        fields = ["id", "referral", "status", "fields_shared", "payload", "created_at", "updates"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, package: ExchangePackage) -> dict[str, Any]:
        return selectors.exchange_payload(actor=serializer_actor(self.context), package=package)

    @extend_schema_field(ExchangeUpdateOutSerializer(many=True))
    def get_updates(self, package: ExchangePackage) -> list[dict[str, Any]]:
        return [
            {"status": u.status, "occurred_on": u.occurred_on.isoformat(), "note": u.note}
            for u in package.updates.all()
        ]


# --- what they accept ------------------------------------------------------------------------


class ReferralListQuery(StrictSerializer):
    box = serializers.ChoiceField(choices=["inbox", "outbox", "all"], default="all")
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    service = serializers.ChoiceField(choices=Service.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)


class ReferralSendSerializer(StrictSerializer):
    participant = serializers.IntegerField(help_text="id of the person's participation")
    to_agency = serializers.CharField(help_text="agency code or id")
    service = serializers.CharField()
    from_agency = serializers.CharField(required=False, allow_blank=True, help_text="agency code")
    shares_identity = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    deadline_stamp = serializers.CharField(required=False, allow_null=True, default=None)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OutcomeSerializer(StrictSerializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="")


class TaskCreateSerializer(StrictSerializer):
    case = serializers.IntegerField(help_text="case id")
    referral = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    service = serializers.CharField(required=False, allow_blank=True, default="")
    owner_agency = serializers.CharField(help_text="agency code")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ExchangeUpdateSerializer(StrictSerializer):
    status = serializers.CharField()
    occurred_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CoordinationQuery(StrictSerializer):
    sent_from = serializers.DateField(required=False)
    sent_to = serializers.DateField(required=False)
    province = serializers.IntegerField(required=False, help_text="province id")
    service = serializers.ChoiceField(choices=Service.choices, required=False)


def _agency(field: str, code: str) -> Agency:
    """An agency named by code in a body (agencies are public: no existence to hide)."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise serializers.ValidationError(
            {field: [_("There is no agency %(agency)s.") % {"agency": code}]}
        )
    return agency


def _query(request: Request) -> dict[str, Any]:
    return {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}


# --- endpoints ---------------------------------------------------------------------------------


class _ReferralsViewSet(SelectorViewSet):
    lookup_value_converter = "int"

    def _ctx(self) -> dict[str, Any]:
        return {"actor": self.request.user}


TRANSITION_BODIES: dict[str, type[StrictSerializer]] = {
    Transition.ACCEPT: StrictSerializer,
    Transition.DECLINE: ReasonSerializer,
    Transition.START: StrictSerializer,
    Transition.COMPLETE: OutcomeSerializer,
    Transition.CLOSE: ReasonSerializer,
}


class ReferralViewSet(_ReferralsViewSet):
    """Referrals on cases you may see. `?box=inbox|outbox`, `?status=`, `?service=`, `?overdue=1`.

    POST creates (sends) one; POST to /accept/, /decline/, /start/, /complete/, /close/ moves it.
    """

    serializer_class = ReferralSerializer
    serializer_classes = {
        "create": ReferralSendSerializer,
        **TRANSITION_BODIES,
        "exchange": StrictSerializer,
    }

    @extend_schema(
        summary="List referrals",
        parameters=[ReferralListQuery],
        responses={200: ReferralSerializer(many=True), **errors(400, 401)},
    )
    def list(self, request: Request) -> Response:
        query = parse(ReferralListQuery, _query(request))
        filters = selectors.ReferralFilters(
            box=query["box"],
            status=query.get("status", ""),
            service=query.get("service", ""),
            overdue=query["overdue"],
        )
        page = self.paginate_queryset(selectors.referral_list(actor=request.user, filters=filters))
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(
        summary="Read a referral", responses={200: ReferralSerializer, **errors(401, 404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        referral = selectors.referral_get(actor=request.user, pk=int(pk))
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        summary="Send a referral",
        request=ReferralSendSerializer,
        responses={201: ReferralSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        data = parse(ReferralSendSerializer, request.data)
        actor = request.user
        participant = resolve(
            "participant", lambda: participant_get(actor=actor, pk=data["participant"])
        )
        from_agency = (
            _agency("from_agency", data["from_agency"]) if data.get("from_agency") else None
        )
        referral = services.referral_send(
            actor=actor,
            participant=participant,
            to_agency=data["to_agency"],
            service=data["service"],
            from_agency=from_agency,
            shares_identity=data["shares_identity"],
            note=data["note"],
            deadline_stamp=data["deadline_stamp"],
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _move(self, request: Request, pk: int, transition: str) -> Response:
        referral = selectors.referral_for_action(
            actor=request.user, pk=int(pk), wanted=f"referral_{transition}"
        )
        data = parse(TRANSITION_BODIES[transition], request.data)
        moved = services.TRANSITION_SERVICES[transition](
            actor=request.user, referral=referral, **data
        )
        return Response(ReferralSerializer(moved).data)

    @extend_schema(
        summary="Accept a referral (receiving agency)",
        request=None,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        return self._move(request, pk, Transition.ACCEPT)

    @extend_schema(
        summary="Decline a referral, saying why (receiving agency)",
        request=ReasonSerializer,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: int) -> Response:
        return self._move(request, pk, Transition.DECLINE)

    @extend_schema(
        summary="Start the service (receiving agency)",
        request=None,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int) -> Response:
        return self._move(request, pk, Transition.START)

    @extend_schema(
        summary="Complete the service, with its outcome (receiving agency)",
        request=OutcomeSerializer,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        return self._move(request, pk, Transition.COMPLETE)

    @extend_schema(
        summary="Close a referral that will not be completed (sending agency)",
        request=ReasonSerializer,
        responses={200: ReferralSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        return self._move(request, pk, Transition.CLOSE)

    @extend_schema(
        summary="Prepare the exchange package of a repatriation to a foreign partner",
        request=None,
        responses={201: ExchangePackageSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def exchange(self, request: Request, pk: int) -> Response:
        referral = selectors.referral_for_action(
            actor=request.user, pk=int(pk), wanted="exchange_package_create"
        )
        parse(StrictSerializer, request.data)  # an empty body: any field is unknown
        package = services.exchange_package_create(actor=request.user, referral=referral)
        return Response(
            ExchangePackageSerializer(package, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )


class TaskViewSet(_ReferralsViewSet):
    """Open tasks of your agencies (or assigned to you); POST adds one; POST /done/ finishes it."""

    serializer_class = TaskSerializer
    serializer_classes = {"create": TaskCreateSerializer, "done": StrictSerializer}

    @extend_schema(summary="List your open tasks", responses={200: TaskSerializer(many=True)})
    def list(self, request: Request) -> Response:
        parse(StrictSerializer, _query(request))
        page = self.paginate_queryset(selectors.task_list(actor=request.user))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    @extend_schema(summary="Read a task", responses={200: TaskSerializer, **errors(401, 404)})
    def retrieve(self, request: Request, pk: int) -> Response:
        # One task is readable wherever its case is (and once done), not only in your list.
        task = selectors.task_get(actor=request.user, pk=int(pk))
        return Response(TaskSerializer(task).data)

    @extend_schema(
        summary="Add a task to a case",
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        data = parse(TaskCreateSerializer, request.data)
        actor = request.user
        case = resolve("case", lambda: case_get(actor=actor, pk=data["case"]))
        referral = None
        if data["referral"] is not None:
            referral = resolve(
                "referral", lambda: selectors.referral_get(actor=actor, pk=data["referral"])
            )
        task = services.task_create(
            actor=actor,
            case=case,
            title=data["title"],
            owner_agency=_agency("owner_agency", data["owner_agency"]),
            service=data["service"],
            due_on=data["due_on"],
            referral=referral,
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Finish a task",
        request=None,
        responses={200: TaskSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: int) -> Response:
        task = selectors.task_get(actor=request.user, pk=int(pk))
        parse(StrictSerializer, request.data)
        return Response(TaskSerializer(services.task_complete(actor=request.user, task=task)).data)


class ExchangePackageViewSet(_ReferralsViewSet):
    """An exchange package (HTCDS record of consented fields) and its hand-entered updates."""

    serializer_class = ExchangePackageSerializer
    serializer_classes = {"updates": ExchangeUpdateSerializer}

    @extend_schema(
        summary="Read an exchange package",
        responses={200: ExchangePackageSerializer, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        package = selectors.exchange_package_get(actor=request.user, pk=int(pk))
        return Response(ExchangePackageSerializer(package, context=self._ctx()).data)

    @extend_schema(
        summary="Record what the partner reported",
        request=ExchangeUpdateSerializer,
        responses={201: ExchangePackageSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: int) -> Response:
        package = selectors.exchange_package_get(actor=request.user, pk=int(pk))
        data = parse(ExchangeUpdateSerializer, request.data)
        services.exchange_update_add(actor=request.user, package=package, **data)
        package.refresh_from_db()
        return Response(
            ExchangePackageSerializer(package, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )


class PathwayViewSet(_ReferralsViewSet):
    """A victim's service pathway: /api/v1/pathways/<participant id>/."""

    serializer_class = StrictSerializer

    @extend_schema(
        summary="A victim's service pathway",
        responses={200: OpenApiTypes.OBJECT, **errors(401, 404)},
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        path = selectors.pathway(actor=request.user, participant_id=int(pk))
        return Response(
            {
                "participant": path.participant.pk,
                "start": path.start,
                "end": path.end,
                "finished": path.finished,
                "entries": [
                    {
                        "date": e.day,
                        "kind": e.kind,
                        "label": e.label,
                        "agency": e.agency,
                        "referral": e.referral.pk if e.referral else None,
                    }
                    for e in path.entries
                ],
                "gaps": [
                    {"start": g.start, "end": g.end, "days": g.days, "ongoing": g.ongoing}
                    for g in path.gaps
                ],
            }
        )


def _work(work: selectors.WorkList) -> dict[str, Any]:
    return {
        "overdue_referrals": [r.pk for r in work.overdue_referrals],
        "overdue_tasks": [t.pk for t in work.overdue_tasks],
        "due_soon_referrals": [r.pk for r in work.due_soon_referrals],
        "due_soon_tasks": [t.pk for t in work.due_soon_tasks],
    }


class WorkViewSet(_ReferralsViewSet):
    """Your overdue and soon-due referrals and tasks, and those of agencies you supervise."""

    serializer_class = StrictSerializer
    pagination_class = None

    @extend_schema(summary="Your overdue and soon-due work", responses={200: OpenApiTypes.OBJECT})
    def list(self, request: Request) -> Response:
        parse(StrictSerializer, _query(request))
        board = selectors.work_dashboard(actor=request.user)
        return Response(
            {
                "today": board.today,
                "own": _work(board.own),
                "supervised": _work(board.supervised) if board.supervised else None,
            }
        )


class CoordinationViewSet(_ReferralsViewSet):
    """Committee-wide referral figures, for the secretariat and analysts.

    Filters: `?sent_from=&sent_to=` (ISO dates), `?province=` (id), `?service=`.
    """

    serializer_class = StrictSerializer
    pagination_class = None

    @extend_schema(
        summary="Referral figures of the whole committee",
        parameters=[CoordinationQuery],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403)},
    )
    def list(self, request: Request) -> Response:
        query = parse(CoordinationQuery, _query(request))
        filters = selectors.CoordinationFilters(
            sent_from=query.get("sent_from"),
            sent_to=query.get("sent_to"),
            province=query.get("province"),
            service=query.get("service", ""),
        )
        figures = selectors.coordination_figures(actor=request.user, filters=filters)
        return Response(vars(figures))


def register(router: Any) -> None:
    """Add the referral endpoints to the API router."""
    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("exchange-packages", ExchangePackageViewSet, basename="exchange-package")
    router.register("pathways", PathwayViewSet, basename="pathway")
    router.register("my-work", WorkViewSet, basename="my-work")
    router.register("referral-coordination", CoordinationViewSet, basename="referral-coordination")
