"""The ticket's receipt carries its status link as a QR (issue 10, item 5), read back from the
ESC/POS bytes the printer would get."""

from __future__ import annotations

import pytest

from devices.printer import layout_for, render_receipt
from kiosk import print_queue
from kiosk import queue as q
from kiosk.db import write_tx
from tests.printing_support.escpos_decode import printed_receipts


def _printed_qr(runtime, issued, width: int):
    job = print_queue.get_job(runtime.db, issued.print_job_id)
    [receipt] = printed_receipts(render_receipt(job.receipt, layout_for(width)))
    [qr] = receipt.qrs
    return qr


@pytest.mark.parametrize("width", [58, 80])
def test_receipt_qr_is_the_public_status_link_when_a_server_is_configured(runtime, width):
    runtime.config.sync.server = "https://antrian.kota.example.go.id/"
    issued = q.issue_ticket(runtime, "svc-a")
    qr = _printed_qr(runtime, issued, width)
    assert qr.payload == f"https://antrian.kota.example.go.id/s/{issued.ticket.id}"
    assert qr.ec_level == "M"


def test_receipt_qr_uses_the_enrolled_server_when_config_names_none(runtime):
    runtime.config.sync.server = ""
    with write_tx(runtime.db):
        runtime.db.execute(
            "INSERT INTO sync_credentials (id, server, device_id, office_code, public_key,"
            " key_file, enrolled_ms) VALUES (1, 'https://kota.example', 'd', 'o', 'k', 'f', 0)")
    issued = q.issue_ticket(runtime, "svc-a")
    assert _printed_qr(runtime, issued, 80).payload == f"https://kota.example/s/{issued.ticket.id}"


def test_receipt_qr_is_the_ticket_id_without_a_server(runtime):
    runtime.config.sync.server = ""
    issued = q.issue_ticket(runtime, "svc-a")
    assert _printed_qr(runtime, issued, 58).payload == issued.ticket.id
    # A reprint carries the same code.
    job_id = q.reprint_ticket(runtime, issued.ticket.id)
    assert print_queue.get_job(runtime.db, job_id).receipt.qr == issued.ticket.id
