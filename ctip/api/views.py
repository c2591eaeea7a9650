"""API endpoints that belong to no domain app: exchanging a password for a token; JSON 404s."""

import functools
from pathlib import Path
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .base import StrictSerializer, errors, parse


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=256, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        max_length=16,
        required=False,
        write_only=True,
        help_text="The current code of the user's authenticator app (required unless one-time "
        "codes are turned off, as in tests).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as the header `Authorization: Token <token>`.")


class TokenView(APIView):
    """Exchange a username, password and one-time code for the user's API token.

    A token opens the API without the web's code step, so the code is asked for here: the
    token is worth no more than a full sign-in.
    """

    # Credentials are in the body: no session (and so no CSRF) or token is needed to ask.
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **errors(400)},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = parse(TokenRequestSerializer, request.data)
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            services.token_sign_in_failed(username=data["username"])
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with this username and password.")]}
            )
        services.token_second_factor(user=user, code=data.get("otp_token", ""))
        token = services.token_sign_in(user=user)
        return Response({"token": token.key})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404, except under /api/ where clients read JSON: an id the URL patterns do
    not accept (`/api/v1/cases/-5/`) answers like an id that names nothing."""
    # The statistics API (/stats/api/, public releases) answers JSON the same way.
    if request.path.startswith(("/api/", "/stats/api/")):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return page_not_found(request, exception)


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# ReDoc's sidebar shows a logo it fetches from its maker's CDN, which the Content-Security-
# Policy blocks (ctip fetches nothing from other hosts, and a reader's address should not go
# there either): the bundle served here shows an empty image from a data: URL instead.
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = (
    b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
)


@functools.cache
def redoc_bundle() -> bytes:
    """The ReDoc bundle of drf-spectacular-sidecar with the CDN logo replaced (read once)."""
    found = finders.find(REDOC_BUNDLE)
    if not found:
        raise FileNotFoundError(REDOC_BUNDLE)
    return Path(str(found)).read_bytes().replace(REDOC_LOGO, EMPTY_IMAGE)


@extend_schema(exclude=True)  # a documentation page, not an endpoint of the API
class RedocView(SpectacularRedocView):
    """The ReDoc page; `?bundle` answers its script (as Swagger UI's ?script), with the logo
    from another host taken out."""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if "bundle" in request.GET:
            response = HttpResponse(redoc_bundle(), content_type="text/javascript; charset=utf-8")
            response["Cache-Control"] = "private, max-age=3600"
            return response
        return super().get(request, *args, **kwargs)
