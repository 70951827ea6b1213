"""What a running kiosk holds: its data directory, configuration, database and clock.

Built once by the composition root (kiosk.cli) and handed to everything else; tests build
their own with a temporary directory and a FakeClock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk import config as config_mod
from kiosk.clock import Clock, Stamp, SystemClock
from kiosk.config import Config
from kiosk.db import open_db, write_tx
from kiosk.timekeeper import Timekeeper


@dataclass
class Runtime:
    data_dir: Path
    config: Config
    db: sqlite_utils.Database
    clock: Clock = field(default_factory=SystemClock)
    _timekeeper: Timekeeper | None = field(default=None, init=False, repr=False, compare=False)

    def now(self) -> Stamp:
        """The time the queue records and decides by: the clock judged against the last
        known good time (kiosk.timekeeper). ``clock.now()`` is the raw reading."""
        keeper = self._timekeeper
        if keeper is None or keeper.clock is not self.clock or keeper.db is not self.db:
            keeper = self._timekeeper = Timekeeper(self.db, self.clock)
        return keeper.now()

    @property
    def device_id(self) -> str:
        return self.config.device.id

    @property
    def office_tz(self) -> str:
        return self.config.office.timezone

    def close(self) -> None:
        self.db.close()


def open_runtime(data_dir: Path, clock: Clock | None = None) -> Runtime:
    data_dir = Path(data_dir)
    cfg = config_mod.load(data_dir)
    db = open_db(config_mod.db_path(data_dir))
    if db.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone() is None:
        with write_tx(db):   # only the first time: opening must not write (a full disk)
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)",
                       [cfg.device.id])
    return Runtime(data_dir, cfg, db, clock or SystemClock())
