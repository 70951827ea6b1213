"""Receipts as a citizen reads them: rendered to ESC/POS, decoded back from the bytes."""

from __future__ import annotations

import pytest

from devices.printer import ascii_safe, layout_for, open_printer, parse_uri, render_receipt
from kiosk.errors import ConfigError
from kiosk.receipt import Receipt
from tests.printing_support.escpos_decode import decode, nonblank, printed_receipts

TICKET = Receipt(
    office_name="Kelurahan Sungai Pinang Dalam",
    title="NOMOR ANTRIAN",
    big_number="B-014",
    service="Surat Keterangan",
    local_time="23-11-2026 08:15 WITA",
    people_ahead=5,
    qr="https://kiosk.example/t/B-014?k=7f3a",
    lines=["Perkiraan waktu tunggu: 20 menit", "Bawa: KTP dan KK asli — jangan lupa fotokopi"],
    footer=["Terima kasih atas kesabaran Anda"],
)


@pytest.mark.parametrize("width, columns, qr_via", [(58, 32, "raster"), (80, 48, "native")])
def test_ticket_reads_right_on_both_paper_widths(width, columns, qr_via):
    [receipt] = printed_receipts(render_receipt(TICKET, layout_for(width)))
    text = nonblank(receipt)
    assert text[:2] == ["Kelurahan Sungai Pinang Dalam", "NOMOR ANTRIAN"]
    assert "Surat Keterangan" in text
    assert "Waktu: 23-11-2026 08:15 WITA" in text
    assert "5 orang di depan Anda" in text
    assert "Perkiraan waktu tunggu: 20 menit" in text
    assert text[-1] == "Terima kasih atas kesabaran Anda"
    # The big number: the largest characters on the receipt, centred, on one line.
    big = receipt.biggest()
    assert (big.text, big.align) == ("B-014", "center")
    assert big.width >= 4 and big.height >= 4
    assert len(big.text) * big.width <= columns
    # Every line fits the paper at its character width.
    assert all(len(line.text) * line.width <= columns for line in receipt.lines)
    assert [(q.payload, q.via) for q in receipt.qrs] == [(TICKET.qr, qr_via)]
    assert receipt.cut


def test_qr_mode_follows_the_uri_not_only_the_paper():
    native58 = printed_receipts(render_receipt(TICKET, layout_for(58, qr_mode="native")))[0]
    image80 = printed_receipts(render_receipt(TICKET, layout_for(80, profile="TM-T20II",
                                                                 qr_mode="image")))[0]
    assert native58.qrs[0].via == "native" and image80.qrs[0].via == "raster"
    assert image80.qrs[0].payload == native58.qrs[0].payload == TICKET.qr
    # A profile without GS ( k gets an image even on 80 mm paper.
    assert printed_receipts(render_receipt(TICKET, layout_for(80, profile="POS-5890")))[0] \
        .qrs[0].via == "raster"


def test_rendering_writes_nothing_to_stdout(capsys):
    render_receipt(TICKET, layout_for(80, qr_mode="image"))
    render_receipt(TICKET, layout_for(58))
    assert capsys.readouterr().out == ""


def test_long_lines_wrap_to_the_column_count():
    long = Receipt("Kelurahan", "TANDA TERIMA", lines=["Dokumen yang perlu dibawa: " + "KTP, " * 20])
    for width, cols in ((58, 32), (80, 48)):
        receipt = printed_receipts(render_receipt(long, layout_for(width)))[0]
        body = [line.text for line in receipt.lines if line.text.startswith(("Dokumen", "KTP"))]
        assert len(body) > 1 and all(len(t) <= cols for t in body)
        assert " ".join(body).count("KTP") == 20


def test_text_goes_out_ascii_only():
    r = Receipt("Kelurahan Désa “Baru”", "NOMOR ANTRIAN", big_number="A-001",
                lines=["Bu Siti’s café – jam 08.00…", "中文"])
    data = render_receipt(r, layout_for(80))
    receipt = printed_receipts(data)[0]
    assert nonblank(receipt)[0] == 'Kelurahan Desa "Baru"'
    assert "Bu Siti's cafe - jam 08.00..." in nonblank(receipt)
    assert "??" in nonblank(receipt)
    assert all(ord(ch) < 128 for line in receipt.lines for ch in line.text)


def test_ascii_safe_drops_control_characters():
    assert ascii_safe("A\x1b@B\x1dV\x00") == "A?@B?V?"
    assert ascii_safe("naïve ﬁle ½ 中") == "naive file 1/2 ?"


def test_reprint_and_no_one_ahead_and_english_labels():
    receipt = printed_receipts(render_receipt(TICKET.as_reprint(), layout_for(80)))[0]
    assert "*** CETAK ULANG ***" in nonblank(receipt)
    alone = Receipt("K", "QUEUE NUMBER", big_number="A-001", people_ahead=0, language="en")
    assert "No one is ahead of you" in nonblank(printed_receipts(render_receipt(alone))[0])


def test_two_receipts_in_one_stream_decode_as_two():
    data = render_receipt(TICKET) + render_receipt(Receipt("K", "NOMOR ANTRIAN", big_number="B-015"))
    assert [r.biggest().text for r in decode(data)] == ["B-014", "B-015"]


@pytest.mark.parametrize("uri, fragment", [
    ("lpt://printer", "unknown scheme 'lpt'"),
    ("192.168.1.50:9100", "is not a printer URI"),
    ("tcp://", "no host"),
    ("tcp://printer:notaport", "port is not a number"),
    ("usb://04b8", "usb://VID:PID"),
    ("usb://zz:0e15", "vendor id 'zz' is not a number"),
    ("serial://ttyUSB0", "three slashes"),
    ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate 'fast' is not a number"),
    ("tcp://printer?profile=NoSuchPrinter", "not a python-escpos printer profile"),
    ("tcp://printer?qr=maybe", "qr=native or qr=image"),
    ("dummy://?speed=1", "unknown option(s) speed"),
])
def test_bad_uris_say_what_is_wrong_and_name_the_key(uri, fragment):
    with pytest.raises(ConfigError) as info:
        open_printer(uri)
    assert info.value.key == "printer.uri"
    assert str(info.value).startswith("config: printer.uri: ")
    assert fragment in str(info.value)


def test_good_uris():
    assert parse_uri("usb://04b8:0e15").vendor_id == 0x04B8
    assert parse_uri("tcp://10.0.0.5").port == 9100
    assert parse_uri("serial:///dev/ttyUSB0?baudrate=9600").options == {"baudrate": "9600"}
    assert parse_uri("file:///tmp/r.bin").path == "/tmp/r.bin"
    assert open_printer("tcp://10.0.0.5:9100?profile=TM-T20II").layout.native_qr


def test_file_printer_appends_every_job(tmp_path):
    path = tmp_path / "receipts.bin"
    printer = open_printer(f"file://{path}", paper_width_mm=58)
    assert printer.status().state == "unknown" and not printer.reports_status
    printer.print(printer.render(TICKET))
    printer.close()
    printer.print(printer.render(Receipt("K", "NOMOR ANTRIAN", big_number="B-015")))
    printer.close()
    assert [r.biggest().text for r in printed_receipts(path.read_bytes())] == ["B-014", "B-015"]


def test_unreachable_printer_is_offline_not_an_exception():
    printer = open_printer("tcp://127.0.0.1:1", timeout=0.5)
    status = printer.status()
    assert status.state == "offline" and "refused" in status.detail.lower()


def test_the_decoder_notices_broken_streams():
    from tests.printing_support.escpos_decode import tokenize

    data = render_receipt(TICKET, layout_for(58))
    cut_short = data[:len(data) // 2]
    with pytest.raises(ValueError, match="ends inside a command"):
        tokenize(cut_short)
    tokens, used = tokenize(cut_short, final=False)
    assert tokens and used < len(cut_short)
    with pytest.raises(ValueError, match="unknown command"):
        tokenize(b"\x1b\xffA")
    # A damaged raster image no longer yields the payload.
    start = data.index(b"\x1dv0") + 8
    damaged = data[:start] + bytes(len(data[start:start + 2000])) + data[start + 2000:]
    assert printed_receipts(damaged)[0].qrs == []


STATUS_LINK = "https://kota.example.go.id/s/01936f0e-7c1a-7b4e-9a55-1c2b3d4e5f60"


@pytest.mark.parametrize("width", [58, 80])
@pytest.mark.parametrize("qr_mode", ["native", "image"])
@pytest.mark.parametrize("payload", [STATUS_LINK, "01936f0e-7c1a-7b4e-9a55-1c2b3d4e5f60"])
def test_ticket_qr_is_error_correction_m_at_about_60_percent_of_the_paper(width, qr_mode,
                                                                          payload):
    """Issue 10, item 5: the receipt's QR reads back (zxing-cpp, from the printed image or
    the symbol the GS ( k command describes), at error correction M, about 60% of the
    paper's printable width, on both paper widths and both ways of printing a QR."""
    from devices.printer.render import DOTS

    receipt = Receipt(office_name="Kelurahan X", title="NOMOR ANTRIAN", big_number="A-012",
                      qr=payload)
    [printed] = printed_receipts(render_receipt(receipt, layout_for(width, qr_mode=qr_mode)))
    [qr] = printed.qrs
    assert (qr.payload, qr.via) == (payload, "native" if qr_mode == "native" else "raster")
    assert qr.ec_level == "M"
    assert 0.5 <= qr.width_dots / DOTS[width] <= 0.7, (qr.width_dots, DOTS[width])
