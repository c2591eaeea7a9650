"""Serializer fields of the registry API that name reference records by their codes."""

from typing import Any

from rest_framework import serializers

from ctip.access.selectors import agency_list
from ctip.reference.models import Country, Province

# Query parameters that belong to paging and content negotiation, not to filters.
PAGING_PARAMS = frozenset({"page", "page_size", "format"})


def code_field(slug_field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    """A reference record rendered as its code."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


def province_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        **{
            "help_text": "ISO 3166-2:KH code, e.g. KH-12 (see /api/v1/provinces/).",
            **kwargs,
        },
    )


def agency_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=agency_list(),
        **{"help_text": "Agency code (see /api/v1/agencies/).", **kwargs},
    )


def country_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="alpha3",
        queryset=Country.objects.all(),
        **{"help_text": "ISO 3166-1 alpha-3 code (see /api/v1/countries/).", **kwargs},
    )


def codes_field(**kwargs: Any) -> serializers.ListField:
    """A list of vocabulary codes; the service checks them against the vocabulary."""
    return serializers.ListField(child=serializers.CharField(max_length=80), **kwargs)
