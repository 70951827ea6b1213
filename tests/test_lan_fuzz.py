"""Schemathesis against the edge's LAN API (issue 10 items 2, 5, 6): bounded, derandomized.

A real edge (uvicorn on loopback, in a thread) over a real demo database per test; the
cases come from the OpenAPI document the app publishes (``/lan/openapi.json``; built once at
import, no database needed for that; ``from_fixture`` does not run on pytest 9). With the token: no 5xx,
every status and body as the published OpenAPI document (``/lan/openapi.json``) says, and a
refused request (4xx) changes nothing in the queue. Without it: every request is a 401 and the
queue is untouched. The event stream never ends by itself, so it is left out here and tested
directly in tests/test_lan_hardening.py and tests/test_lan_watch.py.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kiosk.cli.compose import office_features
from sync.lan.server import openapi_document
from tests.lan_support import TOKEN, edge_in_thread

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
BOUNDED = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def queue_state(rt) -> tuple:
    """Everything a request could have changed: the outbox holds every write."""
    return (rt.db.execute("SELECT count(*), max(seq) FROM outbox").fetchone(),
            rt.db.execute("SELECT count(*) FROM queue_events").fetchone())


@pytest.fixture
def edge(runtime):
    with edge_in_thread(runtime) as server:
        yield server


schema = schemathesis.openapi.from_dict(openapi_document(office_features())).exclude(path="/lan/events")


@schema.parametrize()
@BOUNDED
def test_with_the_token_no_5xx_and_refusals_change_nothing(case, runtime, edge):
    before = queue_state(runtime)
    response = case.call_and_validate(base_url=edge.url, checks=CHECKS,
                                      headers={"Authorization": f"Bearer {TOKEN}"})
    if response.status_code >= 400:
        assert queue_state(runtime) == before, (case.method, case.path, response.status_code)


@schema.parametrize()
@BOUNDED
def test_without_the_token_everything_is_401_and_nothing_changes(case, runtime, edge):
    before = queue_state(runtime)
    headers = {"Authorization": "Bearer not-the-office-token-0000"}
    response = case.call_and_validate(base_url=edge.url, headers=headers, checks=CHECKS)
    if case.path != "/lan/hello":
        assert response.status_code == 401, (case.method, case.path, response.text)
    assert queue_state(runtime) == before


def test_the_openapi_document_lists_real_status_codes():
    features = office_features()
    paths = openapi_document(features)["paths"]
    writes = {(op.method.lower(), "/lan" + f.prefix + op.path)
              for f in features for op in f.ops if op.writes}
    assert writes and "/lan/events" in paths and "/lan/openapi.json" not in paths
    for path, methods in paths.items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert "500" not in codes
            if path != "/lan/hello":
                assert {"200", "401", "503"} <= codes, (method, path)
            if (method, path) in writes:
                assert {"404", "409", "422", "507"} <= codes, (method, path)
    assert writes <= {(m, p) for p, methods in paths.items() for m in methods}


def test_openapi_document_is_served_without_the_token(edge):
    answer = httpx.get(f"{edge.url}/lan/openapi.json")
    assert answer.status_code == 200 and answer.json() == openapi_document(office_features())
