"""The input widgets (keypad, keyboard, date, choice) on kiosk-sized pages, rendered
off-screen to PNG files (``python -m ui.input_gallery [OUT]``, default docs/screenshots).

Each page is what a form step will look like on the 1280x800 kiosk: the shell's 80 px top
bar (drawn as an empty bar of the same height), a title, one field and its keys, so the
pictures show whether everything fits without scrolling. Files:
``input-<page>.<language>.png``. The NIK check here is a stand-in for the domain's: it only
knows the shape of a NIK (a date part that cannot be a date is an error).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QLineEdit, QVBoxLayout, QWidget

from ui import theme
from ui.form_field import ChoiceInput, DateInput, FormField
from ui.input_parts import ERROR, OK, WARNING, Bilingual, tr
from ui.keyboard import OnScreenKeyboard
from ui.keypad import NumberEntry

SIZE = (1280, 800)
TOP_BAR = theme.TOUCH_MIN + 4 + 16        # ui/shell.py's top bar


def nik_shape_check(digits: str) -> tuple[str, str]:
    """A stand-in for the domain's NIK check, on the digits typed so far: the birth-date
    part (digits 7-10: day, +40 for women; month) must be able to be a date."""
    day, month = digits[6:8], digits[8:10]
    if len(day) == 2 and not (1 <= int(day) <= 31 or 41 <= int(day) <= 71):
        return ERROR, tr("Angka ke-7 dan ke-8 NIK adalah tanggal lahir; %1 tidak mungkin. "
                         "Silakan periksa lagi.").replace("%1", day)
    if len(month) == 2 and not 1 <= int(month) <= 12:
        return ERROR, tr("Angka ke-9 dan ke-10 NIK adalah bulan lahir; %1 tidak mungkin. "
                         "Silakan periksa lagi.").replace("%1", month)
    return OK, ""


def page(title: str, body: QWidget, prompt: str = "") -> QWidget:
    """A kiosk page under the shell's top bar: title, optional prompt, the body."""
    window = QWidget()
    window.setObjectName("page")
    window.setStyleSheet(f"QWidget#page {{ background: {theme.BG}; }}")
    outer = QVBoxLayout(window)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(0)
    bar = QFrame()
    bar.setFixedHeight(TOP_BAR)
    bar.setStyleSheet(f"background: {theme.SURFACE}; border-bottom: 2px solid {theme.SECONDARY};")
    outer.addWidget(bar)
    content = QVBoxLayout()
    content.setContentsMargins(32, 12, 32, 16)
    content.setSpacing(8)
    heading = theme.text_label(title, "title")
    content.addWidget(heading)
    if prompt:
        content.addWidget(theme.text_label(prompt, "muted"))
    content.addWidget(body, 1)
    outer.addLayout(content, 1)
    window.resize(*SIZE)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.show()
    return window


def tap_digits(entry_keypad, digits: str) -> None:
    for digit in digits:
        entry_keypad.digit_buttons[digit].click()


def _nik(error: bool) -> QWidget:
    entry = NumberEntry(16, validator=nik_shape_check, ok_text=tr("Lanjut"))
    window = page(tr("Masukkan NIK Anda"), entry,
                  tr("16 angka, ada di KTP atau Kartu Keluarga."))
    tap_digits(entry.keypad, "6472041399" if error else "647204")
    return window


def _nik_warning() -> QWidget:
    def differs(digits: str) -> tuple[str, str]:
        if len(digits) == 16:
            return WARNING, tr("Tanggal lahir di NIK (12-04-1985) berbeda dengan yang Anda isi. "
                               "Tetap lanjut jika sudah benar.")
        return nik_shape_check(digits)

    entry = NumberEntry(16, validator=differs, ok_text=tr("Lanjut"))
    window = page(tr("Masukkan NIK Anda"), entry,
                  tr("16 angka, ada di KTP atau Kartu Keluarga."))
    tap_digits(entry.keypad, "6472041204850003")
    return window


def _name() -> QWidget:
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    field = FormField(Bilingual("Nama lengkap sesuai KTP", "Full name as on your ID card"),
                      max_length=60, caps=True, hint=tr("Huruf besar seperti di KTP"))
    layout.addWidget(field)
    layout.addStretch()
    keyboard = OnScreenKeyboard(field.input, enter_text=tr("Lanjut"))
    layout.addWidget(keyboard)
    window = page(tr("Data pemohon"), body)
    for key in "SITI AMINAH":
        keyboard.press(key)
    field.input.setFocus()
    return window


def _address() -> QWidget:
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    field = FormField(Bilingual("Alamat usaha", "Business address"), max_length=80, caps=False)
    layout.addWidget(field)
    layout.addStretch()
    keyboard = OnScreenKeyboard(field.input, enter_text=tr("Lanjut"))
    layout.addWidget(keyboard)
    window = page(tr("Keterangan usaha"), body)
    field.input.setText("Jl. Gajah Mada No. 12, RT 003/RW 002")
    field.validate()
    return window


def _date() -> QWidget:
    date_input = DateInput(latest=date(2026, 3, 2), ok_text=tr("Lanjut"))
    field = FormField(Bilingual("Tanggal lahir", "Date of birth"), date_input)
    window = page(tr("Data pemohon"), field)
    for index, digits in enumerate(("31", "02")):
        date_input.activate(index)
        tap_digits(date_input.keypad, digits)
    return window


RELIGIONS = [("islam", Bilingual("Islam")), ("kristen", Bilingual("Kristen", "Protestant")),
             ("katolik", Bilingual("Katolik", "Catholic")), ("hindu", Bilingual("Hindu")),
             ("buddha", Bilingual("Buddha", "Buddhist")),
             ("konghucu", Bilingual("Konghucu", "Confucian")),
             ("kepercayaan", Bilingual("Kepercayaan", "Indigenous faith"))]
MARITAL = [("belum", Bilingual("Belum kawin", "Not married")),
           ("kawin", Bilingual("Kawin", "Married")),
           ("cerai_hidup", Bilingual("Cerai hidup", "Divorced")),
           ("cerai_mati", Bilingual("Cerai mati", "Widowed"))]


def _choice(options, label: Bilingual, chosen: str) -> QWidget:
    """One question per screen, and Lanjut the one way on (here without a chain)."""
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    field = FormField(label, ChoiceInput(options))
    layout.addWidget(field)
    layout.addStretch()
    next_button = theme.touch_button(tr("Lanjut"), "primary")
    layout.addWidget(next_button, 0, Qt.AlignmentFlag.AlignRight)
    window = page(tr("Data pemohon"), body)
    if chosen:
        field.input.buttons[chosen].click()
    else:
        field.validate()
    return window


PAGES: dict[str, Callable[[], QWidget]] = {
    "nik": lambda: _nik(False), "nik-error": lambda: _nik(True), "nik-warning": _nik_warning,
    "name": _name, "address": _address, "date": _date,
    "choice": lambda: _choice(RELIGIONS, Bilingual("Agama", "Religion"), "islam"),
    "choice-error": lambda: _choice(MARITAL, Bilingual("Status perkawinan", "Marital status"), ""),
}


def _stepping_clock() -> Callable[[], float]:
    """Each reading a second later: the gallery's taps are a person's, never bounces."""
    state = {"t": 0.0}

    def clock() -> float:
        state["t"] += 1.0
        return state["t"]

    return clock


def render_inputs(out: Path, languages: list[str] | None = None) -> list[Path]:
    from ui import i18n, taps
    from ui.app import ensure_app

    app = ensure_app()
    theme.apply(app)
    taps.set_clock(_stepping_clock())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for language in languages or ["id", "en"]:
            i18n.set_language(language)
            for name, build in PAGES.items():
                window = build()
                QCoreApplication.processEvents()
                path = out / f"input-{name}.{language}.png"
                window.grab().save(str(path))
                written.append(path)
                window.close()
                window.deleteLater()
                QCoreApplication.processEvents()
    finally:
        taps.set_clock(None)
        i18n.set_language("id")
    return written


if __name__ == "__main__":
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for written_path in render_inputs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(written_path)
