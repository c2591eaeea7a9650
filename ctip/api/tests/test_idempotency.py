"""Idempotency-Key: a retried POST replays its first answer and creates nothing twice."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from ctip.api.models import IdempotentRequest
from ctip.api.services import token_issue
from ctip.registry.models import Case

pytestmark = pytest.mark.django_db

NEW_CASE = {
    "kind": "forced_criminality",
    "source": "operation",
    "province": "KH-18",
    "opened_on": "2024-03-02",
    "summary": "Raid on an online-scam compound.",
}


@pytest.fixture
def api(make_member: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    officer = make_member("case_officer", "PAHT-12")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=None, user=officer).key}")
    return client


def _post(api: APIClient, body: dict[str, Any], key: str | None = "k-1") -> Any:
    extra: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/api/v1/cases/", body, format="json", **extra)


def test_a_retry_with_the_same_key_replays_the_answer_and_creates_nothing(api) -> None:
    first = _post(api, NEW_CASE)
    again = _post(api, NEW_CASE)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1
    # The remembered answer names the case, so it is sealed, not kept in clear.
    stored = IdempotentRequest.objects.get()
    assert first.json()["reference"] not in stored.body


def test_the_same_key_with_another_body_is_refused(api) -> None:
    _post(api, NEW_CASE)
    other = _post(api, {**NEW_CASE, "summary": "Another case."})
    assert other.status_code == 422
    assert Case.objects.count() == 1


def test_without_a_key_each_post_creates(api) -> None:
    _post(api, NEW_CASE, key=None)
    _post(api, NEW_CASE, key=None)
    assert Case.objects.count() == 2


def test_a_request_that_fails_after_writing_keeps_nothing_and_the_retry_creates_once(
    api, monkeypatch
) -> None:
    """The crash between storing a case and answering: the case and the key commit together
    or not at all, so the client's retry cannot make a duplicate."""
    from ctip.registry.api import cases

    original = cases.render_case

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the worker died before answering")

    monkeypatch.setattr(cases, "render_case", crash)
    assert _post(api, NEW_CASE).status_code == 500
    assert Case.objects.count() == 0
    monkeypatch.setattr(cases, "render_case", original)
    assert _post(api, NEW_CASE).status_code == 201
    assert Case.objects.count() == 1


def test_a_malformed_key_is_a_400(api) -> None:
    assert _post(api, NEW_CASE, key="x" * 256).status_code == 400
    assert Case.objects.count() == 0
