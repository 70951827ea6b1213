"""Shared helpers of the city-server tests (tests/test_server_*.py): a fresh database per
test on SQLite and on the real PostgreSQL, and a minimal protocol-speaking device."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import zstandard
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PG_USERS = ("postgres", "root")
PG_HOSTPORT = os.environ.get("KIOSK_TEST_PG_HOSTPORT", "127.0.0.1:5432")
ADMIN = "admin-secret"

_pg_user: str | None | bool = False  # False: not probed yet


def pg_user() -> str | None:
    """The user that reaches the local PostgreSQL (database ``test``), or None."""
    global _pg_user
    if _pg_user is False:
        import psycopg

        _pg_user = None
        for user in PG_USERS:
            try:
                psycopg.connect(f"postgresql://{user}@{PG_HOSTPORT}/test",
                                connect_timeout=3).close()
            except psycopg.OperationalError:
                continue
            _pg_user = user
            break
    return _pg_user


def pg_base_url() -> str:
    user = pg_user()
    if user is None:
        pytest.skip(f"PostgreSQL is unreachable at {PG_HOSTPORT} (database 'test', users "
                    f"{'/'.join(PG_USERS)}, trust auth); start it to run the PostgreSQL tests")
    return f"postgresql://{user}@{PG_HOSTPORT}/test"


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    import psycopg

    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/server.db"
    else:
        with pg_schema_url() as url:
            yield url


def encode(body: Any, encoding: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    if encoding == "zstd":
        return zstandard.ZstdCompressor().compress(raw), {"Content-Encoding": "zstd"}
    if encoding == "gzip":
        return gzip.compress(raw), {"Content-Encoding": "gzip"}
    return raw, {}


class Device:
    """Just enough of a kiosk to talk to the server through an httpx-like client."""

    def __init__(self, client, device_id: str | None = None) -> None:
        self.client = client
        self.id = device_id or f"dev-{uuid.uuid4().hex[:8]}"
        self.key = Ed25519PrivateKey.generate()
        self.token: str | None = None
        self.office_id: str | None = None
        self.seq = 0
        self.boot = "boot-1"

    @property
    def public_key(self) -> str:
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def enroll(self, token: str):
        r = self.client.post("/enroll", json={"token": token, "device_id": self.id,
                                              "public_key": self.public_key},
                             headers={"X-Kiosk-Protocol": "1"})
        if r.status_code == 200:
            self.token = r.json()["access_token"]
            self.office_id = r.json()["office_id"]
        return r

    def renew(self):
        h = {"X-Kiosk-Protocol": "1"}
        r = self.client.post("/auth/challenge", json={"device_id": self.id}, headers=h)
        if r.status_code != 200:
            return r
        nonce = r.json()["nonce"]
        sig = base64.b64encode(self.key.sign(nonce.encode())).decode()
        r = self.client.post("/auth/token", json={"device_id": self.id, "nonce": nonce,
                                                  "signature": sig}, headers=h)
        if r.status_code == 200:
            self.token = r.json()["access_token"]
        return r

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Kiosk-Protocol": "1"}

    def item(self, table: str = "print_jobs", payload: dict | None = None, **over) -> dict:
        self.seq += 1
        record_id = str(uuid.uuid4())
        item = {"change_id": str(uuid.uuid4()), "table": table, "record_id": record_id,
                "op": "upsert", "payload": payload or {"id": record_id, "n": self.seq},
                "device_id": self.id, "device_seq": self.seq, "schema_version": 1,
                "wall_ms": 1_700_000_000_000 + self.seq, "mono_ns": 10**12 + self.seq * 10**6,
                "boot_id": self.boot}
        item.update(over)
        return item

    def push(self, items: list[dict], *, clock: dict | None = None, encoding: str | None = None,
             body: dict | None = None, headers: dict | None = None):
        data, extra = encode(body if body is not None else
                             {"device_id": self.id, "items": items, "clock": clock}, encoding)
        return self.client.post("/sync/push", content=data,
                                headers={**self.headers, "Content-Type": "application/json",
                                         **extra, **(headers or {})})

    def pull(self, scope: str = "reference", cursor: str = "0", limit: int = 500):
        return self.client.get("/sync/pull", params={"scope": scope, "cursor": cursor,
                                                     "limit": limit}, headers=self.headers)

    def pull_all(self, scope: str = "reference", cursor: str = "0", limit: int = 500,
                 *, at_least: int = 0, timeout: float = 15.0) -> tuple[list[dict], str]:
        """Every page from ``cursor``; waits for ``at_least`` changes. On PostgreSQL a change
        is served once every transaction older than it has ended, cluster-wide (another
        database's open transaction delays it; it is never skipped)."""
        changes: list[dict] = []
        deadline = time.monotonic() + timeout
        while True:
            r = self.pull(scope, cursor, limit)
            assert r.status_code == 200, r.text
            page = r.json()
            changes += page["changes"]
            cursor = page["next_cursor"]
            if page["has_more"]:
                continue
            if len(changes) >= at_least or time.monotonic() > deadline:
                return changes, cursor
            time.sleep(0.05)


def admin_headers(token: str = ADMIN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_office(client, code: str = "K1", name: str = "Kelurahan Satu", tz: str = "WITA") -> dict:
    r = client.post("/admin/offices", json={"code": code, "name": name, "timezone": tz},
                    headers=admin_headers())
    assert r.status_code == 201, r.text
    return r.json()


def enroll_token(client, office: str = "K1") -> str:
    r = client.post("/admin/enroll-tokens", json={"office_code": office}, headers=admin_headers())
    assert r.status_code == 201, r.text
    return r.json()["token"]


def enrolled_device(client, office: str = "K1") -> Device:
    device = Device(client)
    r = device.enroll(enroll_token(client, office))
    assert r.status_code == 200, r.text
    return device


def stats(client) -> dict:
    r = client.get("/admin/stats", headers=admin_headers())
    assert r.status_code == 200, r.text
    return r.json()
