"""REST endpoints of the referrals app: referrals and their transitions, tasks, exchange
packages, a victim's pathway, the owner's work list and the coordination figures."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.access.models import Agency
from ctip.registry.models import Case
from ctip.registry.selectors import case_get, participant_get

from . import selectors, services
from .choices import Transition
from .models import ExchangePackage, Referral, Task


def _call(work: Callable[[], Any]) -> Any:
    """Run a service; its field errors become a 400 answer naming the fields."""
    try:
        return work()
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise ValidationError(detail) from exc


class EmptySerializer(serializers.Serializer):
    """No body."""


ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)


class ReferralSerializer(serializers.ModelSerializer):
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


class ReferralSendSerializer(serializers.Serializer):
    participant = serializers.IntegerField()
    to_agency = serializers.CharField(help_text="agency code or id")
    service = serializers.CharField()
    from_agency = serializers.CharField(required=False, allow_blank=True)
    shares_identity = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    deadline_stamp = serializers.CharField(required=False, allow_null=True, default=None)


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    """Referrals on cases you may see. `?box=inbox|outbox`, `?status=`, `?service=`, `?overdue=1`.

    POST creates (sends) one; POST to /accept/, /decline/, /start/, /complete/, /close/ moves it.
    """

    serializer_class = ReferralSerializer
    filter_backends: list[Any] = []
    queryset = Referral.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.referral_list(
            actor=self.request.user,
            filters=selectors.ReferralFilters(
                box=params.get("box", "all"),
                status=params.get("status", ""),
                service=params.get("service", ""),
                overdue=params.get("overdue") == "1",
            ),
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = selectors.referral_get(actor=request.user, pk=int(kwargs["pk"]))
        return Response(ReferralSerializer(referral).data)

    def create(self, request: Request) -> Response:
        incoming = ReferralSendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        participant = participant_get(actor=request.user, pk=data["participant"])
        from_agency = None
        if data.get("from_agency"):
            from_agency = Agency.objects.filter(code=data["from_agency"]).first()
            if from_agency is None:
                raise ValidationError({"from_agency": ["There is no such agency."]})
        referral = _call(
            lambda: services.referral_send(
                actor=request.user,
                participant=participant,
                to_agency=data["to_agency"],
                service=data["service"],
                from_agency=from_agency,
                shares_identity=data["shares_identity"],
                note=data["note"],
                deadline_stamp=data["deadline_stamp"],
            )
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _move(self, request: Request, pk: str, transition: str) -> Response:
        referral = get_object_or_404(selectors.referral_queryset(actor=request.user), pk=pk)
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        kwargs: dict[str, Any] = {}
        if transition in (Transition.DECLINE, Transition.CLOSE):
            kwargs["reason"] = incoming.validated_data["reason"]
        if transition == Transition.COMPLETE:
            kwargs["outcome"] = incoming.validated_data["outcome"]
        moved = _call(
            lambda: services.TRANSITION_SERVICES[transition](
                actor=request.user, referral=referral, **kwargs
            )
        )
        return Response(ReferralSerializer(moved).data)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def accept(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, Transition.ACCEPT)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def decline(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, Transition.DECLINE)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def start(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, Transition.START)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def complete(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, Transition.COMPLETE)

    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def close(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, Transition.CLOSE)

    @action(detail=True, methods=["post"], serializer_class=EmptySerializer)
    def exchange(self, request: Request, pk: str) -> Response:
        """Prepare the exchange package of a repatriation referral to a foreign partner."""
        referral = get_object_or_404(selectors.referral_queryset(actor=request.user), pk=pk)
        package = _call(
            lambda: services.exchange_package_create(actor=request.user, referral=referral)
        )
        return Response(ExchangePackageSerializer(package).data, status=status.HTTP_201_CREATED)


class TaskSerializer(serializers.ModelSerializer):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())
    owner_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())

    class Meta:
        model = Task
        fields = ["id", "case", "referral", "title", "service", "owner_agency", "due_on", "status"]
        read_only_fields = ["id", "status"]
        extra_kwargs = {"due_on": {"required": False}, "referral": {"required": False}}


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Open tasks of your agencies (or assigned to you); POST adds one; POST /done/ finishes it."""

    serializer_class = TaskSerializer
    filter_backends: list[Any] = []
    queryset = Task.objects.none()  # for the schema only; get_queryset scopes every request

    def get_queryset(self) -> Any:
        return selectors.task_list(actor=self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # One task is readable wherever its case is (and once done), not only in your list.
        task = selectors.task_get(actor=request.user, pk=int(kwargs["pk"]))
        return Response(TaskSerializer(task).data)

    def create(self, request: Request) -> Response:
        incoming = TaskSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        case = case_get(actor=request.user, pk=data["case"].pk)
        task = _call(
            lambda: services.task_create(
                actor=request.user,
                case=case,
                title=data["title"],
                owner_agency=data["owner_agency"],
                service=data.get("service", ""),
                due_on=data.get("due_on"),
                referral=data.get("referral"),
            )
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=EmptySerializer)
    def done(self, request: Request, pk: str) -> Response:
        task = selectors.task_get(actor=request.user, pk=int(pk))
        return Response(
            TaskSerializer(
                _call(lambda: services.task_complete(actor=request.user, task=task))
            ).data
        )


class ExchangeUpdateSerializer(serializers.Serializer):
    status = serializers.CharField()
    occurred_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExchangePackageSerializer(serializers.ModelSerializer):
    updates = serializers.SerializerMethodField()

    class Meta:
        model = ExchangePackage
        fields = ["id", "referral", "status", "fields_shared", "payload", "created_at", "updates"]
        read_only_fields = fields

    def get_updates(self, package: ExchangePackage) -> list[dict[str, Any]]:
        return [
            {"status": u.status, "occurred_on": u.occurred_on.isoformat(), "note": u.note}
            for u in package.updates.all()
        ]


class ExchangePackageViewSet(viewsets.GenericViewSet):
    """An exchange package (HTCDS record of consented fields) and its hand-entered updates."""

    serializer_class = ExchangePackageSerializer
    queryset = ExchangePackage.objects.none()

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        package = selectors.exchange_package_get(actor=request.user, pk=int(pk))
        return Response(ExchangePackageSerializer(package).data)

    @action(detail=True, methods=["post"], serializer_class=ExchangeUpdateSerializer)
    def updates(self, request: Request, pk: str) -> Response:
        package = selectors.exchange_package_get(actor=request.user, pk=int(pk))
        incoming = ExchangeUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _call(
            lambda: services.exchange_update_add(
                actor=request.user, package=package, **incoming.validated_data
            )
        )
        package.refresh_from_db()
        return Response(ExchangePackageSerializer(package).data, status=status.HTTP_201_CREATED)


class PathwayViewSet(viewsets.ViewSet):
    """A victim's service pathway: /api/v1/pathways/<participant id>/."""

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
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


class WorkViewSet(viewsets.ViewSet):
    """Your overdue and soon-due referrals and tasks, and those of agencies you supervise."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        board = selectors.work_dashboard(actor=request.user)
        return Response(
            {
                "today": board.today,
                "own": _work(board.own),
                "supervised": _work(board.supervised) if board.supervised else None,
            }
        )


class CoordinationViewSet(viewsets.ViewSet):
    """Committee-wide referral figures, for the secretariat and analysts.

    Filters: `?sent_from=&sent_to=` (ISO dates), `?province=` (id), `?service=`.
    """

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Response:
        import datetime

        params = request.query_params
        try:
            filters = selectors.CoordinationFilters(
                sent_from=datetime.date.fromisoformat(params["sent_from"])
                if params.get("sent_from")
                else None,
                sent_to=datetime.date.fromisoformat(params["sent_to"])
                if params.get("sent_to")
                else None,
                province=int(params["province"]) if params.get("province") else None,
                service=params.get("service", ""),
            )
        except ValueError as exc:
            raise ValidationError({"filters": [str(exc)]}) from exc
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
