"""provisioning.reset: flush to a real city server first, refuse with the count while
records are unsent, wipe everything (keys, database, config, the rest), survive a power cut
in the middle (marker first, finished at the next start)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk import config as config_mod
from kiosk import queue
from kiosk.runtime import open_runtime
from provisioning import health as health_mod
from provisioning import reset as reset_mod
from provisioning.device import load as load_identity
from provisioning.reset import (
    RESET_EXIT_CODE, ResetControl, factory_reset, finish_pending_reset, pending_records,
    sync_flush,
)
from tests.sync_support.harness import Server


@pytest.fixture
def city(tmp_path):
    server = Server(tmp_path / "city.db").start()
    server.add_office()
    yield server
    server.stop()


def _records(kiosk, n: int) -> None:
    rt = open_runtime(kiosk.data_dir, clock=kiosk.clock)
    try:
        for _ in range(n):
            queue.issue_ticket(rt, "svc-a")
    finally:
        rt.close()


def _extra_files(data_dir: Path) -> None:
    """What else the app and the other parts of issue 15 leave in a data directory."""
    (data_dir / "exports").mkdir()
    (data_dir / "exports" / "antrian.csv").write_text("nomor\nA-001\n")
    (data_dir / "face-audit").mkdir()
    (data_dir / "face-audit" / "0001.jpg").write_bytes(b"\xff\xd8 not really")
    (data_dir / "paired" ).mkdir()
    (data_dir / "paired" / "laptop-1.key").write_bytes(os.urandom(32))
    (data_dir / "sync.lock").write_text("")
    (data_dir / "print-spool").mkdir()
    (data_dir / "print-spool" / "job1.bin").write_bytes(b"\x1b@receipt")


def test_factory_reset_leaves_no_key_or_record_behind(tmp_path, city):
    kiosk = city.new_kiosk(tmp_path, "k1")
    _records(kiosk, 3)
    kiosk.db.close()
    _extra_files(kiosk.data_dir)
    key_before = (kiosk.data_dir / "identity.key").read_bytes()
    assert pending_records(kiosk.data_dir) >= 3

    result = factory_reset(kiosk.data_dir,
                           flush=lambda: sync_flush(kiosk.data_dir, transport=city.fault))

    assert result["reset"] is True and result["pending"] == 0
    assert result["exit_code"] == RESET_EXIT_CODE
    assert len(city.changes(kiosk.device_id)) >= 3   # flushed to the city first
    left = sorted(p.relative_to(kiosk.data_dir) for p in kiosk.data_dir.rglob("*"))
    assert left == []   # no key, no config, no database, no record, no marker
    assert kiosk.data_dir.is_dir()
    assert health_mod.health(kiosk.data_dir)["codes"] == ["not_provisioned"]
    assert load_identity(kiosk.data_dir).public_key  # a new device identity next start
    assert (kiosk.data_dir / "identity.key").read_bytes() != key_before


def test_unreachable_city_refuses_with_the_count_and_changes_nothing(tmp_path, city):
    kiosk = city.new_kiosk(tmp_path, "k2")
    _records(kiosk, 2)
    kiosk.db.close()
    city.fault.add("drop_request", path="*", times=1000)   # the link is down
    before = sorted(p.name for p in kiosk.data_dir.iterdir())

    result = factory_reset(kiosk.data_dir,
                           flush=lambda: sync_flush(kiosk.data_dir, transport=city.fault))

    pending = result["pending"]
    assert result["reset"] is False and pending >= 2
    assert result["message"] == f"{pending} records not yet sent to the city; reset anyway?"
    assert sorted(p.name for p in kiosk.data_dir.iterdir()) == before
    assert config_mod.load(kiosk.data_dir).office.code == "DEMO"

    forced = factory_reset(kiosk.data_dir, force=True,
                           flush=lambda: sync_flush(kiosk.data_dir, transport=city.fault))
    assert forced["reset"] is True and forced["pending"] == pending
    assert list(kiosk.data_dir.iterdir()) == []


def test_default_flush_without_a_city_server_only_counts(demo_dir):
    rt = open_runtime(demo_dir)
    try:
        queue.issue_ticket(rt, "svc-a")
    finally:
        rt.close()
    n = pending_records(demo_dir)   # the ticket and its print job
    assert n >= 1
    result = factory_reset(demo_dir)   # the real default: sync_flush, no server configured
    assert result == {"reset": False, "pending": n,
                      "message": f"{n} records not yet sent to the city; reset anyway?"}
    assert reset_mod._message(1) == "1 record not yet sent to the city; reset anyway?"
    # the contract's name for the flush works too
    assert factory_reset(demo_dir, server_reachable_flush=lambda: 0)["reset"] is True
    assert list(demo_dir.iterdir()) == []


def test_power_cut_mid_reset_boots_to_setup_and_finishes_at_next_start(demo_dir, monkeypatch):
    open_runtime(demo_dir).close()
    load_identity(demo_dir)
    real_unlink = Path.unlink
    cut = {"after": 2, "done": 0}

    def unlink_then_power_cut(self, *a, **kw):
        if self.parent == demo_dir and self.name != health_mod.RESET_MARKER:
            if cut["done"] == cut["after"]:
                raise SystemExit("power cut")   # nothing after this runs
            cut["done"] += 1
        return real_unlink(self, *a, **kw)

    monkeypatch.setattr(Path, "unlink", unlink_then_power_cut)
    with pytest.raises(SystemExit):
        factory_reset(demo_dir, flush=lambda: 0)
    monkeypatch.undo()

    names = {p.name for p in demo_dir.iterdir()}
    assert health_mod.RESET_MARKER in names
    assert config_mod.CONFIG_NAME not in names        # first to go: the device shows setup
    assert "identity.key" not in names                # keys next
    assert "kiosk.db" in names                        # the cut came before the database
    answer = health_mod.health(demo_dir)
    assert {"reset_pending", "not_provisioned"} <= set(answer["codes"])

    assert finish_pending_reset(demo_dir) is True     # the next start
    assert list(demo_dir.iterdir()) == []
    assert finish_pending_reset(demo_dir) is False


def test_a_city_servers_database_in_the_data_dir_is_not_the_devices(demo_dir):
    (demo_dir / "server.db").write_bytes(b"the city's")
    factory_reset(demo_dir, flush=lambda: 0)
    assert [p.name for p in demo_dir.iterdir()] == ["server.db"]


def test_reset_control_counts_then_resets_what_was_confirmed(demo_dir):
    rt = open_runtime(demo_dir)
    stopped = []
    control = ResetControl(demo_dir, before_wipe=lambda: stopped.append(True))
    try:
        queue.issue_ticket(rt, "svc-a")
        shown = control.unsent()
        assert shown == pending_records(demo_dir) > 0
        queue.issue_ticket(rt, "svc-b")   # written after the person read the count
    finally:
        rt.close()
    now = pending_records(demo_dir)
    refused = control.reset(confirmed_unsent=shown)
    assert refused["reset"] is False and refused["pending"] == now > shown and not stopped
    done = control.reset(confirmed_unsent=now)
    assert done["reset"] is True and stopped == [True]
    assert list(demo_dir.iterdir()) == []


def test_key_files_are_overwritten_before_unlink(demo_dir, monkeypatch):
    load_identity(demo_dir)
    shredded = []
    real = reset_mod._shred
    monkeypatch.setattr(reset_mod, "_shred", lambda p: (shredded.append(p.name), real(p)))
    factory_reset(demo_dir, flush=lambda: 0)
    assert "identity.key" in shredded


def test_every_kiosk_command_finishes_an_interrupted_reset_first(demo_dir):
    """The next start after a power cut is whatever command runs first (kiosk run, kiosk
    edge serve, kiosk init): the root command finishes the wipe before anything reads."""
    from click.testing import CliRunner

    from kiosk.cli import main

    open_runtime(demo_dir).close()
    old_key = load_identity(demo_dir).public_key
    (demo_dir / health_mod.RESET_MARKER).write_text("3")
    (demo_dir / config_mod.CONFIG_NAME).unlink()       # as the interrupted reset left it
    result = CliRunner().invoke(main, ["--data-dir", str(demo_dir), "init",
                                       "--office-code", "KLR9", "--admin-pin", "4821"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in demo_dir.iterdir()}
    assert health_mod.RESET_MARKER not in names
    assert load_identity(demo_dir).public_key != old_key      # the old key did not survive
    assert config_mod.load(demo_dir).office.code == "KLR9"
