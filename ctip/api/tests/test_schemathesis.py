"""Schemathesis over the whole OpenAPI schema, in process (WSGI, no network), seeded.

Every operation gets a bounded number of generated requests, signed with a real token of an
officer who has cases to read; every answer must be no server error and must match what the
schema documents (status code, content type, headers, body). Fixed seed and
`derandomize`, so a run is repeatable. Left out is the one heuristic check,
`positive_data_acceptance` (a schema-valid body must be accepted): ids and codes in a body
must name records that exist and that the user may see, which no schema can say, so
generated bodies are rightly refused with a 400 naming the field.
CTIP_SCHEMATHESIS_EXAMPLES raises the count for a deeper local run.
"""

import os
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ctip.api.services import token_issue
from ctip.wsgi import application

EXAMPLES = int(os.environ.get("CTIP_SCHEMATHESIS_EXAMPLES", "12"))

pytestmark = pytest.mark.django_db


def _schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON and back, as a client reads it (lazy translations become text).
    import json

    raw = json.loads(json.dumps(raw, default=str))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = application
    return loaded


@pytest.fixture
def _keep_test_connection() -> Any:
    """Requests go straight to the WSGI app, whose request signals would close the test's
    database connection (it is inside the test's transaction); Django's own test client
    disconnects the same handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_test_connection")
def test_every_operation_answers_as_documented(make_member: Any) -> None:
    call_command("demo_data", cases=25, seed=7, no_progress=True, verbosity=0)
    officer = make_member("case_officer", "PAHT-12")
    headers = {
        "Authorization": f"Token {token_issue(actor=None, user=officer).key}",
        # The in-process client does not inflate what GZipMiddleware compresses.
        "Accept-Encoding": "identity",
    }
    schema = _schema()
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            run()
        except Unsatisfiable:
            continue
        except (Exception, BaseExceptionGroup) as error:  # every failing operation, together
            failures[operation.label] = str(error)[:2000]
    assert operations > 40
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
