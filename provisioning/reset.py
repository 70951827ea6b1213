"""Factory reset: send what the city has not got yet, then forget everything, so the
kiosk boots to its setup page as a new device (issue 15, part 5).

    factory_reset(data_dir, *, flush=None, force=False) -> dict
    finish_pending_reset(data_dir) -> bool     call at every start, before reading config
    ResetControl(data_dir, ...)                what the admin screen and the setup service use

Order, and why:

1. **Flush.** ``flush()`` pushes the outbox and returns how many records are still not
   acknowledged by the city. Without one, :func:`sync_flush` does a real sync session when a
   city server is configured and this device is enrolled (a short timeout: an offline kiosk
   answers in seconds), else it only counts. Records still pending and no ``force``: nothing
   is touched; the answer says how many ("N records not yet sent to the city; reset
   anyway?") and the person decides.
2. **Marker.** ``factory-reset.pending`` is written (fsync'd, then its directory) before
   anything is removed.
3. **config.toml first**, then the identity key and every other key file (overwritten with
   zeros before unlinking: best effort on an SD card, but no copy sits in the file's old
   blocks for the next ``cat``), the database with its ``-wal``/``-shm``, and everything
   else the app made in the data directory (print spool, face audit, exports, locks).
4. **Marker last.** A power cut anywhere in 3 leaves the marker: the device has no
   config.toml any more (so it starts on the setup page), and :func:`finish_pending_reset`,
   called at the next start, removes the rest before anything reads it. A power cut before
   2 leaves the device as it was.

What is kept: the data directory itself, and a city server's own database (``server.db``,
the default of ``kiosk server`` on a developer's machine): it is the city's, not this
device's. The city keeps the device's enrollment; revoke it there (``kiosk server revoke``)
when the device leaves the office for good.

After a reset from the screen the app quits with :data:`RESET_EXIT_CODE`; the service
manager (deploy/) starts it again and, without config.toml, it shows the setup page.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.identity import KEY_FILE
from provisioning import RESET_MARKER

log = logging.getLogger(__name__)

#: The app's exit status after a factory reset: "start me again" (EX_TEMPFAIL in
#: sysexits.h). systemd restarts on it (Restart=on-failure); the new start shows setup.
RESET_EXIT_CODE = 75
#: How long a process wiped from a laptop waits before it ends: the laptop's answer first.
RESTART_DELAY_S = 1.0
#: Files of the data directory a reset leaves alone (a city server's database on a
#: developer's machine: not this device's data).
KEEP = frozenset({"server.db", "server.db-wal", "server.db-shm", "server.db-journal"})
#: How long the default flush may take, all attempts together (an offline kiosk fails fast;
#: a black-holed link is cut off here).
FLUSH_TIMEOUT_S = 20.0


def _message(pending: int) -> str:
    return (f"{pending} record{'s' if pending != 1 else ''} not yet sent to the city; "
            "reset anyway?")


def pending_records(data_dir: Path) -> int:
    """Records in the outbox the city has not acknowledged (0 without a database)."""
    import sqlite3

    path = config_mod.db_path(data_dir)
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5.0)
        try:
            return int(conn.execute("SELECT count(*) FROM outbox WHERE acked_ms IS NULL")
                       .fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        # A broken database holds nothing that can still be sent: reset is the cure.
        log.warning("factory reset: cannot count unsent records (%s); counting none", exc)
        return 0


def sync_flush(data_dir: Path, *, timeout_s: float = FLUSH_TIMEOUT_S,
               transport: Any = None) -> int:
    """Push the outbox to the city with a real sync session when a server is configured and
    the device enrolled; returns the records still pending. Never raises: an unreachable
    city is an answer (the count), not an error. Another session running (the app's sync
    worker) is waited for, within ``timeout_s``."""
    data_dir = Path(data_dir)
    try:
        cfg = config_mod.load(data_dir)
    except Exception:  # noqa: BLE001 - no usable config: nothing to send with
        return pending_records(data_dir)
    if cfg.lan.edge_url or not config_mod.db_path(data_dir).exists():
        return pending_records(data_dir)   # a LAN client's records are in the edge's outbox
    try:
        from kiosk.db import open_db
        from sync.client import SyncClient
        from sync.client.errors import SyncBusy, SyncError
        from sync.client.state import credentials
    except ImportError as exc:
        log.warning("factory reset: sync client unavailable (%s)", exc)
        return pending_records(data_dir)
    deadline = time.monotonic() + timeout_s
    try:
        db = open_db(config_mod.db_path(data_dir))
    except Exception as exc:  # noqa: BLE001 - a broken database: nothing can be sent
        log.warning("factory reset: cannot open the database to flush (%s)", exc)
        return pending_records(data_dir)
    try:
        creds = credentials(db)
        server = cfg.sync.server or (creds.server if creds else "")
        if creds is None or not server:
            return pending_records(data_dir)
        while True:
            left = deadline - time.monotonic()
            try:
                with SyncClient(db, data_dir, server=server, transport=transport,
                                keep_acked_days=cfg.sync.keep_acked_days,
                                timeout=max(1.0, min(10.0, left))) as client:
                    client.meta()
                    client.push()
                break
            except SyncBusy:
                if left <= 0.5:
                    break
                time.sleep(0.5)   # the worker's round ends soon; then ours
            except SyncError as exc:
                log.info("factory reset: flush to the city failed (%s)", exc)
                break
            except Exception as exc:  # noqa: BLE001 - counting is still possible
                log.warning("factory reset: flush failed unexpectedly (%s)", exc)
                break
    finally:
        db.close()
    return pending_records(data_dir)


def factory_reset(data_dir: Path, *, flush: Callable[[], int] | None = None,
                  force: bool = False,
                  server_reachable_flush: Callable[[], int] | None = None) -> dict[str, Any]:
    """Flush, then wipe (module docstring). Returns::

        {"reset": False, "pending": N, "message": "N records not yet sent to the city; ..."}
        {"reset": True, "pending": N (discarded), "removed": [names], "exit_code": 75}

    ``flush`` (``server_reachable_flush`` is the contract's name for it; either works):
    pushes and returns the count still pending; None: :func:`sync_flush`. Refuses (changes
    nothing) while records are pending, unless ``force``.
    """
    data_dir = Path(data_dir)
    flush = flush or server_reachable_flush
    try:
        pending = int(flush()) if flush is not None else sync_flush(data_dir)
    except Exception as exc:  # noqa: BLE001 - a failed flush sent nothing: count
        log.warning("factory reset: flush failed (%s)", exc)
        pending = pending_records(data_dir)
    if pending and not force:
        return {"reset": False, "pending": pending, "message": _message(pending)}
    _write_marker(data_dir, pending)
    removed = _wipe(data_dir)
    _remove_marker(data_dir)
    log.warning("factory reset of %s: %d records discarded unsent; removed %s", data_dir,
                pending, ", ".join(removed) or "nothing")
    return {"reset": True, "pending": pending, "removed": removed,
            "exit_code": RESET_EXIT_CODE}


def restart_after_reset(delay_s: float = RESTART_DELAY_S) -> None:
    """End this process with RESET_EXIT_CODE shortly (a daemon timer), so the service
    manager starts it again and, without config.toml, it shows its setup page. Used after
    a reset from a paired laptop (provisioning.service): the database and keys this process
    holds open are gone, and nothing of the old device may go on running (its print and sync
    workers, its LAN API). ``os._exit``: no clean-up can touch the wiped data directory."""
    log.warning("factory reset done; this process ends (exit %d) to start again as a new "
                "device", RESET_EXIT_CODE)
    timer = threading.Timer(delay_s, os._exit, args=(RESET_EXIT_CODE,))
    timer.daemon = True
    timer.start()


def reset_pending(data_dir: Path) -> bool:
    return (Path(data_dir) / RESET_MARKER).exists()


def finish_pending_reset(data_dir: Path) -> bool:
    """At start-up, before anything reads the data directory: finish a reset a power cut
    interrupted. True when there was one."""
    data_dir = Path(data_dir)
    if not reset_pending(data_dir):
        return False
    removed = _wipe(data_dir)
    _remove_marker(data_dir)
    log.warning("finished an interrupted factory reset of %s: removed %s", data_dir,
                ", ".join(removed) or "nothing")
    return True


# -- the wipe -------------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_marker(data_dir: Path, pending: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / RESET_MARKER
    tmp = marker.with_name(marker.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"factory reset started {time.time():.0f}; {pending} records discarded\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)
    _fsync_dir(data_dir)


def _remove_marker(data_dir: Path) -> None:
    (data_dir / RESET_MARKER).unlink(missing_ok=True)
    _fsync_dir(data_dir)


def _is_key(path: Path) -> bool:
    name = path.name.lower()
    return name == KEY_FILE or name.endswith((".key", ".pem", ".seed")) or "key" in name


def _shred(path: Path) -> None:
    """Overwrite a key file with zeros before it is unlinked (best effort)."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())


def _order(entry: Path) -> tuple[int, str]:
    """config.toml first (from then on the device starts on the setup page), then keys,
    then the database, then the rest."""
    name = entry.name
    if name == config_mod.CONFIG_NAME:
        return 0, name
    if _is_key(entry):
        return 1, name
    if name.startswith(config_mod.DB_NAME):
        return 2, name
    return 3, name


def _wipe(data_dir: Path) -> list[str]:
    """Remove everything in the data directory but the marker and :data:`KEEP`."""
    if not data_dir.is_dir():
        return []
    removed: list[str] = []
    entries = [e for e in data_dir.iterdir() if e.name not in KEEP and e.name != RESET_MARKER]
    for entry in sorted(entries, key=_order):
        try:
            if entry.is_dir() and not entry.is_symlink():
                for key in (p for p in entry.rglob("*") if p.is_file() and _is_key(p)):
                    _shred(key)
                shutil.rmtree(entry)
            else:
                if _is_key(entry) and not entry.is_symlink():
                    _shred(entry)
                entry.unlink()
        except FileNotFoundError:
            continue
        removed.append(entry.name)
        if entry.name == config_mod.CONFIG_NAME:
            _fsync_dir(data_dir)   # durable before the keys go: a cut now boots to setup
    _fsync_dir(data_dir)
    return removed


# -- what the screens and the setup service hold --------------------------------------------

@dataclass
class ResetControl:
    """A factory reset as the admin screen asks for it: count first (after a flush), then
    reset once the person confirmed that count. Built by the composition root (ui.app);
    the screen never sees the data directory or the database.

    ``before_wipe`` stops what writes to the data directory (the workers, the runtime's
    connection) after the confirmation and before the wipe.
    """

    data_dir: Path
    flush: Callable[[], int] | None = None
    before_wipe: Callable[[], None] | None = None
    exit_code: int = RESET_EXIT_CODE
    _flushed: int | None = field(default=None, init=False, repr=False)

    def unsent(self) -> int:
        """Push what can be pushed now; the records the city still lacks (blocking: call on
        a worker)."""
        self._flushed = (int(self.flush()) if self.flush is not None
                         else sync_flush(self.data_dir))
        return self._flushed

    def reset(self, confirmed_unsent: int) -> dict[str, Any]:
        """Reset, discarding at most ``confirmed_unsent`` unsent records (what the person
        was shown). More pending now (written meanwhile): refused, with the new count."""
        pending = pending_records(self.data_dir)
        if pending > confirmed_unsent:
            return {"reset": False, "pending": pending, "message": _message(pending)}
        if self.before_wipe is not None:
            self.before_wipe()
        return factory_reset(self.data_dir, flush=lambda: pending_records(self.data_dir),
                             force=True)
