"""The admin screen behind the PIN: today's numbers, times per service and counter, the chart,
CSV export for a date range, printer and sync facts."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from kiosk import queue
from ui import ops

from ui_support import back_to_indonesian, five_taps, make_context, open_shell, tap, type_pin


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


@pytest.fixture
def busy_morning(runtime, clock):
    """Four tickets a minute apart; counter 1 serves A-001 (waited 4 min, served 5 min),
    counter 2 serves B-001 (waited 3 min, served 2 min); two still wait."""
    ids = ["svc-a", "svc-b", "svc-c"]
    for number in (1, 2):
        queue.set_counter(runtime, f"counter-{number}", service_ids=ids, staff_id=None, paused=False)
    for service in ("svc-a", "svc-b", "svc-a", "svc-c"):
        queue.issue_ticket(runtime, service)
        clock.advance(60)
    first = queue.call_next(runtime, "counter-1", ["svc-a"])
    second = queue.call_next(runtime, "counter-2", ["svc-b"])
    assert (first.number, second.number) == ("A-001", "B-001")
    queue.start_service(runtime, first.id)
    queue.start_service(runtime, second.id)
    clock.advance(120)
    queue.finish(runtime, second.id)
    clock.advance(180)
    queue.finish(runtime, first.id)
    return runtime


def open_admin(qtbot, runtime):
    shell = open_shell(qtbot, make_context(runtime))
    five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
    admin = shell.admin_screen
    qtbot.waitUntil(lambda: admin.stats is not None, timeout=5000)
    return shell, admin


def cell(table, row, column):
    return table.item(row, column).text()


def test_admin_shows_todays_counts_times_and_chart(qtbot, busy_morning):
    shell, admin = open_admin(qtbot, busy_morning)
    tiles = {key: value.text() for key, (value, _) in admin.tiles.items()}
    assert tiles == {"issued": "4", "served": "2", "no_show": "0", "waiting_now": "2"}
    table = admin.service_table
    assert table.rowCount() == 3
    assert cell(table, 0, 0) == "A \u00b7 Administrasi Kependudukan"
    assert [cell(table, 0, c) for c in range(1, 8)] == ["2", "1", "0", "4.0", "4.0", "5.0", "5.0"]
    assert [cell(table, 1, c) for c in (1, 2, 4, 6)] == ["1", "1", "3.0", "2.0"]
    counters = {cell(admin.counter_table, r, 0): cell(admin.counter_table, r, 1)
                for r in range(admin.counter_table.rowCount())}
    assert counters["Loket 1"] == "1" and counters["Loket 2"] == "1"
    series = admin.chart.series()
    assert len(series) == 1
    mean, p90 = series[0].barSets()
    assert mean.at(0) == pytest.approx(4.0) and p90.at(1) == pytest.approx(3.0)
    assert admin.printer_label.text() == "Printer: belum diperiksa \u00b7 4 tiket menunggu dicetak"
    assert admin.sync_label.text().startswith("Sinkronisasi: server kota belum diatur \u00b7 ")
    assert admin.sync_label.text().endswith("perubahan belum terkirim")


def test_admin_exports_csv_for_a_date_range(qtbot, busy_morning, tmp_path):
    shell, admin = open_admin(qtbot, busy_morning)
    admin.export_dir = tmp_path / "usb"
    tap(qtbot, admin.export_button)
    qtbot.waitUntil(lambda: admin.last_export is not None, timeout=5000)
    path = admin.last_export
    assert path.parent == tmp_path / "usb" and path.suffix == ".csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["number"] for r in rows] == ["A-001", "B-001", "A-002", "C-001"]
    assert rows[0]["status"] == "done" and rows[0]["wait_s"] == "240" and rows[0]["service_s"] == "300"
    assert admin.export_label.text() == f"4 baris diekspor ke {path}"

    # yesterday: nothing happened, and the screen and the file both say so
    yesterday = admin.from_edit.date().addDays(-1)
    admin.from_edit.setDate(yesterday)
    admin.to_edit.setDate(yesterday)
    tap(qtbot, admin.refresh_button)
    qtbot.waitUntil(lambda: admin.tiles["issued"][0].text() == "0", timeout=5000)
    assert admin.service_table.item(0, 1).text() == "0"
    admin.last_export = None
    tap(qtbot, admin.export_button)
    qtbot.waitUntil(lambda: admin.last_export is not None, timeout=5000)
    assert admin.last_export.name == f"antrian_{yesterday.toPython()}_{yesterday.toPython()}.csv"
    with open(admin.last_export, encoding="utf-8") as fh:
        assert len(fh.read().strip().splitlines()) == 1   # the header alone


def test_export_failure_is_said_on_screen(qtbot, busy_morning, tmp_path):
    shell, admin = open_admin(qtbot, busy_morning)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    admin.export_dir = blocker
    tap(qtbot, admin.export_button)
    qtbot.waitUntil(lambda: admin.export_label.text().startswith("Ekspor gagal: "), timeout=5000)
    assert admin.export_button.isEnabled()


def test_admin_in_english(qtbot, busy_morning):
    shell, admin = open_admin(qtbot, busy_morning)
    tap(qtbot, shell.language_switch.buttons["en"])
    qtbot.waitUntil(lambda: admin.title.text() == "Office admin", timeout=3000)
    assert admin.tiles["issued"][1].text() == "Tickets taken"
    assert cell(admin.service_table, 0, 0) == "A \u00b7 Population Administration"
    assert admin.printer_label.text() == "Printer: not checked yet \u00b7 4 tickets waiting to print"
    assert shell.exit_admin_button.text() == "Leave Admin"


def test_a_range_given_backwards_is_read_forwards(qtbot, busy_morning):
    shell, admin = open_admin(qtbot, busy_morning)
    today = admin.to_edit.date()
    admin.from_edit.setDate(today)
    admin.to_edit.setDate(today.addDays(-3))
    day_from, day_to = admin._range()
    assert day_to - day_from == timedelta(days=3)
    tap(qtbot, admin.refresh_button)
    ops.wait_idle()
    assert admin.tiles["issued"][0].text() == "4"


def test_admin_on_a_staff_pc_reads_and_exports_the_edges_statistics(qtbot, busy_morning,
                                                                    tmp_path):
    """The admin role on another machine of the office: statistics, printer, sync facts and
    the CSV export all come from the edge over the LAN (a real LAN API on loopback)."""
    from tests.lan_support import TOKEN, edge_in_thread
    from ui.app import make_context as app_context

    runtime = busy_morning
    with edge_in_thread(runtime) as edge:
        runtime.config.lan.edge_url, runtime.config.lan.token = edge.url, TOKEN
        ctx, composition = app_context(runtime, "admin", with_devices=False)
        try:
            assert type(ctx.office).__name__ == "RemoteOffice"
            shell = open_shell(qtbot, ctx, role="admin")
            type_pin(qtbot, shell, "1234")
            qtbot.waitUntil(lambda: shell.current_page() is shell.admin_screen, timeout=5000)
            admin = shell.admin_screen
            qtbot.waitUntil(lambda: admin.stats is not None, timeout=10_000)
            tiles = {key: value.text() for key, (value, _) in admin.tiles.items()}
            assert tiles == {"issued": "4", "served": "2", "no_show": "0", "waiting_now": "2"}
            assert cell(admin.service_table, 0, 0) == "A \u00b7 Administrasi Kependudukan"
            assert admin.printer_label.text() == ("Printer: belum diperiksa \u00b7 4 tiket "
                                                  "menunggu dicetak")
            assert admin.sync_label.text().startswith("Sinkronisasi: server kota belum diatur")
            admin.export_dir = tmp_path / "usb"
            tap(qtbot, admin.export_button)
            qtbot.waitUntil(lambda: admin.last_export is not None, timeout=10_000)
            with open(admin.last_export, encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
            assert [r["number"] for r in rows] == ["A-001", "B-001", "A-002", "C-001"]
            shell.close()
            ops.wait_idle()
        finally:
            composition.stop()


def test_statistics_are_fresh_each_time_admin_is_entered(qtbot, busy_morning):
    """Leaving admin and coming back later shows today's numbers without "Perbarui"."""
    shell, admin = open_admin(qtbot, busy_morning)
    assert admin.tiles["issued"][0].text() == "4"
    tap(qtbot, shell.exit_admin_button)
    queue.issue_ticket(busy_morning, "svc-b")     # a citizen took a number meanwhile
    five_taps(qtbot, shell)
    type_pin(qtbot, shell, "1234")
    qtbot.waitUntil(lambda: shell.current_page() is admin, timeout=5000)
    qtbot.waitUntil(lambda: admin.tiles["issued"][0].text() == "5", timeout=5000)


def test_the_month_of_attendance_and_its_csv(qtbot, runtime, clock, tmp_path):
    """Admin > Presensi: the month per employee from the edge's records, and the CSV."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk import badges
    from kiosk.attendance.operations import record_scan
    from kiosk.db import write_tx

    key = Ed25519PrivateKey.generate()
    public = badges.public_bytes(key)
    with write_tx(runtime.db):
        runtime.db["settings"].upsert({"key": f"badge_key.{badges.key_id(public)}",
                                       "value": base64.b64encode(public).decode(),
                                       "updated_ms": 0}, pk="key")
    card = badges.issue_badge(key, "emp-1001", runtime.config.office.code,
                              clock.now().wall_ms - 86_400_000)
    assert record_scan(runtime, card).result == "accepted"
    shell, admin = open_admin(qtbot, runtime)
    tap(qtbot, admin.attendance_button)
    panel = admin.attendance_panel
    qtbot.waitUntil(lambda: panel.data is not None, timeout=5000)
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "Andi Pratama" in names
    andi = names.index("Andi Pratama")
    assert panel.table.horizontalHeaderItem(2).text() == "Hadir"
    panel.ctx.export_dir = tmp_path / "usb"
    tap(qtbot, panel.export_button)
    qtbot.waitUntil(lambda: panel.last_export is not None, timeout=5000)
    text = panel.last_export.read_text(encoding="utf-8")
    assert "emp-1001" in text and panel.last_export.name == f"presensi_{panel.month}.csv"
    assert panel.table.item(andi, 0).text() == "Andi Pratama"
