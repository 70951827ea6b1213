"""Counters find the edge with real mDNS (python-zeroconf), kept on the loopback interface so
no packet leaves this machine."""

from __future__ import annotations

import json
import socket
import struct

import pytest
from click.testing import CliRunner

from kiosk import config as config_mod
from kiosk.cli import main
from kiosk.cli.compose import office_features
from sync.lan.client import remote_office_for
from sync.lan.discovery import Advertisement, discover
from tests.lan_support import TOKEN, set_token, start_edge_process, stop_process

LOOPBACK = ["127.0.0.1"]


def _loopback_multicast_problem() -> str | None:
    """Why multicast on 127.0.0.1 does not work here, or None when it does (checked with a
    private group and port, not mDNS's own, so nothing else hears it)."""
    group, port = "239.255.77.77", 53535
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            rx.bind(("", port))
            rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                          struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("127.0.0.1")))
            rx.settimeout(2)
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            tx.sendto(b"probe", (group, port))
            if rx.recv(16) != b"probe":
                return "multicast probe on 127.0.0.1 came back altered"
    except OSError as exc:
        return f"multicast on the loopback interface is not available here: {exc}"
    return None


_problem = _loopback_multicast_problem()
needs_mdns = pytest.mark.skipif(_problem is not None, reason=_problem or "")


@needs_mdns
def test_advertised_edge_is_discovered_with_its_txt_record():
    with Advertisement(office_code="DEMO", port=18765, device_id="01a2-device-cafe1234",
                       host="127.0.0.1", tag="0123abcd") as ad:
        assert ad.name == "DEMO-edge-cafe1234-0123abcd._kelurahan-edge._tcp.local."
        edges = discover(5, interfaces=LOOPBACK, office_code="DEMO", first=True)
        assert len(edges) == 1
        edge = edges[0]
        assert (edge.office_code, edge.protocol, edge.address, edge.port, edge.device_id) == \
            ("DEMO", 1, "127.0.0.1", 18765, "01a2-device-cafe1234")
        assert edge.url == "http://127.0.0.1:18765" and edge.name == ad.name
        assert discover(1.5, interfaces=LOOPBACK, office_code="OTHER") == []


@needs_mdns
def test_kiosk_edge_serve_advertises_and_a_counter_finds_and_uses_it(demo_dir, tmp_path):
    set_token(demo_dir)
    edge, info = start_edge_process(demo_dir, advertise=True)
    try:
        assert info["zeroconf"].startswith("DEMO-edge-")
        url = f"http://127.0.0.1:{info['port']}"
        # A counter console of the same office with edge_url = "auto" finds it itself.
        counter_cfg = config_mod.Config()
        counter_cfg.office.code, counter_cfg.lan.token, counter_cfg.lan.edge_url = "DEMO", TOKEN, "auto"
        with remote_office_for(counter_cfg, office_features(), discover_timeout=5,
                               interfaces=LOOPBACK) as office:
            assert office.base_url == url
            assert [s.prefix for s in office.queue.list_services()] == ["A", "B", "C"]

        result = CliRunner().invoke(main, ["edge", "discover", "--timeout", "2", "--interface",
                                           "127.0.0.1", "--office", "DEMO"])
        assert result.exit_code == 0, result.output
        found = json.loads(result.output)
        assert [e["url"] for e in found] == [url]
        assert found[0]["office_code"] == "DEMO" and found[0]["protocol"] == 1
    finally:
        stop_process(edge)


def test_cli_help_on_every_edge_command():
    runner = CliRunner()
    for args, words in [(["edge"], "edge appliance"), (["edge", "serve"], "--no-advertise"),
                        (["edge", "discover"], "--timeout")]:
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and words in result.output, result.output


def test_machine_tag_differs_per_machine_and_is_stable(tmp_path):
    """Issue 10 item 12: what a cloned SD card does not clone decides the host name."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                              PrivateFormat)

    from sync.lan.discovery import machine_tag

    one, two = tmp_path / "one-machine-id", tmp_path / "two-machine-id"
    one.write_text("0f1e2d3c4b5a69788796a5b4c3d2e1f0\n")
    two.write_text("aa1e2d3c4b5a69788796a5b4c3d2e1f0\n")
    device = "01a2-device-cafe1234"  # the same config.toml on both cards
    assert machine_tag(machine_id=one, device_id=device) == machine_tag(machine_id=one,
                                                                        device_id=device)
    assert machine_tag(machine_id=one, device_id=device) != machine_tag(machine_id=two,
                                                                        device_id=device)
    # Same machine id (a card cloned without clearing it) but each edge enrolled: its own key.
    keys = []
    for name in ("a", "b"):
        data = tmp_path / name
        data.mkdir()
        raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                         NoEncryption())
        (data / "identity.key").write_bytes(raw)
        keys.append(machine_tag(data, machine_id=one, device_id=device))
    assert keys[0] != keys[1]
    assert all(len(tag) == 8 and int(tag, 16) >= 0 for tag in keys)
    # A missing machine id or a key that is a directory is no crash, just one ingredient less.
    (tmp_path / "c" / "identity.key").mkdir(parents=True)
    assert len(machine_tag(tmp_path / "c", machine_id=tmp_path / "none")) == 8


@needs_mdns
def test_two_cloned_edges_advertise_two_host_names():
    """Two machines with one device id (a cloned card): two host names, each with its own
    address record, both found by a counter."""
    from zeroconf import IPVersion, Zeroconf

    device = "01a2-device-cafe1234"
    with Advertisement(office_code="DEMO", port=18765, device_id=device, host="127.0.0.1",
                       tag="0000aaaa") as first, \
            Advertisement(office_code="DEMO", port=18766, device_id=device, host="127.0.0.1",
                          tag="0000bbbb") as second:
        assert first.host_name == "kelurahan-edge-0000aaaa.local."
        assert second.host_name == "kelurahan-edge-0000bbbb.local."
        edges = discover(5, interfaces=LOOPBACK, office_code="DEMO")
        assert sorted(e.port for e in edges) == [18765, 18766]
        assert {e.name for e in edges} == {first.name, second.name}
        assert first.name != second.name
        probe = Zeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)
        try:
            servers = set()
            for edge in edges:
                info = probe.get_service_info("_kelurahan-edge._tcp.local.", edge.name,
                                              timeout=3000)
                assert info is not None
                servers.add(info.server)
        finally:
            probe.close()
        assert servers == {first.host_name, second.host_name}

