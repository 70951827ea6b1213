"""Sync as the office meets it: the app runs the background worker on the edge, the admin
screen's sync page shows the backlog, the last push and pull, errors in words, the clock and
the dead letters, "Sinkronkan sekarang" brings a round, and services the city adds reach
the citizen screen without a restart.

The city server is the real one: in-process behind tests/sync_support's FaultTransport (the
wire is the only thing simulated), or under uvicorn on a loopback port where the app's own
start-up is tested.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk import config as config_mod
from kiosk import outbox
from kiosk.clock import FakeClock
from kiosk.db import write_tx
from sync.client import SyncWorker, enroll
from sync.client.backoff import Backoff
from sync.client.office_ops import attach_worker, attached_worker
from tests.sync_support.harness import ADMIN, BASE, Server
from ui import ops
from ui.admin_sync import local_text

from ui_support import (back_to_indonesian, five_taps, make_context, open_shell, tap, type_pin,
                        wait_services)

START_MS = 1_795_000_000_000


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


class PatientBackoff(Backoff):
    """An hour after any failure: only "Sinkronkan sekarang" can bring the next round."""

    def next_delay(self, retry_after: float | None = None) -> float:
        self.attempt += 1
        return 3600.0


@pytest.fixture
def city(tmp_path, clock):
    """The real city server in-process with the office DEMO (the demo kiosk's office)."""
    srv = Server(tmp_path / "server.db", server_clock=FakeClock(wall_ms=clock.wall_ms,
                                                                boot_id="city")).start()
    srv.add_office("DEMO")
    yield srv
    srv.stop()


def enroll_kiosk(runtime, server_url: str, token: str, transport=None) -> None:
    """What the technician does: ``kiosk enroll``, and [sync] server in config.toml."""
    enroll(runtime.db, runtime.data_dir, server_url, token, runtime.config.device.id,
           clock=runtime.clock, transport=transport)
    runtime.config.sync.server = server_url
    config_mod.save(runtime.config, runtime.data_dir)


@pytest.fixture
def enrolled(runtime, city):
    enroll_kiosk(runtime, BASE, city.enroll_token("DEMO"), transport=city.fault)
    return runtime


@pytest.fixture
def start_worker(enrolled, city):
    """The worker as the app runs it, on the in-process server; long pauses between rounds,
    so what happens on screen is the work of the rounds the test asks for."""
    started: list[SyncWorker] = []

    def start(**kw) -> SyncWorker:
        worker = SyncWorker(enrolled.data_dir, clock=enrolled.clock, server=BASE,
                            transport=city.fault, interval_s=3600, timeout=10,
                            backoff=kw.pop("backoff", PatientBackoff()), **kw).start()
        started.append(worker)
        attach_worker(enrolled.data_dir, worker)     # as the composition root does
        return worker

    yield start
    attach_worker(enrolled.data_dir, None)
    for worker in started:
        worker.stop()


def tick(city: Server, clock: FakeClock, seconds: float) -> None:
    city.server_clock.advance(seconds)
    clock.advance(seconds)


def wait_rounds(qtbot, worker: SyncWorker, rounds: int) -> dict:
    qtbot.waitUntil(lambda: (worker.snapshot().get("rounds") or 0) >= rounds, timeout=10_000)
    return worker.snapshot()


def write_backlog(runtime, city: Server) -> None:
    """Two tickets through the domain, and one record that names another office (the server
    refuses it: it must end among the dead letters and never block the queue)."""
    from kiosk import queue

    queue.issue_ticket(runtime, "svc-a")
    queue.issue_ticket(runtime, "svc-b")
    with write_tx(runtime.db):
        outbox.append(runtime.db, "print_jobs", "job-other-office",
                      {"id": "job-other-office", "office_id": "office-elsewhere"},
                      runtime.clock.now())


def open_sync_page(qtbot, services, role="citizen"):
    shell = open_shell(qtbot, services, role=role)
    if role != "admin":
        five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    admin = shell.admin_screen
    qtbot.waitUntil(lambda: admin.sync_info is not None, timeout=5000)
    tap(qtbot, admin.sync_button)
    panel = admin.sync_panel
    assert admin.pages.currentWidget() is panel
    return shell, admin, panel


def tile(panel, key: str) -> str:
    return panel.tiles[key][0].text()


def test_admin_shows_a_round_with_a_rejected_item(qtbot, enrolled, city, start_worker):
    runtime = enrolled
    write_backlog(runtime, city)
    tick(city, runtime.clock, 90)
    worker = start_worker()
    snap = wait_rounds(qtbot, worker, 1)
    assert snap["ok"] is True, snap

    services = make_context(runtime)
    shell, admin, panel = open_sync_page(qtbot, services)
    assert shell.current_page() is admin
    qtbot.waitUntil(lambda: tile(panel, "pending") == "0", timeout=5000)
    pushed_at = local_text(city.server_clock.wall_ms, "WITA")
    assert runtime.config.office.timezone == "WITA"
    assert tile(panel, "oldest") == "\u2014"
    assert tile(panel, "dead") == "1"
    assert panel.values["push"].text() == pushed_at
    assert panel.values["pull"].text() == pushed_at
    assert panel.values["round"].text().endswith(" terkirim, 1 ditolak; 1 perubahan dari server")
    assert panel.values["error"].text() == "tidak ada"
    assert panel.values["clock"].text() == "tepat \u00b7 selisih kurang dari 1 detik dengan server"
    assert panel.state_label.text() == "Berjalan di latar belakang \u00b7 tersambung ke http://city.test"
    assert panel.dead_title.text().startswith("Ditolak server, tidak dikirim ulang (1).")
    table = panel.dead_table
    assert table.isVisible() and table.rowCount() == 1
    assert [table.item(0, c).text() for c in (0, 1, 3)] == ["print_jobs", "job-other-office", pushed_at]
    assert table.item(0, 2).text().startswith("403: ")
    # the tickets themselves are on the city server, once
    stored = {c["table"] for c in city.changes(runtime.config.device.id).values()}
    assert "tickets" in stored and len(city.changes(runtime.config.device.id)) == int(
        panel.values["round"].text().split(" ")[0])

    # the statistics page's line says the same in short
    tap(qtbot, panel.back_button)
    assert admin.pages.currentWidget() is admin.stats_page
    assert admin.sync_label.text() == ("Sinkronisasi: http://city.test \u00b7 0 perubahan belum "
                                       "terkirim \u00b7 1 ditolak server")


def test_backlog_offline_then_sync_now_sends_it(qtbot, enrolled, city, start_worker):
    runtime = enrolled
    write_backlog(runtime, city)
    city.fault.add("drop_request", path="/sync/meta")        # the link is down at first
    worker = start_worker()
    snap = wait_rounds(qtbot, worker, 1)
    assert snap["ok"] is False and snap["last_error"]["kind"] == "link"
    tick(city, runtime.clock, 150)
    pending = snap["pending"]
    assert pending >= 3

    services = make_context(runtime)
    shell, admin, panel = open_sync_page(qtbot, services)
    assert shell.current_page() is admin
    qtbot.waitUntil(lambda: tile(panel, "pending") == str(pending), timeout=5000)
    assert tile(panel, "oldest") == "2 menit"
    assert tile(panel, "dead") == "0"
    assert panel.values["push"].text() == "belum pernah"
    assert panel.values["pull"].text() == "belum pernah"
    assert panel.values["error"].text().endswith(
        "Server kota tidak dapat dihubungi. Periksa jaringan (kabel atau Wi-Fi) dan alamat "
        "server. Data tetap tersimpan dan terkirim otomatis.")
    assert panel.error_detail.text().startswith("Rincian teknis: GET /sync/meta: no answer")
    assert panel.values["clock"].text().startswith("tidak pasti: belum pernah dicocokkan")
    assert panel.state_label.text().startswith("Berjalan di latar belakang \u00b7 putaran terakhir gagal")
    assert panel.dead_title.text() == "Tidak ada data yang ditolak server."
    assert not panel.dead_table.isVisible()
    assert worker.snapshot()["rounds"] == 1      # nothing retries by itself for an hour

    # the link is back; the technician does not want to wait
    assert panel.sync_now_button.isEnabled()
    tap(qtbot, panel.sync_now_button)
    assert panel.state_label.text().startswith("Sedang menyinkronkan\u2026")
    qtbot.waitUntil(lambda: tile(panel, "pending") == "0", timeout=10_000)
    assert worker.snapshot()["rounds"] == 2
    assert panel.values["push"].text() == local_text(city.server_clock.wall_ms, "WITA")
    assert panel.values["error"].text() == "tidak ada"
    assert not panel.error_detail.isVisible()
    assert tile(panel, "dead") == "1" and panel.dead_table.rowCount() == 1
    assert panel.state_label.text() == "Berjalan di latar belakang \u00b7 tersambung ke http://city.test"


def test_sync_page_in_english(qtbot, enrolled, city, start_worker):
    worker = start_worker()
    wait_rounds(qtbot, worker, 1)
    services = make_context(enrolled)
    shell, admin, panel = open_sync_page(qtbot, services)
    qtbot.waitUntil(lambda: panel.values["error"].text() == "tidak ada", timeout=5000)
    tap(qtbot, shell.language_switch.buttons["en"])
    qtbot.waitUntil(lambda: panel.sync_now_button.text() == "Sync now", timeout=3000)
    assert panel.values["error"].text() == "none"
    assert panel.captions["push"].text() == "Last good push"
    assert panel.state_label.text() == "Running in the background \u00b7 connected to http://city.test"
    assert panel.dead_title.text() == "Nothing was rejected by the server."
    tap(qtbot, panel.back_button)
    assert admin.sync_button.text() == "Sync details"


@pytest.mark.parametrize("setup", ["not_configured", "not_enrolled"])
def test_without_sync_nothing_starts_and_the_admin_screen_says_why(qtbot, runtime, setup):
    from ui.app import make_context as app_services

    if setup == "not_enrolled":
        runtime.config.sync.server = "http://127.0.0.1:9"
    services, composition = app_services(runtime, "admin")
    assert composition.workers.sync is None and attached_worker(runtime.data_dir) is None
    assert not [t for t in threading.enumerate() if t.name == "sync-worker"]
    pending = outbox.pending_count(runtime.db)
    shell = open_shell(qtbot, services, role="admin")
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    admin = shell.admin_screen
    qtbot.waitUntil(lambda: admin.sync_info is not None, timeout=5000)
    if setup == "not_configured":
        assert admin.sync_label.text() == (f"Sinkronisasi: server kota belum diatur \u00b7 {pending} "
                                           "perubahan belum terkirim")
    else:
        assert admin.sync_label.text() == ("Sinkronisasi: belum terdaftar di server kota \u00b7 "
                                           f"{pending} perubahan belum terkirim")
    tap(qtbot, admin.sync_button)
    panel = admin.sync_panel
    words = {
        "not_configured": "Sinkronisasi belum diatur: alamat server kota ([sync] server) masih "
                          "kosong. Semua data tetap tersimpan di perangkat ini dan terkirim "
                          "setelah diatur.",
        "not_enrolled": "Perangkat ini belum terdaftar di server kota, jadi belum ada yang "
                        "dikirim. Teknisi: jalankan kiosk enroll --server URL --token TOKEN "
                        "dengan token dari kantor kota, lalu mulai ulang aplikasi.",
    }
    assert panel.state_label.text() == words[setup]
    assert not panel.sync_now_button.isEnabled()
    assert tile(panel, "pending") == str(pending)       # the backlog shows offline all the same
    assert panel.values["clock"].text() == "belum dicocokkan (sinkronisasi belum berjalan)"
    tap(qtbot, panel.sync_now_button)                     # a disabled button does nothing
    assert panel.state_label.text() == words[setup]


def test_a_screen_on_the_lan_does_not_sync(qtbot, enrolled):
    from ui.app import make_context as app_services

    enrolled.config.lan.edge_url = "http://127.0.0.1:9"     # the queue lives on the edge
    services, composition = app_services(enrolled, "counter", with_devices=True)
    try:
        assert composition.workers.sync is None and attached_worker(enrolled.data_dir) is None
        assert type(services.office).__name__ == "RemoteOffice"
    finally:
        composition.stop()


def test_every_sync_string_has_its_english() -> None:
    """Each self.tr("...") of the sync page is in sync_en.ts, translated."""
    import ast
    import xml.etree.ElementTree as ET
    from pathlib import Path

    import ui

    here = Path(ui.__file__).parent
    ts = ET.parse(here / "translations" / "sync_en.ts").getroot()
    translated = {}
    for message in ts.iter("message"):
        translation = message.find("translation")
        forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
        assert all(forms) and translation.get("type") is None, message.find("source").text
        translated[message.find("source").text] = forms
    used = {node.args[0].value for node in ast.walk(ast.parse((here / "admin_sync.py").read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "tr"
            and node.args and isinstance(node.args[0], ast.Constant)}
    used |= {"Detail sinkronisasi", "%n ditolak server"}      # asked of the panel by admin.py
    assert used <= set(translated), used - set(translated)
    assert len(used) >= 50


# --- the app itself, against the city server on a loopback port ----------------------------

@contextlib.contextmanager
def city_on_loopback(tmp_path) -> Iterator[str]:
    """``kiosk server``'s app under uvicorn in a thread on 127.0.0.1; yields its URL."""
    import uvicorn

    from sync.server import create_app

    app = create_app(f"sqlite:///{tmp_path / 'city.db'}", admin_token=ADMIN)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "city server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def admin_call(url: str, method: str, path: str, body=None) -> httpx.Response:
    resp = httpx.request(method, url + path, json=body, timeout=10,
                         headers={"Authorization": f"Bearer {ADMIN}"})
    assert resp.status_code < 300, resp.text
    return resp


def test_the_app_starts_the_worker_on_the_edge_and_stops_it_on_close(qtbot, runtime, tmp_path):
    from ui.app import run_app

    with city_on_loopback(tmp_path) as url:
        admin_call(url, "POST", "/admin/offices", {"code": "DEMO", "name": "Kelurahan Demo",
                                                   "timezone": "WITA"})
        token = admin_call(url, "POST", "/admin/enroll-tokens", {"office_code": "DEMO"}).json()["token"]
        enroll_kiosk(runtime, url, token)
        from kiosk import queue

        queue.issue_ticket(runtime, "svc-c")
        seen: dict = {}
        deadline = time.monotonic() + 15

        def watch() -> None:
            """Inside the running app: find its window, wait for a good round, close it."""
            shells = [w for w in QApplication.topLevelWidgets()
                      if type(w).__name__ == "Shell" and w.isVisible()]
            worker = attached_worker(runtime.data_dir) if shells else None
            if worker is not None:
                seen["worker"] = worker
                snap = worker.snapshot()
                if snap.get("ok") and snap.get("pending") == 0:
                    seen["snap"] = snap
                    seen["threads"] = [t.name for t in threading.enumerate()]
            if "snap" in seen or time.monotonic() > deadline:
                timer.stop()
                for shell in shells:
                    shell.close()

        timer = QTimer()
        timer.setInterval(50)
        timer.timeout.connect(watch)
        timer.start()
        assert run_app(runtime, role="admin", windowed=True) == 0
        worker = seen.get("worker")
        assert worker is not None, "the app did not start a sync worker"
        assert "snap" in seen, worker.snapshot()
        assert "sync-worker" in seen["threads"]
        assert seen["snap"]["server"] == url
        # closed: the worker's thread has ended and says so
        assert worker.snapshot()["running"] is False
        assert not [t for t in threading.enumerate() if t.name == "sync-worker"]
        stats = admin_call(url, "GET", "/admin/stats").json()
        assert stats["duplicate_record_ids"] == 0
    assert outbox.pending_count(runtime.db) == 0


# --- reference data ------------------------------------------------------------------------

def test_a_service_the_city_adds_shows_on_the_citizen_screen_without_restart(
        qtbot, enrolled, city, start_worker):
    worker = start_worker()
    first = wait_rounds(qtbot, worker, 1)
    services = make_context(enrolled)
    shell = open_shell(qtbot, services)
    wait_services(qtbot, shell, 3)
    screen = shell.role_screen

    city.admin("PUT", "/admin/reference", {"office_code": "DEMO", "changes": [
        {"table": "services", "record_id": "svc-d", "payload": {
            "id": "svc-d", "prefix": "D", "name_id": "Legalisir Dokumen",
            "name_en": "Document Legalisation", "description_id": "Legalisir fotokopi dokumen",
            "active": 1, "sort_order": 9}}]})
    worker.poke()
    snap = wait_rounds(qtbot, worker, first["rounds"] + 1)
    assert snap["ok"] and snap["pull"]["applied"] == 1

    # Ibu Sari takes a number; when the kiosk returns home the new service is there
    button = next(b for b in screen.service_buttons if b.service.prefix == "A")
    tap(qtbot, button)
    with qtbot.waitSignal(screen.ticket_shown, timeout=5000):
        tap(qtbot, screen.take_button)
    assert len(screen.service_buttons) == 3
    tap(qtbot, screen.done_button)
    wait_services(qtbot, shell, 4)
    names = [b.name_label.text() for b in screen.service_buttons]
    assert names[-1] == "Legalisir Dokumen"

    # and the city renames it: the back button (home again) shows the new name
    city.admin("PUT", "/admin/reference", {"office_code": "DEMO", "changes": [
        {"table": "services", "record_id": "svc-d", "payload": {
            "id": "svc-d", "prefix": "D", "name_id": "Legalisir", "name_en": "Legalisation",
            "active": 1, "sort_order": 9}}]})
    worker.poke()
    wait_rounds(qtbot, worker, snap["rounds"] + 1)
    tap(qtbot, screen.service_buttons[0])
    tap(qtbot, screen.back_button)
    qtbot.waitUntil(lambda: screen.service_buttons[-1].name_label.text() == "Legalisir",
                    timeout=5000)


def test_after_kiosk_enroll_the_admin_page_agrees_with_the_sync_client(
        qtbot, enrolled, city, start_worker):
    """`kiosk enroll` runs in another process while the app runs: it writes the credentials
    and [sync] server, and the app's own config object still says "no server". The page
    must read the configuration the sync client uses, not say "server not set up" beside
    "last push succeeded"."""
    runtime = enrolled                                  # enrolled and [sync] server on disk,
    runtime.config.sync.server = ""                     # but the app loaded config.toml before
    assert config_mod.load(runtime.data_dir).sync.server == BASE
    worker = start_worker()
    assert wait_rounds(qtbot, worker, 1)["ok"] is True

    services = make_context(runtime)
    shell, admin, panel = open_sync_page(qtbot, services)
    qtbot.waitUntil(lambda: panel.values["push"].text() not in ("", "\u2014"), timeout=5000)
    assert "belum diatur" not in panel.state_label.text()
    assert "belum diatur" not in admin.sync_label.text()
    assert panel.state_label.text().endswith("tersambung ke http://city.test")
