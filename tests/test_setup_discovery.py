"""A fresh kiosk announces itself with real mDNS (python-zeroconf) on the loopback interface,
from its own process; the technician's side (provisioning.discover, ``kiosk provision
discover | status``, the Qt list) finds it. Nothing secret is in what it announces."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from zeroconf import IPVersion, ServiceInfo, Zeroconf

from kiosk import identity as identity_mod
from kiosk.cli import main
from provisioning import device
from provisioning.advertise import (SERVICE_TYPE, TXT_KEYS, SetupAdvertisement, device_model,
                                    device_state, txt_record)
from provisioning.discover import FoundDevice, SetupBrowser, discover, parse
from provisioning.first_boot import parse_qr_text, qr_text
from tests.setup_lan_support import start_setup_process, stop_setup_process, tell
from tests.test_lan_discovery import needs_mdns

LOOPBACK = ["127.0.0.1"]


class _Health(BaseHTTPRequestHandler):
    """A stand-in for the setup service's GET /health (until provisioning.service lands)."""

    answer: dict = {"status": "degraded", "reasons": ["printer: paper out\x1b[31m"]}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path != "/health":
            self.send_error(404)
            return
        body = json.dumps(self.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def health_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _secrets_of(data_dir: Path, code: str) -> list[bytes]:
    """Every form in which the device's secrets could leak into a packet."""
    raw = identity_mod.key_path(data_dir).read_bytes()
    return [code.encode(), raw, raw.hex().encode(), raw.hex().upper().encode(),
            base64.b64encode(raw).rstrip(b"="), base64.urlsafe_b64encode(raw).rstrip(b"=")]


class PacketCapture:
    """Every mDNS packet on the loopback interface while it runs: a socket of its own joined
    to 224.0.0.251:5353 beside zeroconf's (SO_REUSEPORT), so the test sees the bytes that
    went on the wire, not only what a library made of them."""

    def __init__(self) -> None:
        import socket
        import struct

        self.packets: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.sock.bind(("", 5353))
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                             struct.pack("4s4s", socket.inet_aton("224.0.0.251"),
                                         socket.inet_aton("127.0.0.1")))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            try:
                self.packets.append(self.sock.recv(9000))
            except OSError:
                continue

    def stop(self) -> bytes:
        self.running = False
        self.thread.join(2)
        self.sock.close()
        return b"".join(self.packets)


@needs_mdns
def test_a_fresh_kiosk_in_another_process_is_found_with_only_public_facts(tmp_path):
    data = tmp_path / "kiosk"
    capture = PacketCapture()
    proc, info = start_setup_process(data, 0)
    try:
        assert info["name"] == f"kiosk-{info['short_id'].replace('-', '').lower()}.{SERVICE_TYPE}"
        assert info["host"] == f"kiosk-{info['short_id'].replace('-', '').lower()}.local."
        found = discover(4, LOOPBACK)
        assert [d.short_id for d in found] == [info["short_id"]]
        kiosk = found[0]
        assert (kiosk.fingerprint, kiosk.state, kiosk.address, kiosk.port) == \
            (info["fingerprint"], "unprovisioned", "127.0.0.1", info["port"])
        assert kiosk.model == device_model() and kiosk.version
        # The fingerprint is the identity key's public half's hash, nothing more.
        assert kiosk.fingerprint == device.load(data).fingerprint

        # Read every record back with a plain zeroconf client: only the contract's TXT keys,
        # and no setup code, private key or token in any of them, in any encoding.
        probe = Zeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)
        try:
            record = probe.get_service_info(SERVICE_TYPE, info["name"], timeout=3000)
            assert record is not None
            assert sorted(k.decode() for k in record.properties) == sorted(TXT_KEYS)
            assert record.properties[b"pv"] == b"1"
            assert record.server == info["host"]
            wire = b"".join(bytes(r.text) if hasattr(r, "text") else repr(r).encode()
                            for r in probe.cache.entries_with_name(info["name"]))
            wire += record.text
        finally:
            probe.close()
        assert info["fingerprint"].encode() in wire
        for secret in _secrets_of(data, info["code"]):
            assert secret not in wire
        for word in (b"code", b"token", b"key", b"secret", b"pin"):
            assert word not in record.text.lower()
        # What went on the wire (announcements, answers to the queries above) likewise.
        packets = capture.stop()
        assert info["fingerprint"].encode() in packets and b"_kiosk-setup" in packets
        for secret in _secrets_of(data, info["code"]):
            assert secret not in packets

        # The setup service behind the record says the same (one device, two sources).
        import httpx

        setup_info = httpx.get(f"{kiosk.setup_url}/setup/info", timeout=10).json()
        assert (setup_info["id"], setup_info["fingerprint"], setup_info["state"],
                setup_info["model"], setup_info["version"], setup_info["protocol"]) == \
            (kiosk.short_id, kiosk.fingerprint, kiosk.state, kiosk.model, kiosk.version, "1")
        # and ``kiosk provision status`` reads its real /health
        result = CliRunner().invoke(main, ["provision", "status", "--json", "--timeout", "3",
                                           "--interface", "127.0.0.1"])
        assert result.exit_code == 0, result.output
        [row] = json.loads(result.output)
        assert row["short_id"] == kiosk.short_id and row["health"]["status"] in ("ok", "degraded")
    finally:
        if capture.running:
            capture.stop()
        stop_setup_process(proc)


@needs_mdns
def test_configured_kiosk_is_updated_to_provisioned_not_gone(tmp_path):
    data = tmp_path / "kiosk"
    proc, info = start_setup_process(data, 0)
    events: list[tuple[str, object]] = []
    seen = threading.Event()

    def record(kind):
        def handler(value):
            events.append((kind, value))
            if kind == "updated":
                seen.set()
        return handler

    try:
        with SetupBrowser(interfaces=LOOPBACK, on_found=record("found"),
                          on_updated=record("updated"), on_removed=record("removed")) as browser:
            assert _wait_for(lambda: browser.devices())
            assert tell(proc, "configure") == {"state": "provisioned"}
            assert seen.wait(10), events
            assert [d.state for d in browser.devices()] == ["provisioned"]
            assert device_state(data) == "provisioned"
            kinds = [kind for kind, _ in events]
            assert kinds[0] == "found" and "removed" not in kinds
    finally:
        stop_setup_process(proc)


def _wait_for(condition, seconds: float = 10) -> object:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()


@needs_mdns
def test_host_and_instance_names_are_unique_per_device(tmp_path):
    first, second = device.load(tmp_path / "a"), device.load(tmp_path / "b")
    with SetupAdvertisement(first, port=18770, interfaces=LOOPBACK) as one, \
            SetupAdvertisement(second, port=18771, interfaces=LOOPBACK) as two:
        assert one.name != two.name and one.host_name != two.host_name
        assert one.host_name == f"{first.host_label}.local."
        found = discover(4, LOOPBACK)
        assert {(d.short_id, d.port) for d in found} == {(first.short_id, 18770),
                                                         (second.short_id, 18771)}


@needs_mdns
def test_cli_discover_lists_the_kiosk_as_a_table_and_as_json(tmp_path):
    ident = device.load(tmp_path / "k")
    runner = CliRunner()
    with SetupAdvertisement(ident, port=18772, interfaces=LOOPBACK, model="Raspberry Pi 5"):
        result = runner.invoke(main, ["provision", "discover", "--json", "--timeout", "3",
                                      "--interface", "127.0.0.1"])
        assert result.exit_code == 0, result.output
        listed = json.loads(result.output)
        assert listed == [{"short_id": ident.short_id, "fingerprint": ident.fingerprint,
                           "state": "unprovisioned", "model": "Raspberry Pi 5",
                           "version": listed[0]["version"], "address": "127.0.0.1",
                           "port": 18772}]
        result = runner.invoke(main, ["provision", "discover", "--timeout", "3",
                                      "--interface", "127.0.0.1"])
        assert result.exit_code == 0, result.output
        header, row = result.output.strip().splitlines()
        assert header.split() == ["ID", "ADDRESS", "STATE", "MODEL", "VERSION"]
        assert row.startswith(f"{ident.short_id}  127.0.0.1:18772  unprovisioned  Raspberry Pi 5")


@needs_mdns
def test_cli_status_shows_each_device_health_from_its_setup_service(tmp_path, health_server):
    """One kiosk answers /health (degraded, with a reason whose escape code is dropped),
    one has no setup service at all: "unknown" with why, the table still complete."""
    healthy, silent = device.load(tmp_path / "h"), device.load(tmp_path / "s")
    port = health_server.server_address[1]
    runner = CliRunner()
    with SetupAdvertisement(healthy, port=port, interfaces=LOOPBACK, state="provisioned"), \
            SetupAdvertisement(silent, port=1, interfaces=LOOPBACK):
        result = runner.invoke(main, ["provision", "status", "--json", "--timeout", "3",
                                      "--interface", "127.0.0.1"])
        assert result.exit_code == 0, result.output
        rows = {r["short_id"]: r for r in json.loads(result.output)}
        assert set(rows) == {healthy.short_id, silent.short_id}
        assert rows[healthy.short_id]["health"] == {"status": "degraded",
                                                    "reasons": ["printer: paper out[31m"]}
        assert rows[healthy.short_id]["state"] == "provisioned"
        assert rows[silent.short_id]["health"]["status"] == "unknown"
        assert "no answer" in rows[silent.short_id]["health"]["reasons"][0]

        result = runner.invoke(main, ["provision", "status", "--timeout", "3",
                                      "--interface", "127.0.0.1", "--store",
                                      str(tmp_path / "tech")])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert lines[0].split() == ["ID", "ADDRESS", "STATE", "MODEL", "VERSION", "HEALTH",
                                    "DIAGNOSTICS"]
        by_id = {line.split()[0]: line for line in lines[1:]}
        assert "degraded: printer: paper out" in by_id[healthy.short_id]
        assert "unknown" in by_id[silent.short_id]
        assert "\x1b" not in result.output


def test_status_says_unknown_for_a_device_without_health(health_server):
    from kiosk.cli.provision_lan import fetch_health

    port = health_server.server_address[1]
    _Health.answer = {"status": "ok", "reasons": []}
    try:
        assert fetch_health("127.0.0.1", port) == {"status": "ok", "reasons": []}
    finally:
        _Health.answer = {"status": "degraded", "reasons": ["printer: paper out\x1b[31m"]}
    # /health missing (a device with older software): unknown, said why
    import kiosk.cli.provision_lan as lan

    original = _Health.do_GET
    try:
        _Health.do_GET = lambda self: self.send_error(404)  # type: ignore[method-assign]
        assert lan.fetch_health("127.0.0.1", port)["status"] == "unknown"
    finally:
        _Health.do_GET = original  # type: ignore[method-assign]


def test_cli_with_nobody_on_the_lan_says_so_and_json_is_an_empty_list():
    runner = CliRunner()
    # 127.0.0.1 with no advertiser (no other test's advertisement outlives its test)
    result = runner.invoke(main, ["provision", "discover", "--json", "--timeout", "0.5",
                                  "--interface", "127.0.0.1"])
    assert result.exit_code == 0 and json.loads(result.output) == []
    result = runner.invoke(main, ["provision", "status", "--timeout", "0.5",
                                  "--interface", "127.0.0.1"])
    assert result.exit_code == 0 and "no kiosks answered" in result.output
    for bad in (["--timeout", "nan"], ["--timeout", "0"], ["--interface", "kiosk-1"]):
        result = runner.invoke(main, ["provision", "discover", *bad])
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_rogue_record_is_cleaned_before_anyone_shows_it():
    import socket

    info = ServiceInfo(SERVICE_TYPE, f"evil.{SERVICE_TYPE}", port=8766,
                       addresses=[socket.inet_aton("192.0.2.7")],
                       properties={"pv": "1", "id": "AAAA-BBBB\x1b[2J", "fp": "f" * 200,
                                   "state": "provisioned\n", "model": "\x00pi", "sw": "1"})
    found = parse(info)
    assert found == FoundDevice("AAAA-BBBB[2J", "f" * 80, "provisioned", "pi", "1",
                                "192.0.2.7", 8766)
    nameless = ServiceInfo(SERVICE_TYPE, f"x.{SERVICE_TYPE}", port=8766,
                           addresses=[socket.inet_aton("192.0.2.7")], properties={"pv": "1"})
    assert parse(nameless) is None


def test_txt_record_and_qr_text_carry_public_facts_only(tmp_path):
    ident = device.load(tmp_path)
    txt = txt_record(ident, "unprovisioned", model="m", version="1.2")
    assert txt == {"pv": "1", "id": ident.short_id, "fp": ident.fingerprint,
                   "state": "unprovisioned", "model": "m", "sw": "1.2"}
    with pytest.raises(ValueError):
        txt_record(ident, "half-done")
    text = qr_text(ident, "192.168.1.23:8766", "042137")
    assert text == (f"KIOSK-SETUP:1;id={ident.short_id};fp={ident.fingerprint};"
                    "addr=192.168.1.23:8766;code=042137")
    assert parse_qr_text(text) == {"version": "1", "id": ident.short_id,
                                   "fp": ident.fingerprint, "addr": "192.168.1.23:8766",
                                   "code": "042137"}
    for bad in ("", "hello", "KIOSK-SETUP:1;id=A", "WIFI:S:x;;"):
        with pytest.raises(ValueError):
            parse_qr_text(bad)


def test_help_on_the_lan_commands():
    runner = CliRunner()
    for args, words in [(["provision", "discover"], "--json"),
                        (["provision", "status"], "health"), (["run"], "--setup-port")]:
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and words in result.output, result.output


@needs_mdns
@pytest.mark.timeout(120)
def test_kiosk_run_on_a_fresh_data_dir_is_found_by_the_technicians_discover(tmp_path):
    """The real console script, as the Pi's unit starts it, on an empty data dir: it shows
    the setup page (off-screen here) and the technician's laptop lists it as unprovisioned."""
    import os
    import subprocess
    import sys

    data = tmp_path / "fresh"
    kiosk = Path(sys.executable).parent / "kiosk"
    proc = subprocess.Popen([str(kiosk), "--data-dir", str(data), "run", "--setup-interface",
                             "127.0.0.1", "--setup-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        found = _wait_for(lambda: discover(1.5, LOOPBACK), seconds=60)
        assert proc.poll() is None, proc.stderr.read()
        assert len(found) == 1 and found[0].state == "unprovisioned"
        assert found[0].short_id == device.load(data).short_id
        assert not (data / "config.toml").exists()
        proc.terminate()      # systemd's stop: a clean exit that says goodbye on the LAN
        assert proc.wait(20) == 0, proc.stderr.read()
        assert discover(1.5, LOOPBACK) == []
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


@needs_mdns
def test_status_shows_a_paired_kiosks_diagnostics_over_the_paired_channel(tmp_path):
    """The laptop paired with this kiosk: status adds its sync backlog, printer and clock
    (sealed /setup/diagnostics); a kiosk that announces the paired id with another key is
    asked nothing."""
    from provisioning.first_boot import run_setup_mode
    from provisioning.technician import TechnicianStore, pair

    mode = run_setup_mode(tmp_path / "kiosk", interfaces=LOOPBACK, port=0)
    try:
        store = TechnicianStore(tmp_path / "tech")
        pair(f"127.0.0.1:{mode.port}", mode.code.current(), store)
        runner = CliRunner()
        args = ["provision", "status", "--timeout", "3", "--interface", "127.0.0.1",
                "--store", str(store.root)]
        result = runner.invoke(main, [*args, "--json"])
        assert result.exit_code == 0, result.output
        [row] = [r for r in json.loads(result.output) if r["short_id"] == mode.identity.short_id]
        diag = row["diagnostics"]
        assert diag["provisioned"] is False and "sync" in diag and "version" in diag
        result = runner.invoke(main, args)
        [line] = [l for l in result.output.splitlines() if l.startswith(mode.identity.short_id)]
        assert "backlog" in line and "clock" in line

        from kiosk.cli.provision_lan import fetch_diagnostics

        impostor = FoundDevice(mode.identity.short_id, "0" * 64, "unprovisioned", "x", "1",
                               "127.0.0.1", mode.port)
        assert fetch_diagnostics(store, impostor) is None
    finally:
        mode.stop()
