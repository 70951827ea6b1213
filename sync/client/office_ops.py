"""The sync_status feature of the office client: what the admin screen shows of sync.

The facts come from the edge's database (``sync.client.status``), which the background
worker updates at every round, so the backlog shows offline too; the worker's own view (does
it run, the last round, when it tries again) is added when this process runs one. The
worker is a thread of the edge's process, not a record: the composition root tells this
module about it (:func:`attach_worker`), and ``sync_now`` pokes it, so an admin screen on
a staff PC reaches the edge's worker through the LAN API like any other operation.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.errors import KioskError
from kiosk.optable import Feature, Op

#: Dead letters listed on screen (the count shows them all; ``kiosk sync dead-letters`` lists every one).
MAX_DEAD_ROWS = 50

_workers: dict[Path, Any] = {}
_workers_lock = threading.Lock()


def attach_worker(data_dir: Path, worker: Any | None) -> None:
    """The sync worker this process runs for ``data_dir`` (None: it stopped)."""
    key = Path(data_dir).resolve()
    with _workers_lock:
        if worker is None:
            _workers.pop(key, None)
        else:
            _workers[key] = worker


def attached_worker(data_dir: Path) -> Any | None:
    """The sync worker this process runs for ``data_dir``, if any."""
    with _workers_lock:
        return _workers.get(Path(data_dir).resolve())


def sync_server(rt) -> str:
    """The city server as the sync worker picks it: the one the app was started with, else
    [sync] server in config.toml read now (``kiosk enroll`` writes it while the app runs),
    else the server the kiosk was enrolled with. One source for the whole page, so it never
    says "not set up" beside a successful push."""
    from sync.client.state import credentials

    if rt.config.sync.server:
        return rt.config.sync.server
    try:
        server = config_mod.load(rt.data_dir).sync.server
    except (KioskError, OSError):
        server = ""
    if server:
        return server
    creds = credentials(rt.db)
    return creds.server if creds is not None else ""


def facts(rt) -> dict:
    """Pending changes, the oldest one's age, last good push and pull, the last error, the
    clock, the dead letters, the configured server and the worker's snapshot (None when no
    worker runs on the edge)."""
    from sync.client import status
    from sync.client.state import dead_letters

    result = status(rt.db, rt.clock)
    server = sync_server(rt)
    result["configured"] = bool(server)
    result["configured_server"] = server
    result["dead_letter_rows"] = dead_letters(rt.db, limit=MAX_DEAD_ROWS)
    result["worker"] = worker_snapshot(rt)
    return result


def worker_snapshot(rt) -> dict | None:
    """The worker's own view after its last round (a copy of a small dict: cheap enough to
    poll while the sync page is visible); None when no worker runs on the edge."""
    worker = attached_worker(rt.data_dir)
    return worker.snapshot() if worker is not None else None


def sync_now(rt) -> bool:
    """Ask the worker for a round now; False when no worker runs (not set up, not enrolled)."""
    worker = attached_worker(rt.data_dir)
    if worker is None:
        return False
    worker.poke()
    return True


SYNC_STATUS = Feature("sync_status", "/sync", (
    Op(facts, "GET", "/facts", dict),
    Op(worker_snapshot, "GET", "/worker", dict | None, answer_key="worker"),
    Op(sync_now, "POST", "/now", bool, answer_key="poked"),
))
