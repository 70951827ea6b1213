"""A hypothesis state machine: local writes, syncs through faults, crashes, clock jumps, and
server restores from backups, in any order.

Invariants after every step:
- the server holds nothing the kiosk never wrote, and what it holds is identical;
- no record is stored twice;
- pull cursors only move forward (within one server epoch);
and whenever the link is clean (``clean_sync``, and at the end): every committed kiosk record
is on the server exactly once and the outbox has drained.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kiosk import outbox
from kiosk.clock import FakeClock
from sync.client import SyncError, status
from tests.sync_support.harness import Server, kiosk_records
from tests.sync_support.records import write_jobs

FAULTS = [None, "drop_request", "drop_response", "duplicate", "reorder", "late",
          "truncate_request", "truncate_response", 401, 429, 503]
START_MS = 1_795_000_000_000


def _cursor_key(cursor: str) -> tuple[int, ...]:
    return tuple(int(p) for p in cursor.split(":")) if cursor not in ("", "0") else (0,)


class SyncMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-sm-"))
        self.server = Server(self.tmp / "server.db",
                             server_clock=FakeClock(START_MS, boot_id="server")).start()
        self.server.add_office("KLR1")
        self.kiosk = self.server.new_kiosk(self.tmp, "k", clock=FakeClock(START_MS, "boot-1"))
        self.backups: list[Path] = []
        self.cursors: dict[str, tuple[int, ...]] = {}
        self.epoch = None
        self.written = 0

    def teardown(self) -> None:
        if not hasattr(self, "server"):
            return
        try:
            self.clean_sync()
        finally:
            self.server.stop()
            self.kiosk.db.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- rules ------------------------------------------------------------------------------

    @rule(n=st.integers(1, 40))
    def write(self, n: int) -> None:
        write_jobs(self.kiosk.db, self.kiosk.clock, n)
        self.written += n

    @rule(fault=st.sampled_from(FAULTS), at=st.sampled_from(["/sync/push", "/sync/pull", "*"]))
    def sync(self, fault, at) -> None:
        if fault is not None:
            if isinstance(fault, int):
                self.server.fault.add("status", path=at, status=fault, retry_after="1")
            elif fault in ("reorder", "truncate_request") or at == "*":
                self.server.fault.add(fault)
            else:
                self.server.fault.add(fault, path=at)
        try:
            self.kiosk.sync()
        except SyncError:
            pass
        self.server.fault.clear()

    @rule()
    def clean_sync(self) -> None:
        self.server.fault.clear()
        self.kiosk.sync()
        self.kiosk.sync()  # a late request may land in the first; the second settles
        mine = kiosk_records(self.kiosk)
        theirs = self.server.changes(self.kiosk.device_id)
        assert set(theirs) == set(mine), (len(theirs), len(mine))
        assert outbox.pending_count(self.kiosk.db) == 0
        assert status(self.kiosk.db, self.kiosk.clock)["dead_letters"] == 0

    @rule()
    def crash(self) -> None:
        self.kiosk.crash()

    @rule(seconds=st.integers(1, 4 * 3600))
    def time_passes(self, seconds: int) -> None:
        self.kiosk.clock.advance(seconds)
        self.server.server_clock.advance(seconds)

    @rule(to=st.sampled_from(["1970", "2038", "back"]))
    def clock_jumps(self, to: str) -> None:
        clock = self.kiosk.clock
        if to == "1970":
            clock.set_wall(datetime(1970, 1, 1, tzinfo=UTC))
        elif to == "2038":
            clock.set_wall(datetime(2038, 1, 19, tzinfo=UTC))
        else:
            clock.wall_ms -= 3600_000

    @rule()
    def reboot(self) -> None:
        self.kiosk.clock.reboot(f"boot-{self.written}")

    @rule()
    def backup(self) -> None:
        self.backups.append(self.server.backup(self.tmp / f"backup-{len(self.backups)}.db"))

    @precondition(lambda self: bool(self.backups))
    @rule(which=st.integers(0, 10))
    def restore(self, which: int) -> None:
        self.server.restore(self.backups[which % len(self.backups)])

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def server_holds_only_what_the_kiosk_wrote(self) -> None:
        if not hasattr(self, "server"):
            return
        mine = kiosk_records(self.kiosk)
        theirs = self.server.changes(self.kiosk.device_id)
        assert set(theirs) <= set(mine)
        for seq, change in theirs.items():
            assert change["payload"] == mine[seq]
        record_ids = [c["record_id"] for c in theirs.values()]
        assert len(record_ids) == len(set(record_ids))

    @invariant()
    def cursors_only_move_forward(self) -> None:
        if not hasattr(self, "server"):
            return
        st_ = status(self.kiosk.db, self.kiosk.clock)
        if st_["epoch"] != self.epoch:
            self.epoch, self.cursors = st_["epoch"], {}
        for scope, cursor in st_["cursors"].items():
            key = _cursor_key(cursor)
            assert key >= self.cursors.get(scope, (0,)), (scope, cursor)
            self.cursors[scope] = key


SyncMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestSyncMachine = SyncMachine.TestCase
