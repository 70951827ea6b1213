"""Receipt -> ESC/POS bytes, for 58 mm (32 columns) and 80 mm (48 columns) paper.

The commands come from python-escpos, driven against its in-memory ``Dummy`` printer:
rendering never touches a device, so it is fast, testable, and the same bytes go to every
transport. QR codes use the printer's own ``GS ( k`` command when the capability profile
says it has one, and a raster image (``GS v 0``, drawn by the ``qrcode`` library through
python-escpos) otherwise: cheap 58 mm clones rarely know ``GS ( k``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from escpos.capabilities import get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.image import EscposImage
from escpos.printer import Dummy

from devices.printer.text import ascii_safe
from kiosk.receipt import Receipt

COLUMNS = {58: 32, 80: 48}
#: Printable dots across the paper at 203 dpi.
DOTS = {58: 384, 80: 576}
#: When the URI names no profile: 58 mm printers are mostly clones without GS ( k.
DEFAULT_PROFILE = {58: "POS-5890", 80: "default"}

_LABELS = {
    "id": {"ahead": "{n} orang di depan Anda", "none_ahead": "Tidak ada antrian di depan Anda",
           "one_ahead": "1 orang di depan Anda", "time": "Waktu", "code": "Kode"},
    "en": {"ahead": "{n} people ahead of you", "none_ahead": "No one is ahead of you",
           "one_ahead": "1 person ahead of you", "time": "Time", "code": "Code"},
}


@dataclass(frozen=True)
class Layout:
    """How to draw receipts for one printer."""

    paper_width_mm: int = 80
    profile: str | None = None
    qr_mode: str | None = None        # "native" | "image" | None (from the profile)

    @property
    def columns(self) -> int:
        return COLUMNS[self.paper_width_mm]

    @property
    def profile_name(self) -> str:
        return self.profile or DEFAULT_PROFILE[self.paper_width_mm]

    @property
    def native_qr(self) -> bool:
        if self.qr_mode:
            return self.qr_mode == "native"
        return bool(get_profile(self.profile_name).supports("qrCode"))


def layout_for(paper_width_mm: int, profile: str | None = None, qr_mode: str | None = None) -> Layout:
    if paper_width_mm not in COLUMNS:
        raise ValueError(f"paper width {paper_width_mm} mm: use 58 or 80")
    return Layout(paper_width_mm, profile, qr_mode)


def big_multiplier(text: str, columns: int) -> int:
    """As large as fits on one line, at most 6x (a 6x number is readable at arm's length)."""
    return max(1, min(6, columns // max(1, len(text))))


def render_receipt(receipt: Receipt, layout: Layout | None = None) -> bytes:
    layout = layout or Layout()
    cols = layout.columns
    labels = _LABELS.get(receipt.language, _LABELS["id"])
    p = Dummy(profile=layout.profile_name)

    def out(text: str = "", *, width: int = cols) -> None:
        for line in textwrap.wrap(ascii_safe(text), width) or [""]:
            p._raw(line.encode("ascii") + b"\n")

    p.hw("INIT")
    p.set(align="center", bold=True, normal_textsize=True)
    out(receipt.office_name)
    p.set(bold=False)
    if receipt.title:
        out(receipt.title)
    if receipt.big_number:
        big = ascii_safe(receipt.big_number)
        size = big_multiplier(big, cols)
        p.set(custom_size=True, width=size, height=size, bold=True)
        out(big, width=max(1, cols // size))
        p.set(normal_textsize=True, bold=False)
    if receipt.copy_note:
        p.set(bold=True)
        out(f"*** {receipt.copy_note} ***")
        p.set(bold=False)
    if receipt.service:
        p.set(double_height=True)
        out(receipt.service)
        p.set(normal_textsize=True)
    p.set(align="left")
    out("-" * cols)
    if receipt.local_time:
        out(f"{labels['time']}: {receipt.local_time}")
    if receipt.people_ahead is not None:
        n = receipt.people_ahead
        out(labels["none_ahead"] if n == 0 else labels["one_ahead"] if n == 1
            else labels["ahead"].format(n=n))
    for line in receipt.lines:
        out(line)
    if receipt.qr:
        p.set(align="center")
        _qr(p, ascii_safe(receipt.qr), layout)
        out(receipt.qr)
    if receipt.footer:
        p.set(align="center")
        for line in receipt.footer:
            out(line)
    p.set(align="left")
    p.cut()
    profile = get_profile(layout.profile_name)
    if not (profile.supports("paperFullCut") or profile.supports("paperPartCut")):
        # python-escpos sends no cut for profiles without a cutter; printers without one
        # ignore GS V, and a clone whose profile undersells it still cuts.
        p._raw(b"\x1dV\x01")
    return p.output


#: A receipt's QR is about this share of the printable width (docs/PRINTING.md): big enough
#: for an old phone camera at arm's length, small enough to leave margins.
QR_WIDTH_SHARE = 0.6


def _qr_matrix(payload: str):
    """The QR symbol for ``payload`` at error correction M, the smallest version that holds
    it: what a printer's own ``GS ( k`` draws, and what the raster fallback prints. A fixed
    mask pattern: choosing the "best" of eight is 70% of the time in pure-Python qrcode,
    and any mask gives a valid, readable code."""
    import qrcode

    code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M,
                         mask_pattern=0)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_module_dots(modules: int, paper_width_mm: int) -> int:
    """Dots per module so that ``modules`` modules span about 60% of the paper (the nearest
    whole number; GS ( k takes 1..16)."""
    return max(1, min(16, round(DOTS[paper_width_mm] * QR_WIDTH_SHARE / modules)))


def _qr(p: Dummy, payload: str, layout: Layout) -> None:
    code = _qr_matrix(payload)
    box = qr_module_dots(code.modules_count, layout.paper_width_mm)
    if layout.native_qr:
        # GS ( k: model 2, error correction M (python-escpos defaults to L), module size.
        p.qr(payload, ec=QR_ECLEVEL_M, size=box, native=True)
        p._raw(b"\n")
        return
    # One QR matrix drawn at that module size (python-escpos's own qr(native=False) would
    # build it twice to size it, and its centring needs a profile that knows the paper's
    # dots; ESC a 1 centres it anyway).
    code.box_size = box
    image = code.make_image().get_image().convert("1")
    # GS v 0 with python-escpos's own raster conversion. Not p.image(): it print()s a
    # warning to stdout when the profile does not know the paper's width in dots (the
    # "default" profile), and stdout may be the JSON of a CLI command.
    raster = EscposImage(image)
    p._raw(b"\n\x1dv0\x00" + raster.width_bytes.to_bytes(2, "little")
           + raster.height.to_bytes(2, "little") + raster.to_raster_format() + b"\n")
