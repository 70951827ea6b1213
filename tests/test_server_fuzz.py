"""The city server under schemathesis: whatever a client sends, a 4xx or a 2xx, never a 5xx.

Each run fuzzes every operation of the server's own OpenAPI document, on SQLite and on the
real PostgreSQL, as a stranger (whatever credentials schemathesis makes up), as an enrolled
device and as the admin. Checks: no 5xx, status codes and bodies as the document says, and a
refused request leaves the server's stats (what ``kiosk server stats`` prints) unchanged.
The number of examples is bounded and the generation derandomized, so CI sees the same
requests every run (issue 10, "Server and LAN API").
"""

from __future__ import annotations

import base64
import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from server_support import ADMIN, pg_schema_url
from sync import protocol
from sync.server import auth, create_app
from sync.server.app import issue_enroll_token

#: Examples per operation, mode and run (13 operations, 2 modes, 6 runs): under a minute.
EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@dataclass
class Target:
    """One server under test and the credentials this run sends."""

    app: object
    headers: dict[str, str]

    def stats(self) -> dict:
        """What ``kiosk server stats`` prints (the same store call)."""
        return self.app.state.sync.store.stats()


def _enrolled_device(store) -> str:
    """A device of office K1 enrolled through the store; its access token."""
    now = int(time.time() * 1000)
    store.add_office("K1", "Kelurahan Satu", "WITA", "", now)
    store.add_office("K2", "Kelurahan Dua", "WIB", "", now)
    token = issue_enroll_token(store, "K1", now).token
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    device_id = f"fuzz-{uuid.uuid4().hex[:8]}"
    store.enroll(auth.hash_token(token), device_id, base64.b64encode(raw).decode(), now)
    expires = now + protocol.ACCESS_TOKEN_TTL_S * 1000
    return auth.issue_access_token(store.token_secret, device_id, expires)


@contextlib.contextmanager
def _db(engine: str, tmp_path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path}/server.db"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture(params=[(engine, who) for engine in ("sqlite", "postgres")
                        for who in ("stranger", "device", "admin")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def target(request, tmp_path) -> Iterator[Target]:
    from schemathesis.python.asgi import shutdown_lifespans

    engine, who = request.param
    with _db(engine, tmp_path) as url:
        app = create_app(url, admin_token=ADMIN)
        device_token = _enrolled_device(app.state.sync.store)
        headers = {"stranger": {}, "device": {"Authorization": f"Bearer {device_token}",
                                              protocol.PROTOCOL_HEADER: "1"},
                   "admin": {"Authorization": f"Bearer {ADMIN}"}}[who]
        try:
            yield Target(app, headers)
        finally:
            # schemathesis started the app's lifespan (its loop pool); end it before the
            # database goes away.
            shutdown_lifespans()
            app.state.sync.store.close()


def _operations(app) -> list:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_city_server_never_answers_5xx(target: Target):
    """Each operation: valid and invalid examples (schemathesis' positive and negative
    modes). schemathesis' own pytest plugin (``from_fixture``) does not run under pytest 9,
    hence hypothesis' ``given`` over each operation's strategy here."""
    operations = _operations(target.app)
    assert len(operations) >= 13
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(target, operation.as_strategy(generation_mode=mode))
            except Unsatisfiable:
                # Nothing to make invalid (GET /sync/meta takes no input).
                assert mode is GenerationMode.NEGATIVE, operation.label


def _fuzz(target: Target, strategy) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case) -> None:
        case.headers = {**(case.headers or {}), **target.headers}
        before = target.stats()
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert target.stats() == before, (case.method, case.path, response.status_code)

    run()
