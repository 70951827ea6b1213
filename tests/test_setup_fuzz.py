"""Schemathesis against the kiosk's setup service (provisioning/service.py): bounded,
derandomized, like tests/test_lan_fuzz.py. A real service (uvicorn on loopback, in a thread)
on a fresh data directory: no 5xx, statuses and bodies as its OpenAPI document says, and
nothing a stranger sends configures, resets or pairs the kiosk."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provisioning.channel import PairedLaptops
from provisioning.service import create_setup_app, default_state, start_setup_service

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
BOUNDED = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))



@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    resets = []
    state = default_state(tmp_path_factory.mktemp("kiosk"))
    state.reset = lambda force=False: resets.append(1) or {"reset": True}
    service = start_setup_service(state, host="127.0.0.1", port=0)
    yield state, service, resets
    service.stop()


import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

with tempfile.TemporaryDirectory() as _dir:
    schema = schemathesis.openapi.from_dict(
        create_setup_app(default_state(Path(_dir))).openapi())


@schema.parametrize()
@BOUNDED
def test_no_5xx_and_nothing_changes(case, kiosk):
    state, service, resets = kiosk
    case.call_and_validate(base_url=service.url, checks=CHECKS)
    assert not state.provisioned
    assert resets == []
    assert PairedLaptops(state.data_dir).list() == []


def test_the_document_lists_the_refusals():
    paths = schema.raw_schema["paths"]
    assert {"/health", "/setup/info", "/pair/start", "/pair/finish", "/setup/configure",
            "/setup/diagnostics", "/setup/reset"} <= set(paths)
    assert "429" in paths["/pair/start"]["post"]["responses"]
    assert "401" in paths["/setup/reset"]["post"]["responses"]
