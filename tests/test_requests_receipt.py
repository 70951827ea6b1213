"""Issue 12: the receipt's QR, printed as the printer would print it, decoded back with
zxing-cpp (tests/printing_support) to the status link, and the link back to the code."""

from __future__ import annotations

import pytest

from devices.printer.render import layout_for, render_receipt
from kiosk import print_queue, tracking
from kiosk.complaints import submit_complaint
from kiosk.letters import submit_request
from tests.printing_support.escpos_decode import nonblank, printed_receipts
from tests.test_requests import APPLICANT, SKU


@pytest.mark.parametrize("width, qr_mode", [(58, "image"), (80, "native"), (80, "image")])
def test_the_request_receipt_qr_reads_back_to_the_status_link(runtime, width, qr_mode):
    runtime.config.sync.server = "https://layanan.samarinda.go.id"
    done = submit_request(runtime, "SKU", APPLICANT, SKU)
    receipt = print_queue.get_job(runtime.db, done.print_job_id).receipt
    [printed] = printed_receipts(render_receipt(receipt, layout_for(width, qr_mode=qr_mode)))
    [qr] = printed.qrs
    assert qr.payload == f"https://layanan.samarinda.go.id/s/{done.code}"
    assert tracking.code_from_scan(qr.payload) == done.code
    text = "\n".join(nonblank(printed))
    assert "6472********0003" in text and APPLICANT["nik"] not in text
    assert done.code in text and "KTP asli" in text


def test_without_a_server_the_qr_holds_the_bare_code(runtime):
    done = submit_complaint(runtime, "lampu", "Lampu jalan mati", "RT 2/RW 1")
    receipt = print_queue.get_job(runtime.db, done.print_job_id).receipt
    [printed] = printed_receipts(render_receipt(receipt, layout_for(80)))
    assert [q.payload for q in printed.qrs] == [done.code]
    assert tracking.code_from_scan(printed.qrs[0].payload) == done.code
