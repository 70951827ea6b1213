"""A staff badge to print: an ID-1 card (85.6 x 54 mm at 300 dpi) with the QR of the badge
text, the employee's name, office and id; PNG or PDF (Pillow writes both).

Libraries: ``qrcode`` (already the receipts' QR; the base45 text uses its compact
alphanumeric mode) at error correction M, and Pillow, already a dependency, for the card
and its text (its bundled scalable font, so no font file is needed on the server).
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

DPI = 300
CARD_PX = (1011, 638)       # 85.6 x 54 mm
FORMATS = {".png": "PNG", ".pdf": "PDF"}


def qr_image(text: str) -> tuple[Image.Image, int]:
    """The QR of ``text`` (level M, quiet zone 4) and its version."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         box_size=10)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().get_image().convert("L"), code.version


def card(text: str, name: str, office_code: str, employee_id: str) -> Image.Image:
    img = Image.new("L", CARD_PX, 255)
    qr, _ = qr_image(text)
    side = CARD_PX[1] - 60
    img.paste(qr.resize((side, side), Image.NEAREST), (30, 30))
    draw = ImageDraw.Draw(img)
    left = side + 60
    draw.text((left, 90), name, fill=0, font=ImageFont.load_default(size=44))
    small = ImageFont.load_default(size=30)
    draw.text((left, 170), f"Kantor: {office_code}", fill=0, font=small)
    draw.text((left, 215), f"ID: {employee_id}", fill=0, font=small)
    draw.text((left, CARD_PX[1] - 90), "Kartu Hadir / Attendance badge", fill=0,
              font=ImageFont.load_default(size=24))
    return img


def save_card(path: Path, text: str, name: str, office_code: str, employee_id: str) -> None:
    """Write the card; the suffix (.png or .pdf) chooses the format."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path.name}: the badge is written as .png or .pdf")
    card(text, name, office_code, employee_id).save(path, fmt, resolution=DPI)
