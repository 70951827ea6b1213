"""Dewi's journey end to end (issue 15 item 3), timed: real processes on loopback.

A city server (``kiosk server``, SQLite) with an office and an enrollment token made by
``kiosk server office add`` / ``kiosk server enroll-token``; a fresh kiosk data directory
running ``kiosk edge serve`` (no config: its setup service only, the code on stdout); the
technician's ``kiosk provision pair`` and ``kiosk provision configure`` in their own
processes. The kiosk enrolls, its first sync reaches the city, and the test receipt lands
in a file printer as ESC/POS bytes. The seconds from the kiosk's start to the receipt are
printed (goal: under two minutes; no timed assertion).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import time

import pytest

from kiosk import config as config_mod
from tests.sync_support.procs import KIOSK, ROOT, ServerProcess, env
from tests.test_lan_discovery import needs_mdns

pytestmark = pytest.mark.slow


def _kiosk(*args: str, data_dir=None, stdin: str = "", timeout: float = 180) -> tuple[int, str, str]:
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    res = subprocess.run([*KIOSK, *prefix, *args], capture_output=True, text=True, env=env(),
                         input=stdin, timeout=timeout, cwd=ROOT)
    return res.returncode, res.stdout, res.stderr


def _wait(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@needs_mdns
def test_fresh_kiosk_to_test_receipt(tmp_path):
    city_db = tmp_path / "city.db"
    server = ServerProcess(f"sqlite:///{city_db}", tmp_path / "srv").start()
    edge = None
    try:
        db = ["--db", f"sqlite:///{city_db}"]
        code, out, err = _kiosk("server", "office", "add", "6472011001", "Kelurahan Sungai Pinang",
                                "--tz", "WITA", *db, data_dir=tmp_path / "srv")
        assert code == 0, err
        code, out, err = _kiosk("server", "enroll-token", "--office", "6472011001", "--json", *db,
                                data_dir=tmp_path / "srv")
        assert code == 0, err
        token = json.loads(out)["token"]

        data_dir = tmp_path / "kiosk"
        paper = tmp_path / "printer.bin"
        tech = tmp_path / "tech"
        started = time.monotonic()
        edge = subprocess.Popen(
            [*KIOSK, "--data-dir", str(data_dir), "edge", "serve", "--host", "127.0.0.1",
             "--port", "0", "--setup-port", "0"],
            stdout=subprocess.PIPE, stderr=open(tmp_path / "edge.log", "w"), text=True,
            cwd=ROOT, env={**env(), "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        setup = json.loads(edge.stdout.readline() or "{}")
        assert setup.get("state") == "unprovisioned", (tmp_path / "edge.log").read_text()
        short_id, setup_code = setup["id"], setup["code"]
        # Dewi's laptop finds the kiosk on the LAN (zeroconf, here on loopback)
        code, out, err = _kiosk("provision", "discover", "--json", "--timeout", "3",
                                "--interface", "127.0.0.1")
        assert code == 0, err
        found = [d for d in json.loads(out) if d["short_id"] == short_id]
        assert found and found[0]["state"] == "unprovisioned", out
        assert found[0]["fingerprint"] == setup["fingerprint"]
        address = f"{found[0]['address']}:{found[0]['port']}"
        assert address == f"127.0.0.1:{setup['port']}"

        # Dewi types the code on the kiosk's screen
        code, out, err = _kiosk("provision", "pair", short_id, "--address", address,
                                "--code", setup_code, "--store", str(tech), "--json")
        assert code == 0, err
        assert json.loads(out)["id"] == short_id
        new_code = json.loads(edge.stdout.readline())     # the code was spent: a new one
        assert set(new_code) == {"code"} and new_code["code"] != setup_code

        code, out, err = _kiosk("provision", "configure", short_id, "--office", "6472011001",
                                "--server", server.url, "--printer", f"file://{paper}",
                                "--role", "citizen", "--name", "Kelurahan Sungai Pinang",
                                "--timezone", "WITA", "--token", token, "--admin-pin-stdin",
                                "--store", str(tech), "--json", stdin="4321\n")
        assert code == 0, err + (tmp_path / "edge.log").read_text()
        answer = json.loads(out)
        assert answer["enrollment"]["status"] == "enrolled", answer
        assert answer["test_receipt"]["status"] == "done", answer
        printed = time.monotonic()
        assert paper.read_bytes().startswith(b"\x1b@") and b"CETAK UJI" in paper.read_bytes()

        # the configuration on the kiosk: PIN hashed, validated, private LAN token made
        cfg = config_mod.load(data_dir)
        assert cfg.office.code == "6472011001" and cfg.office.timezone == "WITA"
        assert cfg.check_pin("4321") and "4321" not in config_mod.config_path(data_dir).read_text()
        assert cfg.device.roles == ["citizen"] and len(answer["lan_token"]) >= 16
        assert stat.S_IMODE((data_dir / "paired-laptops.json").stat().st_mode) == 0o600

        # the edge serves the LAN API now, and its first sync reaches the city
        serving = {}
        while "url" not in serving:
            serving = json.loads(edge.stdout.readline() or '{"url": null}')
        assert serving.get("syncing") is True and serving.get("printing") is True, serving

        def synced() -> bool:
            conn = sqlite3.connect(city_db)
            try:
                rows = conn.execute("SELECT payload FROM changes WHERE device_id = ?",
                                    (cfg.device.id,)).fetchall()
            finally:
                conn.close()
            return any(json.loads(r[0]).get("kind") == "test" for r in rows)

        _wait(synced, "the test receipt's print job on the city server")
        done = time.monotonic()
        print(f"\nprovisioning: kiosk start -> test receipt {printed - started:.1f} s, "
              f"-> first sync on the city server {done - started:.1f} s")

        # The kiosk leaves the office: a factory reset from the paired laptop. Everything was
        # synced, so it wipes at once and the process ends with 75 (systemd starts it again
        # into its setup page).
        code, out, err = _kiosk("provision", "reset", short_id, "--yes", "--json",
                                "--store", str(tech))
        assert code == 0, err + (tmp_path / "edge.log").read_text()
        assert json.loads(out)["reset"] is True
        assert edge.wait(30) == 75
        assert not config_mod.config_path(data_dir).exists()
        assert not (data_dir / "kiosk.db").exists()
        from provisioning.device import load as load_identity

        assert load_identity(data_dir).fingerprint != setup["fingerprint"]   # a new device
    finally:
        if edge is not None and edge.poll() is None:
            os.killpg(edge.pid, 15)
            try:
                edge.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(edge.pid, 9)
        server.stop()


def test_an_unconfigured_edge_waits_for_setup_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "kiosk"
    edge = subprocess.Popen(
        [*KIOSK, "--data-dir", str(data_dir), "edge", "serve", "--host", "127.0.0.1",
         "--port", "0", "--setup-port", "0", "--no-advertise"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env(),
        start_new_session=True)
    try:
        setup = json.loads(edge.stdout.readline() or "{}")
        assert setup["state"] == "unprovisioned" and len(setup["code"]) == 6
        assert setup["fingerprint"] and setup["id"].count("-") == 1
        import httpx

        health = httpx.get(f"http://127.0.0.1:{setup['port']}/health", timeout=10).json()
        assert health["state"] == "unprovisioned" and health["id"] == setup["id"]
        edge.terminate()
        assert edge.wait(15) == 0, edge.stderr.read()
        assert not config_mod.config_path(data_dir).exists()
    finally:
        if edge.poll() is None:
            os.killpg(edge.pid, 9)
    # --no-setup on an unconfigured kiosk: a clear refusal
    code, _out, err = _kiosk("edge", "serve", "--no-setup", data_dir=data_dir, timeout=60)
    assert code == 2 and "config.toml" in err and "Traceback" not in err
