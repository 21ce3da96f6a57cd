"""schemathesis over the whole OpenAPI schema (/api/v1/openapi.json): no server error, and every
response is what the schema says.

Not collected by the ordinary suite (the name does not start with ``test_``); `.ci/run` runs it
on its own: ``python -m pytest tests/schemathesis_run.py``. Bounded and deterministic: a fixed
number of examples per operation (``EXAMPLES``, or ``SCHEMATHESIS_EXAMPLES`` in the
environment), Hypothesis derandomised (a fixed seed), no example database. Each operation is
called as the committee admin and as a member, with their personal API tokens, on the demo
tree of the personas (tests/conftest.py) plus a few objects so that detail routes find some.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qingyi.accounts.models import ApiToken

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

APP = WSGIHandler()


def _load_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


SCHEMA = _load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def tokens(personas):
    return {
        persona: ApiToken.issue(user=getattr(personas, persona), name="schemathesis")[1]
        for persona in ("committee_admin", "member")
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_operation(operation, tokens, db):
    failures = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        for persona, token in tokens.items():
            response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
            try:
                case.validate_response(response, checks=CHECKS)
            except AssertionError as exc:
                failures.append(f"{persona}: {exc}")
                raise

    run()
