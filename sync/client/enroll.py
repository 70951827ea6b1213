"""Enrollment: make the device key, register its public half with a one-time token.

The token comes from the city office (``kiosk server enroll-token --office CODE``); it is
single-use and expires by the server's clock. A failed enrollment changes nothing on the
server, and on the kiosk leaves at most the key file (reused by the next attempt).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from kiosk.clock import Clock, SystemClock
from sync.client import identity, state
from sync.client.errors import SyncError
from sync.client.http import Http, check_server_url, json_of, raise_for


def enroll(db: sqlite_utils.Database, data_dir: Path, server: str, token: str, device_id: str, *,
           clock: Clock | None = None, transport: httpx.BaseTransport | None = None,
           timeout: float = 30.0) -> dict[str, Any]:
    server = check_server_url(server)
    if not token.strip():
        raise SyncError("the enrollment token is empty; ask the city office for one "
                        "('kiosk server enroll-token --office CODE')")
    clock = clock or SystemClock()
    key = identity.load_or_create(data_dir)
    public = identity.public_key_b64(key)
    http = Http(server, transport=transport, timeout=timeout)
    try:
        resp = http.call("POST", "/enroll", json_body={"token": token.strip(), "device_id": device_id,
                                                       "public_key": public})
        raise_for(resp, "enroll")
        body = json_of(resp, "enroll")
    finally:
        http.close()
    creds = state.Credentials(server=server, device_id=body.get("device_id", device_id),
                              office_code=body["office_code"], office_id=body.get("office_id"),
                              public_key=public, key_file=str(identity.key_path(data_dir)),
                              enrolled_ms=clock.now().wall_ms)
    state.save_credentials(db, creds)
    if body.get("epoch") and state.get(db, state.EPOCH) is None:
        state.put(db, state.EPOCH, body["epoch"])
    return {"enrolled": True, "server": server, "device_id": creds.device_id,
            "office_code": creds.office_code, "office_id": creds.office_id,
            "key_file": creds.key_file}
