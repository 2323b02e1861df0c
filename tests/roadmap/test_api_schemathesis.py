"""Property-based tests of the whole API against the schema it serves (schemathesis): an
editor with a personal token sends generated requests, valid and invalid, to every
operation; none may end in a server error, and every answer must be one the schema
declares (status code, content type, headers, body).

`make test` sends a bounded number of generated requests per operation (about 3,000 in
all, about a minute). For a long run, raise WAYMARK_API_FUZZ_EXAMPLES and set
WAYMARK_API_FUZZ_COVERAGE=1 to add schemathesis's coverage phase (boundary values and
invalid variants of every parameter, about 85 cases per operation):

    WAYMARK_API_FUZZ_EXAMPLES=50 WAYMARK_API_FUZZ_COVERAGE=1 .venv/bin/pytest tests/roadmap/test_api_schemathesis.py

The case count is reported at the end of the run."""

import os
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from feedback import services as feedback_services
from releases import services as release_services
from strategy import services

from .conftest import schemathesis_cases

MAX_EXAMPLES = int(os.environ.get("WAYMARK_API_FUZZ_EXAMPLES", "30"))
COVERAGE = os.environ.get("WAYMARK_API_FUZZ_COVERAGE") == "1"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection(db):
    # Requests run in-process, inside the test's transaction; as Django's test client does,
    # keep the handler from closing that connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(editor, product):
    # Something to find behind the ids the tests generate, next to the many that are not there.
    release = release_services.release_create(
        actor=editor, product=product, name="Spring", start_date=date(2026, 3, 1), release_date=date(2026, 3, 31))
    release_services.feature_create(actor=editor, product=product, title="Saved carts", release=release)
    goal = services.goal_create(actor=editor, workspace=product.workspace, product=product, name="Grow",
                                start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    services.key_result_create(actor=editor, goal=goal, name="Shoppers", start_value=Decimal(0),
                               target_value=Decimal(100))
    services.initiative_create(actor=editor, product=product, name="Onboarding")
    customer = feedback_services.customer_create(actor=editor, workspace=product.workspace, name="Initech",
                                                 annual_revenue=Decimal(50000))
    contact = feedback_services.contact_create(actor=editor, customer=customer, name="Ann", email="ann@initech.test")
    idea = feedback_services.idea_create(actor=editor, product=product, title="Export to CSV")
    feedback_services.vote_add(actor=editor, idea=idea, contact=contact)
    feedback_services.note_create(actor=editor, product=product, text="We need CSV", date=date(2026, 3, 2),
                                  customer=customer, ideas=[idea])
    _token, secret = services.api_token_create(actor=editor, name="schemathesis")
    return secret


CONFIG = schemathesis.Config.from_dict({
    "generation": {"allow-x00": True},
    "phases": {"coverage": {"enabled": COVERAGE}},
})
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_api_answer_is_one_the_schema_declares(case, editor_token):
    schemathesis_cases.append(case.operation.label)
    if case.path_parameters and "ws" in case.path_parameters:
        # The editor's workspace, where the records are (other workspaces: tests/roadmap/test_api_scoping.py).
        case.path_parameters["ws"] = "acme"
    case.call_and_validate(headers={"Authorization": f"Bearer {editor_token}"}, checks=CHECKS)
