"""provisioning.health: health() and diagnostics() on real data directories (unprovisioned,
demo, broken), with secrets in the configuration that must never appear in the answer."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk import config as config_mod
from kiosk import print_queue, queue
from kiosk.clock import FakeClock, SystemClock
from kiosk.runtime import open_runtime
from provisioning import health as health_mod
from provisioning.health import diagnostics, health, redact

LAN_TOKEN = "lan-S3cret-token-7f3k"
SERVER_PASSWORD = "hunter2-city-pass"
PIN = "2468"



def _edit(data_dir: Path, **sections) -> config_mod.Config:
    cfg = config_mod.load(data_dir)
    for section, values in sections.items():
        for key, value in values.items():
            setattr(getattr(cfg, section), key, value)
    config_mod.save(cfg, data_dir)
    return cfg


def test_unprovisioned_data_dir_is_degraded_and_never_raises(tmp_path):
    for data_dir in (tmp_path / "missing", tmp_path):
        answer = health(data_dir)
        assert answer["status"] == "degraded"
        assert answer["codes"] == ["not_provisioned"]
        assert answer["reasons"][0].startswith("not_provisioned: ")
        report = diagnostics(data_dir)
        assert report["provisioned"] is False and report["office_code"] is None
        assert report["health"]["codes"] == ["not_provisioned"]
        assert report["disk_free_bytes"] > 0
        assert report["version"] and report["boot_id"]
        json.dumps(report)  # plain JSON for the setup service and the city
    assert not (tmp_path / "missing").exists()  # asking made nothing


def test_demo_edge_is_ok_and_diagnostics_say_what_it_is(demo_dir):
    open_runtime(demo_dir).close()
    assert health(demo_dir) == {"status": "ok", "reasons": [], "codes": []}
    report = diagnostics(demo_dir)
    assert report["office_code"] == "DEMO" and report["edge"] is True
    assert report["printer"]["state"] == "unknown"
    assert report["sync"]["backlog"] == 0 and report["sync"]["last_good_push_ms"] is None
    assert report["clock"]["state"] in ("unknown", "synced")
    assert report["camera"]["needed"] is False   # every role: the default, not a terminal
    assert set(report["roles"]) == set(config_mod.ROLES)


def test_diagnostics_redact_secrets(demo_dir):
    cfg = _edit(demo_dir, lan={"token": LAN_TOKEN},
                sync={"server": f"https://kiosk:{SERVER_PASSWORD}@city.example.go.id/"})
    cfg.admin.pin_hash = config_mod.hash_pin(PIN)
    config_mod.save(cfg, demo_dir)
    rt = open_runtime(demo_dir, clock=FakeClock())
    try:
        # a secret quoted in an error message the sync client left behind
        from sync.client import state

        state.put(rt.db, state.LAST_ERROR, {
            "kind": "auth", "message": f"401 for https://kiosk:{SERVER_PASSWORD}@city.example."
            f"go.id with token {LAN_TOKEN}", "server_ms": None, "kiosk_ms": 1})
    finally:
        rt.close()
    text = json.dumps(diagnostics(demo_dir))
    for secret in (LAN_TOKEN, SERVER_PASSWORD, cfg.admin.pin_hash,
                   cfg.admin.pin_hash.split("$")[-1]):
        assert secret not in text
    report = json.loads(text)
    assert report["config"]["lan"]["token"] == "<redacted>"
    assert report["config"]["admin"]["pin_hash"] == "<redacted>"
    assert report["config"]["sync"]["server"] == "https://<redacted>@city.example.go.id/"
    assert report["config"]["lan"]["port"] == 8765  # the rest is still there
    assert "<redacted>" in report["sync"]["last_error"]["message"]
    assert "city.example.go.id" in report["sync"]["server"]
    assert SERVER_PASSWORD not in json.dumps(health(demo_dir))


def test_redact_walks_nested_values():
    value = {"a": [{"api_key": "k1"}, {"Password": "p"}, {"apiToken": "t"}],
             "enroll-token": "x", "secret": {"deep": "y"}, "pin": "", "note": "rtsp://u:p@cam/1",
             "keep_acked_days": 14, "fingerprint": "ab"}
    out = redact(value, ["secret-in-text"])
    assert out == {"a": [{"api_key": "<redacted>"}, {"Password": "<redacted>"},
                         {"apiToken": "<redacted>"}],
                   "enroll-token": "<redacted>", "secret": {"deep": "<redacted>"}, "pin": "",
                   "note": "rtsp://<redacted>@cam/1", "keep_acked_days": 14,
                   "fingerprint": "ab"}
    assert value["a"][0]["api_key"] == "k1"  # a copy


def test_broken_database_is_a_reason_not_an_exception(demo_dir):
    db = config_mod.db_path(demo_dir)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database at all" * 100)
    answer = health(demo_dir)
    assert answer["status"] == "degraded" and "database_unreadable" in answer["codes"]
    report = diagnostics(demo_dir)
    assert report["database"] == "unreadable" and report["printer"] is None
    db.unlink()
    assert health(demo_dir)["codes"] == ["database_missing"]


def test_invalid_config_is_a_reason(demo_dir):
    config_mod.config_path(demo_dir).write_text("[office]\ntimezone = 'CET'\n")
    answer = health(demo_dir)
    assert answer["codes"][0] == "config_invalid"
    assert "office.timezone" in answer["reasons"][0]
    assert diagnostics(demo_dir)["provisioned"] is False


def test_a_broken_config_quoted_in_a_reason_leaks_no_secret(demo_dir):
    """The unauthenticated /health says why config.toml is unusable, never its secrets."""
    config_mod.config_path(demo_dir).write_text(
        f"[lan]\ntoken = '{LAN_TOKEN}'\nedge_url = 'ftp://edge:{SERVER_PASSWORD}@10.0.0.2'\n"
        f"[admin]\npin_hash = 'not-a-hash-{LAN_TOKEN}'\n")
    answer = health(demo_dir)
    assert answer["codes"] == ["config_invalid"]
    assert "lan.edge_url" in answer["reasons"][0]
    text = json.dumps(answer) + json.dumps(diagnostics(demo_dir))
    assert LAN_TOKEN not in text and SERVER_PASSWORD not in text


def test_printer_out_of_paper_and_old_backlog_and_unsynced_clock(demo_dir):
    _edit(demo_dir, sync={"server": "http://127.0.0.1:9/"})
    two_hours_ago = SystemClock().now().wall_ms - 2 * 3600 * 1000
    clock = FakeClock(wall_ms=two_hours_ago, boot_id="an-earlier-boot")
    rt = open_runtime(demo_dir, clock=clock)
    try:
        queue.issue_ticket(rt, "svc-a")
        print_queue.record_printer_state(rt.db, "paper_out", "paper out (test)", clock.now())
    finally:
        rt.close()
    answer = health(demo_dir)
    assert answer["status"] == "degraded"
    assert {"printer_paper_out", "sync_backlog_old", "sync_not_enrolled",
            "clock_unsynced"} <= set(answer["codes"])
    backlog = next(r for r in answer["reasons"] if r.startswith("sync_backlog_old"))
    assert "records not sent" in backlog
    report = diagnostics(demo_dir)
    assert report["printer"]["state"] == "paper_out"
    assert report["sync"]["backlog"] >= 1
    assert report["sync"]["oldest_pending_ms"] == two_hours_ago
    assert report["clock"]["state"] == "unsynced"


def test_disk_nearly_full(demo_dir, monkeypatch):
    monkeypatch.setattr(health_mod, "DISK_MIN_FREE_BYTES", 1 << 62)
    assert "disk_nearly_full" in health(demo_dir)["codes"]


def test_camera_missing_where_the_role_needs_one(demo_dir, tmp_path):
    _edit(demo_dir, device={"roles": ["attendance"]},
          camera={"source": f"replay:{tmp_path / 'no-such-folder'}"})
    answer = health(demo_dir)
    assert "camera_missing" in answer["codes"]
    assert diagnostics(demo_dir)["camera"]["state"] == "missing"
    frames = tmp_path / "frames"
    frames.mkdir()
    _edit(demo_dir, camera={"source": f"replay:{frames}"})
    assert "camera_missing" not in health(demo_dir)["codes"]
    _edit(demo_dir, device={"roles": ["citizen"]},
          camera={"source": f"replay:{tmp_path / 'no-such-folder'}"})
    assert "camera_missing" not in health(demo_dir)["codes"]  # the citizen kiosk can type


def test_lan_client_does_not_judge_the_edges_database(demo_dir):
    _edit(demo_dir, lan={"edge_url": "http://192.168.1.10:8765", "token": LAN_TOKEN},
          device={"roles": ["counter"]})
    config_mod.db_path(demo_dir).unlink()
    assert health(demo_dir)["status"] == "ok"
    assert diagnostics(demo_dir)["database"] == "on the edge"
