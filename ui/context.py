"""What every screen is handed: the office client, the configuration, the clock, and the
optional devices.

Screens reach the office only through ``ctx.office`` (and only on a worker, via
ui.ops.run_op), so a counter console, board or admin screen on a staff PC works the same
over the LAN (sync.lan.client.RemoteOffice) as on the edge itself (kiosk.office.LocalOffice).
No screen holds a runtime or a database connection (tests/test_ui_layering.py).

Named for what it is to a screen; not "services", which in this product are the office's
layanan (what a citizen takes a number for).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.clock import Clock
    from kiosk.config import Config
    from kiosk.office import OfficeClient


@dataclass
class ScreenContext:
    office: OfficeClient
    config: Config
    #: this device's clock (the edge judges the queue's time; screens show it and time taps)
    clock: Clock
    #: where the admin screen writes exports (a USB stick can be mounted there)
    export_dir: Path
    #: devices.speech.Speaker, or None where speech is not available (no engine, no audio).
    speaker: Any | None = None
    #: devices.camera camera and devices.qr decoder of a kiosk that reads QR codes (the
    #: status check reads receipts with them), or None.
    camera: Any | None = None
    qr: Any | None = None
    #: devices.face.FaceEngine of the attendance terminal (the face step after the badge),
    #: or None where faces are not checked or the model could not be loaded.
    face: Any | None = None
    #: provisioning.reset.ResetControl of this device (the admin screen's "Atur ulang
    #: pabrik"), or None where the app offers no factory reset.
    device_reset: Any | None = None
