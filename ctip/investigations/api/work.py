"""The investigations endpoints for sanctions hits (read, decide), job advertisements (read,
paste) and FollowTheMoney imports into a case. Thin viewsets (decision 0141)."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.access.choices import Action
from ctip.api.base import SelectorViewSet, errors, parse, resolve

from .. import selectors
from ..ads import selectors as ad_selectors
from ..ads import services as ad_services
from ..ads.rules import flags
from ..ftm.forms import MAX_UPLOAD
from ..ftm.importer import network_import
from ..ftm.reader import bounded_lines
from ..sanctions import selectors as hit_selectors
from ..sanctions import services as hit_services
from .serializers import (
    FtmImportResultSerializer,
    FtmImportSerializer,
    HitDecisionSerializer,
    HitQuery,
    HitSerializer,
    JobAdCreateSerializer,
    JobAdQuery,
    JobAdSerializer,
)
from .views import NewestFirst, filters


class SanctionsHitViewSet(SelectorViewSet):
    """Hits of sanctions screening the reader may see: a suspect's where the suspect is in a
    case the reader sees (not by referral), an identifier's likewise, organisations' to every
    user of the app. Only investigators decide."""

    serializer_class = HitSerializer
    serializer_classes = {"decide": HitDecisionSerializer}
    lookup_value_converter = "int"
    pagination_class = NewestFirst

    @extend_schema(
        summary="List sanctions hits",
        description="`status` pending by default; empty for every status.",
        parameters=[HitQuery],
        responses={200: HitSerializer(many=True), **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        query = parse(HitQuery, filters(request))
        hits = hit_selectors.hit_list(actor=request.user, status=query["status"])
        page = self.paginate_queryset(hits.select_related("decided_by"))
        data = HitSerializer(page, many=True, context={"actor": request.user}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Read a hit and its evidence", responses={200: HitSerializer, **errors(401, 404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        hit = hit_selectors.hit_get(actor=request.user, pk=int(pk))
        return Response(HitSerializer(hit, context={"actor": request.user}).data)

    @extend_schema(
        summary="Decide a hit: confirmed (the same) or dismissed (not the same, say why)",
        request=HitDecisionSerializer,
        responses={200: HitSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: int) -> Response:
        hit = hit_selectors.hit_get(actor=request.user, pk=int(pk))
        data = parse(HitDecisionSerializer, request.data)
        hit = hit_services.hit_decide(
            actor=request.user, hit=hit, decision=data["decision"], note=data.get("note") or ""
        )
        return Response(HitSerializer(hit, context={"actor": request.user}).data)


def _ad_context(ads: list[Any]) -> dict[str, Any]:
    return {"flags": {ad.pk: flags(ad.text) for ad in ads}}


class JobAdViewSet(SelectorViewSet):
    """Job advertisements the reader sees (in their cases, or kept by their agencies outside
    any case), with the red flags of scam-compound recruitment and the words that raised them."""

    serializer_class = JobAdSerializer
    serializer_classes = {"create": JobAdCreateSerializer}
    lookup_value_converter = "int"
    pagination_class = NewestFirst

    @extend_schema(
        summary="List job advertisements",
        description="`flagged=true`: only those with red flags.",
        parameters=[JobAdQuery],
        responses={200: JobAdSerializer(many=True), **errors(400, 401, 404)},
    )
    def list(self, request: Request) -> Response:
        query = parse(JobAdQuery, filters(request))
        ads = ad_selectors.ad_queryset(actor=request.user).prefetch_related(
            "identifiers", "organisations"
        )
        page = list(self.paginate_queryset(ads) or [])
        if query["flagged"]:
            # Flags are worked out from the rules in force, not stored: filtered per page.
            page = [ad for ad in page if flags(ad.text)]
        data = JobAdSerializer(page, many=True, context=_ad_context(page)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Read a job advertisement", responses={200: JobAdSerializer, **errors(401, 404)}
    )
    def retrieve(self, request: Request, pk: int) -> Response:
        found = ad_selectors.ad_get(actor=request.user, pk=int(pk))
        context = {"flags": {found.ad.pk: found.flags}}
        return Response(JobAdSerializer(found.ad, context=context).data)

    @extend_schema(
        summary="Record a job advertisement",
        description="The phones, accounts, e-mail addresses and known organisations in the text "
        "are linked to it. `case`: a case the reader may change; without it the ad is kept by "
        "the reader's agency.",
        request=JobAdCreateSerializer,
        responses={201: JobAdSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        actor = request.user
        ad_selectors.ad_queryset(actor=actor)  # 404 for roles that do not use the app
        data = parse(JobAdCreateSerializer, request.data)
        case = None
        if data.get("case") is not None:
            case = resolve("case", lambda: selectors.case_get(actor=actor, pk=data["case"]))
        ad = ad_services.job_ad_paste(
            actor=actor,
            text=data["text"],
            url=data.get("url") or "",
            service=data.get("service") or "",
            seen_on=data.get("seen_on"),
            case=case,
        )
        return Response(
            JobAdSerializer(ad, context=_ad_context([ad])).data, status=status.HTTP_201_CREATED
        )


class FtmImportViewSet(SelectorViewSet):
    """FollowTheMoney files imported into a case: all of the file or nothing."""

    serializer_class = FtmImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    @extend_schema(
        summary="Import a FollowTheMoney file into a case",
        description="JSON lines (an Aleph or OpenSanctions export, or ctip's own). Persons take "
        "`role` in the case (suspect by default; investigators register suspects only, in cases "
        "their agency owns). A bad file is refused whole, with a message per line naming the "
        "line, the entity and the property.",
        request={"multipart/form-data": FtmImportSerializer},
        responses={201: FtmImportResultSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        actor = request.user
        if not selectors.may_investigate(actor):
            raise Http404(_("Not found."))
        data = parse(FtmImportSerializer, request.data)
        case = resolve(
            "case", lambda: selectors.case_get(actor=actor, pk=data["case"], action=Action.VIEW)
        )
        upload = data["file"]
        if upload.size > MAX_UPLOAD:
            raise serializers.ValidationError({"file": [_("The file is larger than 20 MB.")]})
        counts = network_import(
            actor=actor,
            case=case,
            lines=bounded_lines(upload.file),
            role=data["role"],
            file_name=upload.name or "",
        )
        return Response(FtmImportResultSerializer(counts).data, status=status.HTTP_201_CREATED)
