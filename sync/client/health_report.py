"""The kiosk's health report to the city server: ``POST /devices/health`` as this device.

Why a call of its own after a sync round, not a field of the push: a push carries outbox
records, each acknowledged and kept for ever; a health report is the device's state now,
and only the newest one matters. Mixing it into the push would change the protocol's hot
path (the batch format both engines read) for a few hundred bytes every few minutes. The
report rides on the same connection and token right after the round, so it costs one
request and never opens a link of its own: a kiosk that cannot sync cannot report either,
and the fleet view shows it as ``silent``.

When: after a round the server answered (also one whose push it refused: that is when the
city wants to know), at most every :data:`REPORT_EVERY_S` seconds by the monotonic clock,
and at once when the status or its reason codes change (paper ran out). The report itself comes
from a callable the composition root hands in (``provisioning.health.report``), so sync/
does not depend on provisioning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sync.client.auth import DeviceHttp
from sync.client.errors import ServerRefused, SyncError

log = logging.getLogger(__name__)

PATH = "/devices/health"
#: At most one report per this many seconds while nothing changes.
REPORT_EVERY_S = 300.0


class HealthReporter:
    """Sends ``source()`` (``{"status", "reasons", "diagnostics"}``) when it is due."""

    def __init__(self, source: Callable[[], dict[str, Any]], *,
                 every_s: float = REPORT_EVERY_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.every_s = every_s
        self._now = monotonic
        self._last_sent: float | None = None
        self._last_key: tuple | None = None
        self.sent = 0
        self.last_error: str | None = None

    def maybe_send(self, conn: DeviceHttp) -> bool:
        """Send the report if due; True if the server took it. Never raises: a report that
        does not arrive is tried again after the next round."""
        try:
            report = self.source()
        except Exception as exc:  # noqa: BLE001 - a bug in the check must not stop sync
            log.warning("health report: the health check failed: %s", exc)
            return False
        # the codes, not the words: "12 records not sent, the oldest for 1.3 h" changes
        # every round, "sync_backlog_old" does not
        key = (report.get("status"),
               tuple(str(r).split(":", 1)[0] for r in report.get("reasons") or ()))
        now = self._now()
        if (self._last_sent is not None and key == self._last_key
                and now - self._last_sent < self.every_s):
            return False
        try:
            conn.call("POST", PATH, "health report", json_body=report)
        except ServerRefused as exc:
            # 404: a city server older than the report; 4xx: a report it will not keep.
            # Either way not again before the interval (no retry storm).
            self._last_sent, self._last_key = now, key
            self.last_error = str(exc)
            log.info("health report refused: %s", exc)
            return False
        except SyncError as exc:
            self.last_error = str(exc)
            log.info("health report not sent: %s", exc)
            return False
        self._last_sent, self._last_key = now, key
        self.last_error = None
        self.sent += 1
        return True
