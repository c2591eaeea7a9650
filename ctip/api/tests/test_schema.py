"""The published OpenAPI schema and the interactive docs served from the project's own files."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema


def signed_in_client(django_user_model: Any) -> Client:
    """The schema and docs are for signed-in staff."""
    client = Client()
    user = django_user_model.objects.create_user(username="reader", password="x-long-password")
    client.force_login(user)
    return client


def test_schema_is_valid_openapi_3_and_lists_the_case_endpoints(
    db: Any, django_user_model: Any
) -> None:
    answer = signed_in_client(django_user_model).get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises when the document breaks the OpenAPI 3 specification
    paths = schema["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/close/",
        "/api/v1/cases/{id}/reopen/",
        "/api/v1/cases/{id}/share/",
        "/api/v1/persons/",
        "/api/v1/proceedings/",
        "/api/v1/auth/token/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/cases/"]) == {"get", "post"}
    assert set(paths["/api/v1/cases/{id}/"]) == {"get", "patch"}
    list_params = {p["name"] for p in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert {"kind", "status", "province", "agency", "opened_from", "opened_to"} <= list_params
    assert {"reference", "ordering", "page", "page_size"} <= list_params
    # Bad input is documented as a 400 keyed by field.
    assert "400" in paths["/api/v1/cases/"]["post"]["responses"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_generates_without_warnings(db: Any, tmp_path: Path) -> None:
    # --fail-on-warn turns every drf-spectacular warning (an untyped field, an enum name
    # clash, a path parameter it cannot type) into an error.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/cases/{id}/close/" in target.read_text()


ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
URL_IN_SCRIPT = re.compile(r"""["'](https?:)?//[^"']+["']""")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_with_local_assets_only(db: Any, django_user_model: Any, url: str) -> None:
    client = signed_in_client(django_user_model)
    answer = client.get(url)
    assert answer.status_code == 200
    page = answer.content.decode()
    assets = ASSET.findall(page)
    # A script is a static .js file, or ReDoc's bundle, which ctip serves itself (?bundle)
    # with the logo it would fetch from another host taken out.
    assert any(a.endswith((".js", "?bundle")) for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by ctip"
        assert not asset.startswith("//"), f"{asset} is on another host"
        if asset.startswith("/static/"):
            name = asset.removeprefix("/static/").split("?")[0]
            assert finders.find(name), f"{name} is not among the static files"
        elif asset.endswith("?bundle"):
            script = client.get(asset)
            assert script.status_code == 200
            assert script["Content-Type"].startswith("text/javascript")
            assert b"cdn.redoc.ly" not in script.content
    assert not URL_IN_SCRIPT.findall(page), "the page names another host"
