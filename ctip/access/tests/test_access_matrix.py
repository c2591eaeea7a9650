"""The access matrix: every URL x every role x every relation, against the rule table.

Generated from the URL configuration (so the API router and the admin are included): a URL
added without a rule in access_rules.ACCESS_RULES fails test_every_url_has_a_rule.
"""

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ctip.access.testing import verified_login

from .access_rules import (
    ACCESS_RULES,
    ADMIN_LOGIN,
    ANONYMOUS,
    DEFAULT_ARGS,
    LOGIN,
    REDIRECT,
    Rule,
)
from .world import RELATIONS, ROLES, build_world
from .world_apps import app_objects, published_release


@dataclass(frozen=True)
class Endpoint:
    key: str  # "namespace:name", or "route:<route>" for an unnamed pattern
    name: str
    route: str
    params: tuple[str, ...]


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the project, once per name."""
    found: dict[str, Endpoint] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = namespace + pattern.name if pattern.name else ""
                key = name or f"route:{route}"
                params = tuple(pattern.pattern.regex.groupindex)
                found.setdefault(key, Endpoint(key, name, route, params))

    walk(get_resolver().url_patterns, "", "")
    return sorted(found.values(), key=lambda e: e.key)


def rule_for(key: str) -> Rule | None:
    if key in ACCESS_RULES:
        return ACCESS_RULES[key]
    matches = [k for k in ACCESS_RULES if "*" in k and fnmatchcase(key, k)]
    return ACCESS_RULES[max(matches, key=len)] if matches else None


ENDPOINTS = endpoints()


def test_every_url_has_a_rule():
    missing = [e.key for e in ENDPOINTS if rule_for(e.key) is None]
    assert not missing, (
        "URLs without an access rule (add them to ctip/access/tests/access_rules.py): "
        + ", ".join(missing)
    )


def _outcome_matches(response, expected) -> bool:
    location = response.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and location.startswith(reverse("login"))
    if expected == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith(reverse("admin:login"))
    if expected == REDIRECT:
        return response.status_code == 302 and not location.startswith(reverse("login"))
    return response.status_code == expected


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole matrix, built once and rolled back at the end of the module.

    Each test's own transaction (pytest-django's) nests inside this one, and each request
    runs in a savepoint of its own that is rolled back, so no request sees another's writes.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        # The referral, package, task and release objects too, outside any request's
        # savepoint: built inside one, they would vanish with its rollback.
        app_objects(world)
        published_release(world)
        yield world
        transaction.set_rollback(True)


def _url(endpoint: Endpoint, rule: Rule, world, role: str, relation: str) -> str:
    if rule.path:
        url = rule.path
    elif not endpoint.name:
        url = "/" + re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: DEFAULT_ARGS.get(m[1], "1"), endpoint.route
        )
    else:
        kwargs = {p: DEFAULT_ARGS.get(p, "1") for p in endpoint.params}
        if rule.args:
            kwargs |= rule.args(world, role, relation)
        url = reverse(endpoint.name, kwargs=kwargs)
    return f"{url}?{rule.query}" if rule.query else url


def _request(client: Client, rule: Rule, url: str, world, role: str, relation: str):
    """One request, in a savepoint rolled back afterwards (with whatever it wrote)."""
    with transaction.atomic():
        if rule.prepare:
            rule.prepare(world, role, relation)
        call = getattr(client, rule.method)
        if rule.data is None:
            response = call(url)
        elif url.startswith("/api/"):
            response = call(url, rule.data(world, role, relation), content_type="application/json")
        elif rule.method == "post":
            response = call(url, rule.data(world, role, relation))
        else:
            response = call(url, urlencode(rule.data(world, role, relation)))
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.key for e in ENDPOINTS])
def test_access_matrix(endpoint: Endpoint, world, settings) -> None:
    settings.CTIP_REQUIRE_OTP = True
    settings.AXES_ENABLED = True
    main_rule = rule_for(endpoint.key)
    if main_rule is None:
        pytest.fail(f"no access rule for {endpoint.key}")
    clients: dict[str, Client] = {ANONYMOUS: Client()}
    for role in ROLES:
        clients[role] = Client()
        verified_login(clients[role], world.actors[role])
    failures = []
    for rule in (main_rule, *main_rule.also):
        for role in [ANONYMOUS, *ROLES]:
            for relation in RELATIONS if rule.per_relation else ["any"]:
                # Anonymous visitors try the case officer's records.
                as_role = role if role != ANONYMOUS else "case_officer"
                url = _url(endpoint, rule, world, as_role, relation)
                response = _request(clients[role], rule, url, world, as_role, relation)
                expected = rule.expect(role, relation)
                if not _outcome_matches(response, expected):
                    failures.append(
                        f"{role:>14} {relation:<14} {rule.method.upper()} {url}: expected "
                        f"{expected}, got {response.status_code} {response.get('Location', '')}"
                    )
    assert not failures, "\n" + "\n".join(failures)


# Every write whose body names records by id, with the fields that hold them.
BODY_ID_RULES = [
    (endpoint, rule)
    for endpoint in ENDPOINTS
    if (main := rule_for(endpoint.key)) is not None
    for rule in (main, *main.also)
    if rule.id_fields
]
UNKNOWN_ID = 2_000_000_000


def test_every_write_that_names_a_record_in_its_body_is_checked_for_existence_leaks():
    """A POST rule tried per relation because its body names records must say which fields
    hold ids, so that the test below covers it."""
    unchecked = [
        endpoint.key
        for endpoint in ENDPOINTS
        if (main := rule_for(endpoint.key)) is not None
        for rule in (main, *main.also)
        if rule.relational and rule.method == "post" and not rule.id_fields
    ]
    assert not unchecked, unchecked
    assert {e.key for e, _rule in BODY_ID_RULES} >= {
        "participant-list",
        "victim-profile-list",
        "event-list",
        "arrest-list",
        "proceeding-list",
        "referral-list",
        "task-list",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "rule"),
    BODY_ID_RULES,
    ids=[f"{e.key}-{r.method}" for e, r in BODY_ID_RULES],
)
def test_unknown_and_hidden_ids_in_a_body_get_the_same_answer(
    endpoint: Endpoint, rule: Rule, world, settings
) -> None:
    """An id of a record the caller may not see gets exactly the answer (status and body)
    of an id that exists nowhere, field by field, with the body's other records visible:
    the API must not tell a stranger which records exist."""
    settings.CTIP_REQUIRE_OTP = True
    role = "case_officer"
    client = Client()
    verified_login(client, world.actors[role])
    url = _url(endpoint, rule, world, role, "own")
    assert rule.data is not None
    for name in rule.id_fields:
        answers = []
        for replacement in ("hidden", "unknown"):
            with transaction.atomic():
                if rule.prepare:
                    rule.prepare(world, role, "own")
                    rule.prepare(world, role, "other_agency")
                body = rule.data(world, role, "own")
                hidden = rule.data(world, role, "other_agency")[name]
                body[name] = hidden if replacement == "hidden" else UNKNOWN_ID
                response = client.post(url, body, content_type="application/json")
                transaction.set_rollback(True)
            answers.append((response.status_code, response.json()))
        assert answers[0] == answers[1], (name, answers)
        assert answers[0][0] == 400 and name in answers[0][1], (name, answers)
