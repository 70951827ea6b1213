"""What every screen is handed: the runtime (when this machine holds the database), the
configuration, the queue client, and the optional devices.

Screens reach the domain only through these (and only on a worker, via ui.ops.run_op), so
a counter console on a staff PC works the same over ``RemoteQueue`` as on the edge itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.queue.client import QueueClient
    from kiosk.runtime import Runtime


@dataclass
class Services:
    runtime: Runtime | None
    config: Config
    queue: QueueClient
    #: devices.speech.Speaker, or None where speech is not available (no engine, no audio).
    speaker: Any | None = None
    #: the print worker (devices.printer.start_print_worker(...)): has .wake() and .stop().
    printer_worker: Any | None = None
    #: sync.client.SyncWorker on the edge when [sync] server is set and the device is enrolled
    #: (a plain thread: snapshot(), poke(), stop()); None everywhere else.
    sync_worker: Any | None = None

    def wake_printer(self) -> None:
        """Tell the print worker a job is waiting; harmless when there is no worker."""
        worker = self.printer_worker
        if worker is not None and hasattr(worker, "wake"):
            worker.wake()

