"""``kiosk printer ...`` against the fake network printer on loopback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kiosk import config as config_mod
from kiosk import print_queue as pq
from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.db import open_db, write_tx
from kiosk.receipt import Receipt
from tests.printing_support.escpos_decode import nonblank, printed_receipts
from tests.printing_support.fake_printer import FakePrinter


@pytest.fixture
def fake():
    with FakePrinter() as printer:
        yield printer


def kiosk(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "printer", *args])


def test_printer_test_prints_a_sample_receipt(demo_dir, fake):
    result = kiosk(demo_dir, "test", "--printer", fake.uri, "--timeout", "1")
    assert result.exit_code == 0, result.output
    assert f"test receipt sent to {fake.uri}; printer online" in result.output
    [receipt] = printed_receipts(fake.printed_bytes())
    text = nonblank(receipt)
    assert text[:2] == ["Kelurahan Sungai Pinang Dalam", "CETAK UJI"]   # the demo office
    assert receipt.biggest().text == "A-000"
    assert any(line.endswith("WITA") and line.startswith("Waktu: ") for line in text)
    assert [q.payload for q in receipt.qrs] == ["UJI-PRINTER-0000"]


def test_printer_test_uses_printer_uri_from_the_config(demo_dir, fake):
    cfg = config_mod.load(demo_dir)
    cfg.printer.uri = fake.uri
    cfg.printer.paper_width_mm = 58
    config_mod.save(cfg, demo_dir)
    result = kiosk(demo_dir, "test", "--timeout", "1")
    assert result.exit_code == 0, result.output
    [receipt] = printed_receipts(fake.printed_bytes())
    assert receipt.qrs[0].via == "raster" and receipt.qrs[0].payload == "UJI-PRINTER-0000"


def test_printer_test_on_paper_out_says_so_and_prints_nothing(demo_dir, fake):
    fake.set_mode("paper_out")
    result = kiosk(demo_dir, "test", "--printer", fake.uri, "--timeout", "1")
    assert result.exit_code != 0
    assert "is paper_out" in result.output and "nothing was printed" in result.output
    assert fake.printed_bytes() == b"" and fake.discarded == bytearray()


@pytest.mark.parametrize("mode, state", [("online", "online"), ("paper_out", "paper_out"),
                                         ("cover_open", "cover_open"), ("offline", "offline"),
                                         ("silent", "no_answer"), ("paper_near_end", "paper_near_end")])
def test_printer_status_prints_json_and_stores_it(demo_dir, fake, mode, state):
    cfg = config_mod.load(demo_dir)
    cfg.printer.uri = fake.uri
    config_mod.save(cfg, demo_dir)
    db = open_db(config_mod.db_path(demo_dir))
    with write_tx(db):
        pq.enqueue(db, Receipt("K", "NOMOR ANTRIAN", big_number="A-001"), SystemClock().now(),
                   kind="ticket")
    fake.set_mode(mode)
    result = kiosk(demo_dir, "status", "--printer", fake.uri, "--timeout", "1")
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["state"] == state and got["detail"] and got["pending_jobs"] == 1
    assert got["uri"] == fake.uri and got["checked_ms"] > 0
    stored = json.loads(kiosk(demo_dir, "status", "--stored").output)
    assert (stored["state"], stored["pending_jobs"]) == (state, 1)
    assert pq.printer_state(db)["state"] == state
    db.close()


def test_asking_another_printer_leaves_the_configured_printers_state(demo_dir, fake):
    cfg = config_mod.load(demo_dir)
    cfg.printer.uri = fake.uri
    config_mod.save(cfg, demo_dir)
    assert kiosk(demo_dir, "status", "--timeout", "1").exit_code == 0
    stored = json.loads(kiosk(demo_dir, "status", "--stored").output)
    assert stored["state"] == "online"
    other = kiosk(demo_dir, "status", "--printer", "tcp://127.0.0.1:1", "--timeout", "0.5")
    assert json.loads(other.output)["state"] == "offline"
    assert kiosk(demo_dir, "test", "--printer", "tcp://127.0.0.1:1", "--timeout", "0.5").exit_code != 0
    after = json.loads(kiosk(demo_dir, "status", "--stored").output)
    assert (after["state"], after["checked_ms"]) == ("online", stored["checked_ms"])


def test_printer_status_without_a_data_dir_still_answers(tmp_path, fake):
    result = kiosk(tmp_path / "nothing-here", "status", "--printer", fake.uri)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["state"] == "online"


def test_unreachable_printer_status_is_offline(demo_dir):
    result = kiosk(demo_dir, "status", "--printer", "tcp://127.0.0.1:1", "--timeout", "0.5")
    assert result.exit_code == 0
    assert json.loads(result.output)["state"] == "offline"


def test_bad_uri_is_a_clear_error_naming_printer_uri(demo_dir):
    result = kiosk(demo_dir, "status", "--printer", "tcp//printer:9100")
    assert result.exit_code != 0
    assert "printer.uri" in result.output and "tcp://HOST:9100" in result.output
    assert "(from --printer)" in result.output
    result = kiosk(demo_dir, "test", "--printer", "tcp://printer?qr=sometimes")
    assert result.exit_code != 0 and "qr=native or qr=image" in result.output


def test_jobs_and_reprint(demo_dir):
    db = open_db(config_mod.db_path(demo_dir))
    with write_tx(db):
        job = pq.enqueue(db, Receipt("K", "NOMOR ANTRIAN", big_number="A-007"),
                         SystemClock().now(), kind="ticket", ref_id="t7")
    pq.mark_done(db, job, SystemClock().now())
    assert json.loads(kiosk(demo_dir, "jobs").output) == []
    result = kiosk(demo_dir, "reprint", job)
    assert result.exit_code == 0, result.output
    new = json.loads(result.output)
    assert new["reprint_of"] == job
    [pending] = json.loads(kiosk(demo_dir, "jobs").output)
    assert (pending["id"], pending["big_number"], pending["ref_id"]) == (new["job_id"], "A-007", "t7")
    missing = kiosk(demo_dir, "reprint", "no-such-job")
    assert missing.exit_code != 0 and "does not exist" in missing.output
    cancelled = kiosk(demo_dir, "cancel", new["job_id"])
    assert cancelled.exit_code == 0, cancelled.output
    assert pq.job_status(db, new["job_id"]) == "cancelled"
    assert json.loads(kiosk(demo_dir, "jobs").output) == []
    again = kiosk(demo_dir, "cancel", job)
    assert again.exit_code != 0 and "already done" in again.output
    db.close()


@pytest.mark.parametrize("command", ["test", "status", "jobs", "reprint", "cancel", "run"])
def test_every_printer_command_has_help(command):
    result = CliRunner().invoke(main, ["printer", command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert len(result.output.split("Options:")[0].strip().splitlines()) >= 3


def test_bad_uri_in_config_names_the_key_and_the_file(demo_dir):
    cfg = config_mod.load(demo_dir)
    cfg.printer.uri = "tcp://printer:9100?qr=sometimes"      # passes the config's scheme check
    config_mod.save(cfg, demo_dir)
    result = kiosk(demo_dir, "status")
    assert result.exit_code != 0
    assert "printer.uri" in result.output and "config.toml" in result.output
    assert "qr=native or qr=image" in result.output
