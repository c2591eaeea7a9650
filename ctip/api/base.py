"""Plumbing every app's api.py shares: strict payloads, selector-backed viewsets, error docs.

This module imports no ctip app, so that any app's api.py may build on it without an upward
dependency on the api app's routes.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets

T = TypeVar("T")


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not declare, naming each one.

    DRF drops unknown keys silently; a client that misspells `opened_on` would then believe it
    had set it. Refusing them also stops mass assignment of fields the API does not offer.
    """

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[Any]] = {}
        if isinstance(data, dict):
            # The browsable API's HTML forms carry Django's CSRF token beside the fields.
            names = set(data) - set(self.fields) - {"csrfmiddlewaretoken"}
            unknown = {name: [_("Unknown field.")] for name in sorted(names)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            # One answer names every problem: unknown fields and bad values together.
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - services write, not us
        raise NotImplementedError("Input serializers only validate; a service writes.")

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("Input serializers only validate; a service writes.")


def parse(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> Any:
    """Validate a payload or query string with an input serializer; 400 naming fields if bad."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def resolve(field: str, lookup: Callable[[], T]) -> T:
    """Fetch a record named in a payload through a selector; unknown or hidden → 400 on field.

    A selector answers Http404 alike for records that do not exist and for records the actor
    may not see, so the answer reveals nothing either way.
    """
    try:
        return lookup()
    except Http404 as error:
        raise serializers.ValidationError({field: [str(error) or _("Not found.")]}) from error


class SelectorViewSet(viewsets.GenericViewSet):
    """A viewset whose actions read through selectors with the acting user, never through a
    view-level queryset, and name the serializers they parse and render with."""

    filter_backends: list[Any] = []
    # Serializers by action, for the browsable API's forms and nothing else.
    serializer_classes: dict[str, type[serializers.BaseSerializer]] = {}

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        chosen = self.serializer_classes.get(self.action or "", self.serializer_class)
        assert chosen is not None, f"{type(self).__name__} names no serializer_class"
        return chosen

    def get_queryset(self) -> Any:
        # The browsable API asks every list view for a queryset to draw filter forms with.
        # There are no filter backends here, so nothing ever reads from it.
        return []


# What error bodies look like, for the OpenAPI schema.
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each key names a field of the request (or non_field_errors).",
    # Messages by field; a list or mapping field has them by item index or key instead.
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
    "example": {"opened_on": ["The date 2099-01-01 is in the future."]},
}


class ErrorDetailSerializer(serializers.Serializer):
    """The body of a 401, 403 or 404 answer."""

    detail = serializers.CharField()


DETAIL_SCHEMA = ErrorDetailSerializer
BAD_REQUEST = OpenApiResponse(FIELD_ERRORS_SCHEMA, description="Invalid input, by field.")
UNAUTHENTICATED = OpenApiResponse(DETAIL_SCHEMA, description="No or invalid credentials.")
FORBIDDEN = OpenApiResponse(DETAIL_SCHEMA, description="Not allowed for this user.")
NOT_FOUND = OpenApiResponse(
    DETAIL_SCHEMA, description="No such record, or not visible to this user."
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers an endpoint can give, for extend_schema(responses=...)."""
    table = {400: BAD_REQUEST, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
    return {code: table[code] for code in codes}
