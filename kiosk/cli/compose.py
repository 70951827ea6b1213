"""The office composition, decided in one place: is this process the edge or a LAN client,
and which background workers run here (issue 11 item 3).

The edge is the machine whose ``[lan] edge_url`` is empty: it holds the office database, so
it runs the print worker (``printer.uri``) and, once enrolled with ``[sync] server`` set, the
sync worker. A LAN client (``edge_url`` a URL or ``auto``) uses the edge's LAN API and runs
neither: the print jobs and the outbox are in the edge's database.

``kiosk edge serve`` (the headless appliance) and the screens (``ui.app``) both compose
through :func:`compose`, so a Pi with no screen prints and syncs exactly as one with a UI.
Every import of devices/ and sync/ is inside a function: the CLI loads them only when asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.optable import Feature
from kiosk.runtime import Runtime

log = logging.getLogger(__name__)


def edge_url(runtime: Runtime) -> str:
    """The office edge's LAN address when it is another machine (config ``lan.edge_url``);
    empty when this machine holds the office database."""
    lan = getattr(runtime.config, "lan", None)
    return (getattr(lan, "edge_url", "") or "") if lan is not None else ""


def is_edge(runtime: Runtime) -> bool:
    return not edge_url(runtime)


def office_features() -> tuple[Feature, ...]:
    """Every feature of the office client, in the order the LAN API lists them. The one list:
    the local and remote office clients and the LAN routes all follow it."""
    from kiosk.attendance.ops_table import ATTENDANCE
    from kiosk.letters.letter_ops import LETTERS
    from kiosk.letters.ops_table import COMPLAINTS, REQUESTS
    from kiosk.print_ops import PRINTING
    from kiosk.queue.ops_table import QUEUE, REPORTS
    from sync.client.office_ops import SYNC_STATUS

    return (QUEUE, PRINTING, REPORTS, SYNC_STATUS, REQUESTS, COMPLAINTS, LETTERS, ATTENDANCE)


def make_office(runtime: Runtime, on_change: Callable[[], None] | None = None) -> Any:
    """The office client: this machine's database when it is the edge (``lan.edge_url``
    empty; ``on_change`` runs after every write), else the edge's LAN API, at
    ``lan.edge_url`` or found with zeroconf (``auto``).

    An empty setting never means "discover": a counter that silently fell back to its own
    empty database while the edge was down would serve a queue nobody is in."""
    url = edge_url(runtime)
    if url == "auto":
        from sync.lan.client import remote_office_for

        return remote_office_for(runtime.config, office_features())
    if url:
        from sync.lan.client import RemoteOffice

        return RemoteOffice(url, runtime.config.lan.token, office_features())
    from kiosk.office import LocalOffice

    return LocalOffice(runtime, office_features(), on_change)


def start_printer_worker(runtime: Runtime) -> Any | None:
    """The edge's print worker on ``printer.uri``, or None when it cannot start (the screens
    and ``kiosk printer status`` report the printer problem themselves)."""
    try:
        from devices.printer import open_printer, start_print_worker
    except ImportError as exc:
        log.warning("printing not available (%s); tickets show on screen only", exc)
        return None
    cfg = runtime.config.printer
    try:
        printer = open_printer(cfg.uri, paper_width_mm=cfg.paper_width_mm)
        return start_print_worker(runtime, printer, runtime.clock)
    except Exception as exc:  # noqa: BLE001 - the screen reports the printer problem itself
        log.error("print worker did not start (%s); tickets show on screen only", exc)
        return None


def start_letter_printer_worker(runtime: Runtime) -> Any | None:
    """The edge's A4 worker for letters on ``printer.a4_uri`` (cups://QUEUE or file:///DIR),
    or None when none is set or it cannot start (the letter jobs wait in the print queue)."""
    uri = runtime.config.printer.a4_uri
    if not uri:
        return None
    try:
        from devices.printer.a4 import open_a4_printer, start_document_worker
        from kiosk.letters.printing import renderer

        return start_document_worker(runtime, open_a4_printer(uri), runtime.clock,
                                     renderer(runtime.config))
    except Exception as exc:  # noqa: BLE001 - letters wait in the queue; `kiosk printer jobs` shows them
        log.error("A4 letter printer did not start (%s); letter jobs wait in the queue", exc)
        return None


def sync_enrolled(runtime: Runtime) -> bool:
    """Whether this device holds sync credentials (``kiosk enroll`` was run)."""
    from sync.client.state import credentials

    return credentials(runtime.db) is not None


def health_source(data_dir) -> Callable[[], dict[str, Any]]:
    """What the sync worker reports to the city after its rounds (provisioning.health)."""
    from functools import partial

    from provisioning.health import report

    return partial(report, data_dir)


def start_sync_worker(runtime: Runtime, **worker_options: Any) -> Any | None:
    """The edge's background sync with the city server, or None when it must not run:
    on a device whose queue is on another machine, without ``[sync] server``, or before
    ``kiosk enroll``. The admin screen says which of these it is."""
    if not is_edge(runtime):
        return None
    if not runtime.config.sync.server:
        log.info("sync: [sync] server is not set; nothing is sent to the city server")
        return None
    try:
        from sync.client import SyncWorker

        if not sync_enrolled(runtime):
            log.warning("sync: this device is not enrolled; run 'kiosk enroll --server URL "
                        "--token T' with a token from the city office")
            return None
        from sync.client.office_ops import attach_worker

        worker_options.setdefault("health", health_source(runtime.data_dir))
        worker = SyncWorker(runtime.data_dir, clock=runtime.clock, **worker_options).start()
        attach_worker(runtime.data_dir, worker)   # the admin screen's facts and "sync now"
        return worker
    except Exception as exc:  # noqa: BLE001 - the kiosk works offline; the admin screen shows the backlog
        log.error("sync worker did not start (%s); records wait in the outbox", exc)
        return None


@dataclass
class Workers:
    """The background workers this process runs (None: not here)."""

    printer: Any | None = None
    sync: Any | None = None
    letters: Any | None = None       # the A4 worker for letters (printer.a4_uri)

    def wake(self) -> None:
        """The queue just changed: a print job may be waiting and the outbox has a record.
        Print now, not at the worker's next poll; ask for a sync round (a round already
        running takes the poke as "one more after this", so a busy office is not a storm)."""
        for worker in (self.printer, self.letters):
            if worker is not None and hasattr(worker, "wake"):
                worker.wake()
        if self.sync is not None:
            self.sync.poke()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop what was started. A sync round on a slow link is not waited for beyond
        ``timeout_s`` (a daemon thread; what it sent unacknowledged goes again next time)."""
        for worker in (self.printer, self.letters):
            if worker is not None:
                worker.stop()
        if self.sync is not None:
            from sync.client.office_ops import attach_worker

            attach_worker(self.sync.data_dir, None)
            self.sync.stop(timeout_s)


def start_workers(runtime: Runtime, *, printing: bool = True, syncing: bool = True) -> Workers:
    """The workers of this process: on the edge the print worker (when ``printing``: the
    citizen role and the headless edge print; a counter role on the edge does not) and the
    sync worker; on a LAN client none."""
    if not is_edge(runtime):
        return Workers()
    # sync first: the check for credentials reads the database before any worker shares it
    syncer = start_sync_worker(runtime) if syncing else None
    printer = start_printer_worker(runtime) if printing else None
    letters = start_letter_printer_worker(runtime) if printing else None
    return Workers(printer=printer, sync=syncer, letters=letters)


@dataclass
class Composition:
    """What this process runs for the office: the office client its screens or API use,
    and the background workers."""

    office: Any
    workers: Workers

    def stop(self, timeout_s: float = 5.0) -> None:
        self.workers.stop(timeout_s)
        self.office.close()


def compose(runtime: Runtime, *, printing: bool, syncing: bool = True,
            with_workers: bool = True) -> Composition:
    """The office client and workers of a process with screens (``ui.app``): on the edge a
    LocalOffice whose writes wake the workers, on a LAN client a RemoteOffice and no workers.
    ``with_workers=False`` (screenshots, some tests) starts none."""
    workers = (start_workers(runtime, printing=printing, syncing=syncing) if with_workers
               else Workers())
    return Composition(make_office(runtime, on_change=workers.wake), workers)
