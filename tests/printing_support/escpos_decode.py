"""Turn recorded ESC/POS bytes back into what a citizen reads on paper.

``tokenize`` splits a byte stream into commands (knowing each command's length, so image
and QR payloads are never mistaken for commands); the fake printer uses it incrementally to
find DLE EOT queries. ``decode`` replays the commands into receipts: text lines with their
alignment and character size, QR payloads, and cuts. Every QR is decoded from an image with
zxing-cpp, as a phone would read it: a raster ``GS v 0`` image as printed, a native ``GS ( k``
symbol rebuilt from the command's data, error-correction level and module size (the printer
draws it; the ``qrcode`` library draws the same symbol here), so the printed size in dots is
known for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import qrcode
import zxingcpp
from PIL import Image

ESC, GS, DLE = 0x1B, 0x1D, 0x10

# ESC commands with a fixed number of parameter bytes.
_ESC_FIXED = {ord(c): n for c, n in {
    "@": 0, "!": 1, "E": 1, "a": 1, "-": 1, "M": 1, "t": 1, "d": 1, "J": 1, "2": 0, "3": 1,
    "G": 1, "{": 1, "V": 1, "R": 1, "r": 1, "e": 1, "U": 1, " ": 1, "=": 1, "<": 0,
    "p": 3, "$": 2, "\\": 2, "S": 0, "L": 0, "T": 1, "W": 8, "%": 1, "?": 1, "i": 0, "m": 0,
}.items()}
_GS_FIXED = {ord(c): n for c, n in {
    "!": 1, "B": 1, "b": 1, "L": 2, "W": 2, "h": 1, "w": 1, "H": 1, "f": 1, "a": 1, "r": 1,
    "I": 1, "P": 2, "$": 2, "\\": 2, "^": 3, ":": 0,
}.items()}


@dataclass(frozen=True)
class Token:
    kind: str            # "text" | "lf" | "cmd"
    name: str            # e.g. "ESC @", "GS ( k", "DLE EOT"
    args: bytes = b""
    data: bytes = b""


class Incomplete(Exception):
    pass


def _need(buf: bytes, end: int) -> None:
    if end > len(buf):
        raise Incomplete


def _one(buf: bytes, i: int) -> tuple[Token, int]:
    b = buf[i]
    if b == 0x0A:
        return Token("lf", "LF"), i + 1
    if b == ESC:
        _need(buf, i + 2)
        c = buf[i + 1]
        if c in _ESC_FIXED:
            end = i + 2 + _ESC_FIXED[c]
            _need(buf, end)
            return Token("cmd", f"ESC {chr(c)}", buf[i + 2:end]), end
        if c == ord("*"):                         # column image: m nL nH data
            _need(buf, i + 5)
            m, n = buf[i + 2], buf[i + 3] + 256 * buf[i + 4]
            end = i + 5 + n * (3 if m >= 32 else 1)
            _need(buf, end)
            return Token("cmd", "ESC *", buf[i + 2:i + 5], buf[i + 5:end]), end
        if c == ord("c"):
            _need(buf, i + 4)
            return Token("cmd", "ESC c", buf[i + 2:i + 4]), i + 4
        raise ValueError(f"unknown command ESC 0x{c:02x} at byte {i}")
    if b == GS:
        _need(buf, i + 2)
        c = buf[i + 1]
        if c in _GS_FIXED:
            end = i + 2 + _GS_FIXED[c]
            _need(buf, end)
            return Token("cmd", f"GS {chr(c)}", buf[i + 2:end]), end
        if c == ord("V"):
            _need(buf, i + 3)
            end = i + 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else i + 3
            _need(buf, end)
            return Token("cmd", "GS V", buf[i + 2:end]), end
        if c == ord("v"):                         # GS v 0 m xL xH yL yH data
            _need(buf, i + 8)
            xb = buf[i + 4] + 256 * buf[i + 5]
            y = buf[i + 6] + 256 * buf[i + 7]
            end = i + 8 + xb * y
            _need(buf, end)
            return Token("cmd", "GS v 0", buf[i + 3:i + 8], buf[i + 8:end]), end
        if c == ord("("):                         # GS ( X pL pH data
            _need(buf, i + 5)
            n = buf[i + 3] + 256 * buf[i + 4]
            end = i + 5 + n
            _need(buf, end)
            return Token("cmd", f"GS ( {chr(buf[i + 2])}", b"", buf[i + 5:end]), end
        if c == ord("k"):                         # barcode, format B: m n data
            _need(buf, i + 3)
            m = buf[i + 2]
            if m >= 65:
                _need(buf, i + 4)
                end = i + 4 + buf[i + 3]
                _need(buf, end)
                return Token("cmd", "GS k", bytes([m]), buf[i + 4:end]), end
            end = buf.find(b"\x00", i + 3)
            if end < 0:
                raise Incomplete
            return Token("cmd", "GS k", bytes([m]), buf[i + 3:end]), end + 1
        raise ValueError(f"unknown command GS 0x{c:02x} at byte {i}")
    if b == DLE:
        _need(buf, i + 2)
        c = buf[i + 1]
        if c == 0x04:
            _need(buf, i + 3)
            return Token("cmd", "DLE EOT", buf[i + 2:i + 3]), i + 3
        if c == 0x14:                             # DLE DC4 fn ...
            _need(buf, i + 3)
            fn = buf[i + 2]
            end = i + (10 if fn == 8 else 5)
            _need(buf, end)
            return Token("cmd", "DLE DC4", buf[i + 2:end]), end
        if c == 0x05:
            _need(buf, i + 3)
            return Token("cmd", "DLE ENQ", buf[i + 2:i + 3]), i + 3
        raise ValueError(f"unknown command DLE 0x{c:02x} at byte {i}")
    if b < 0x20 or b == 0x7F:
        return Token("cmd", f"CTRL 0x{b:02x}"), i + 1
    j = i
    while j < len(buf) and 0x20 <= buf[j] != 0x7F and buf[j] < 0x80 or (j < len(buf) and buf[j] >= 0x80):
        j += 1
    return Token("text", "TEXT", data=buf[i:j]), j


def next_token(buf: bytes, i: int) -> tuple[Token, int]:
    """The token at ``i`` and where the next begins; raises Incomplete if cut short."""
    return _one(buf, i)


def tokenize(buf: bytes, *, final: bool = True) -> tuple[list[Token], int]:
    """Tokens and how many bytes they used. With ``final=False`` an incomplete command at
    the end is left for the next call (a network stream arrives in pieces)."""
    tokens: list[Token] = []
    i = 0
    while i < len(buf):
        try:
            token, i2 = _one(buf, i)
        except Incomplete:
            if final:
                raise ValueError(f"stream ends inside a command at byte {i}") from None
            break
        tokens.append(token)
        i = i2
    return tokens, i


@dataclass
class Line:
    text: str
    align: str = "left"
    bold: bool = False
    width: int = 1       # character width multiplier
    height: int = 1


@dataclass
class QR:
    payload: str
    via: str             # "native" | "raster"
    ec_level: str = ""   # "L" | "M" | "Q" | "H", as read from the symbol
    width_dots: int = 0  # the symbol's printed width (without quiet zone), in dots


@dataclass
class Receipt:
    lines: list[Line] = field(default_factory=list)
    qrs: list[QR] = field(default_factory=list)
    cut: bool = False
    clears: int = 0      # DLE DC4 8 (clear buffers) seen

    @property
    def text(self) -> list[str]:
        return [line.text for line in self.lines]

    def biggest(self) -> Line:
        return max(self.lines, key=lambda line: (line.width * line.height, bool(line.text)))


def _read(pixels: np.ndarray) -> list[QR]:
    """QR codes in a grayscale image (0 = ink), with their width in pixels (= dots)."""
    pixels = np.pad(pixels, 16, constant_values=255)          # quiet zone
    found = []
    for r in zxingcpp.read_barcodes(Image.fromarray(pixels)):
        if r.format != zxingcpp.BarcodeFormat.QRCode:
            continue
        pos = r.position
        width = max(pos.top_right.x, pos.bottom_right.x) - min(pos.top_left.x, pos.bottom_left.x)
        found.append(QR(r.text, "", r.ec_level, width + 1))
    return found


#: GS ( k <Function 169> n -> level.
_NATIVE_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
_QRCODE_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
              "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def _decode_native(data: bytes, ec_level: str, module_dots: int) -> list[QR]:
    """The symbol a printer draws for GS ( k: the smallest model 2 version holding ``data``
    at ``ec_level``, ``module_dots`` dots per module."""
    code = qrcode.QRCode(border=0, box_size=module_dots, error_correction=_QRCODE_EC[ec_level])
    code.add_data(data)
    code.make(fit=True)
    image = np.array(code.make_image().get_image().convert("L"))
    return [QR(q.payload, "native", q.ec_level, q.width_dots) for q in _read(image)]


def _decode_raster(images: list[tuple[int, int, bytes]]) -> list[QR]:
    rows = []
    for width_bytes, height, data in images:
        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).reshape(height, width_bytes * 8)
        rows.append(bits)
    width = max(r.shape[1] for r in rows)
    bits = np.vstack([np.pad(r, ((0, 0), (0, width - r.shape[1]))) for r in rows])
    pixels = np.where(bits == 1, 0, 255).astype(np.uint8)
    return [QR(q.payload, "raster", q.ec_level, q.width_dots) for q in _read(pixels)]


def decode(data: bytes) -> list[Receipt]:
    """Receipts in the order they came off the printer; the last one may be uncut."""
    tokens, _ = tokenize(data)
    receipts = [Receipt()]
    style = {"align": "left", "bold": False, "width": 1, "height": 1}
    pending_text: list[bytes] = []
    line_style = dict(style)
    images: list[tuple[int, int, bytes]] = []
    qr_store = b""
    qr_ec, qr_module = "L", 3           # the printer's defaults until GS ( k sets them

    def flush_images() -> None:
        if images:
            receipts[-1].qrs.extend(_decode_raster(images))
            images.clear()

    def end_line() -> None:
        text = b"".join(pending_text).decode("latin-1")
        receipts[-1].lines.append(Line(text, **line_style))
        pending_text.clear()

    for tok in tokens:
        if tok.name != "GS v 0":
            flush_images()
        if tok.kind == "text":
            if not pending_text:
                line_style = dict(style)
            pending_text.append(tok.data)
        elif tok.kind == "lf":
            if not pending_text:
                line_style = dict(style)
            end_line()
        elif tok.name == "ESC @":
            pending_text.clear()      # ESC @ clears the print buffer: an unfinished line is lost
            style = {"align": "left", "bold": False, "width": 1, "height": 1}
        elif tok.name == "ESC a":
            style["align"] = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center",
                              50: "right"}.get(tok.args[0], "left")
        elif tok.name == "ESC E":
            style["bold"] = bool(tok.args[0] & 1)
        elif tok.name == "ESC !":
            n = tok.args[0]
            style["bold"] = bool(n & 0x08)
            style["height"] = 2 if n & 0x10 else 1
            style["width"] = 2 if n & 0x20 else 1
        elif tok.name == "GS !":
            n = tok.args[0]
            style["width"], style["height"] = (n >> 4) + 1, (n & 0x0F) + 1
        elif tok.name == "GS V":
            if pending_text:
                end_line()
            receipts[-1].cut = True
            receipts.append(Receipt())
        elif tok.name == "GS v 0":
            m, xl, xh, yl, yh = tok.args
            images.append((xl + 256 * xh, yl + 256 * yh, tok.data))
        elif tok.name == "GS ( k":
            cn, fn = tok.data[0], tok.data[1]
            if cn == 49 and fn == 80:
                qr_store = tok.data[3:]
            elif cn == 49 and fn == 69:
                qr_ec = _NATIVE_EC.get(tok.data[2], "?")
            elif cn == 49 and fn == 67:
                qr_module = tok.data[2]
            elif cn == 49 and fn == 81:
                receipts[-1].qrs.extend(_decode_native(qr_store, qr_ec, qr_module))
        elif tok.name == "DLE DC4" and tok.args[:1] == b"\x08":
            receipts[-1].clears += 1
    flush_images()
    if pending_text:
        end_line()
    if not receipts[-1].lines and not receipts[-1].qrs and not receipts[-1].cut:
        receipts.pop()
    return receipts


def printed_receipts(data: bytes) -> list[Receipt]:
    """Only receipts that were cut: what a citizen could tear off."""
    return [r for r in decode(data) if r.cut]


def nonblank(receipt: Receipt) -> list[str]:
    return [t.strip() for t in receipt.text if t.strip()]
