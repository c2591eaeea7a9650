"""API endpoints that belong to no domain app: exchanging a password for a token; JSON 404s."""

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema
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
