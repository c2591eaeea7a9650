"""Inputs that once made the API answer 500: each must be a clear 4xx that changes nothing."""

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_member: Any) -> APIClient:
    user = make_member("case_officer", "PAHT-12")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/exchange-packages/abc/",
        "/api/v1/exchange-packages/abc/updates/",
        "/api/v1/pathways/abc/",
        "/api/v1/referrals/abc/",
        "/api/v1/tasks/abc/",
        "/api/v1/cases/abc/",
    ],
)
def test_non_numeric_ids_are_not_found(api: APIClient, url: str) -> None:
    assert api.get(url).status_code == 404


def test_deeply_nested_json_is_a_clear_400(api: APIClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    answer = api.generic("POST", "/api/v1/cases/", body, content_type="application/json")
    assert answer.status_code == 400
    assert "nested" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/cases/?province=KH%0012", None),
        ("GET", "/api/v1/cases/?x%00=1", None),
        ("POST", "/api/v1/cases/", '{"province": "KH-\\u000012", "kind": "other"}'),
        ("POST", "/api/v1/cases/", '{"a\\u0000": 1}'),
    ],
)
def test_nul_characters_are_a_400_on_every_database(
    api: APIClient, method: str, url: str, body: str | None
) -> None:
    """PostgreSQL cannot compare text holding NUL: a looked-up code once raised DataError."""
    answer = api.generic(method, url, body or "", content_type="application/json")
    assert answer.status_code == 400
    assert "Null characters" in str(answer.json())
