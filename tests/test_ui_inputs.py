"""The keypad, the on-screen keyboard and the form fields, tapped as a person would."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton, QWidget, QVBoxLayout

from tests.ui_support import back_to_indonesian, person_clock, tap
from ui import i18n, taps, theme
from ui.form_field import ChoiceInput, DateInput, FieldChain, FormField
from ui.input_gallery import nik_shape_check
from ui.input_parts import CONTRAST_PAIRS, ERROR, ERROR_BG, OK, WARNING, Bilingual, MessageLine
from ui.keyboard import CAPS_PROPERTY, MAX_LENGTH_PROPERTY, OnScreenKeyboard
from ui.keypad import NumberEntry, group_digits

NIK = "6472041204850003"     # region 64.72.04, born 12-04-1985, serial 0003


_alive: list[QWidget] = []     # qtbot holds widgets weakly; a helper's box must outlive it


@pytest.fixture(autouse=True)
def themed(qapp):
    theme.apply(QApplication.instance())
    yield
    taps.set_clock(person_clock)
    _alive.clear()


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    _alive.append(widget)
    widget.resize(1280, 720)
    widget.show()
    return widget


def type_digits(qtbot, keypad, digits: str) -> None:
    for digit in digits:
        tap(qtbot, keypad.digit_buttons[digit])


class HandClock:
    """The taps clock set by the test before each tap (other readers, such as a page guard
    left by an earlier test, do not move it)."""

    def __init__(self) -> None:
        self.t = 5000.0

    def __call__(self) -> float:
        return self.t


def tap_at_pace(qtbot, keys: list[QPushButton], gap: float) -> None:
    """Tap ``keys`` one after another, ``gap`` seconds apart."""
    clock = HandClock()
    taps.set_clock(clock)
    try:
        for key in keys:
            clock.t += gap
            tap(qtbot, key)
    finally:
        taps.set_clock(person_clock)


# --- the keypad ----------------------------------------------------------------------------

def test_a_nik_typed_on_the_keypad_shows_grouped_and_is_submitted_whole(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16, ok_text="Lanjut"))
    type_digits(qtbot, entry.keypad, NIK[:6])
    assert entry.field.shown_text() == "6472 04__ ____ ____"     # what is left, visibly
    type_digits(qtbot, entry.keypad, NIK[6:])
    assert entry.value() == NIK
    assert entry.field.shown_text() == "6472 0412 0485 0003"
    with qtbot.waitSignal(entry.submitted, timeout=1000) as submitted:
        tap(qtbot, entry.keypad.ok_button)
    assert submitted.args == [NIK]
    assert group_digits("123456789", 4) == "1234 5678 9"


def test_a_typo_in_the_birth_date_part_is_said_at_once_and_blocks_until_fixed(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16, validator=nik_shape_check, ok_text="Lanjut"))
    type_digits(qtbot, entry.keypad, "6472049")
    assert entry.message.text() == ""                   # one digit of the day: not judged yet
    type_digits(qtbot, entry.keypad, "9")               # day 99: no date has it
    assert entry.state() == ERROR
    assert "99" in entry.message.text() and "tanggal lahir" in entry.message.text()
    assert entry.field.property("state") == ERROR
    submitted: list[str] = []
    entry.submitted.connect(submitted.append)
    tap(qtbot, entry.keypad.ok_button)
    assert submitted == []
    tap(qtbot, entry.keypad.backspace_button)           # the person fixes the typo
    tap(qtbot, entry.keypad.backspace_button)
    type_digits(qtbot, entry.keypad, "12")
    assert entry.message.text() == "" and entry.field.property("state") == OK
    type_digits(qtbot, entry.keypad, NIK[8:])
    tap(qtbot, entry.keypad.ok_button)
    assert submitted == [NIK]


def test_a_warning_looks_unlike_an_error_and_does_not_block(qtbot) -> None:
    def differs(digits: str) -> tuple[str, str]:
        if len(digits) == 16:
            return WARNING, "Tanggal lahir di NIK berbeda. Tetap lanjut jika sudah benar."
        return nik_shape_check(digits)

    entry = shown(qtbot, NumberEntry(16, validator=differs, ok_text="Lanjut"))
    type_digits(qtbot, entry.keypad, NIK)
    assert entry.state() == WARNING
    with qtbot.waitSignal(entry.submitted, timeout=1000):
        tap(qtbot, entry.keypad.ok_button)

    def background(line: MessageLine) -> str:
        image = line.grab().toImage()
        return image.pixelColor(image.width() - 12, image.height() // 2).name().upper()

    assert background(entry.message) == theme.WARNING_BG.upper()
    error = shown(qtbot, MessageLine())
    error.show_message(ERROR, "Angka ke-9 dan ke-10 NIK adalah bulan lahir.")
    assert background(error) == ERROR_BG.upper()


def test_backspace_clear_and_the_length_limit(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16, ok_text="Lanjut"))
    with qtbot.waitSignal(entry.field.full, timeout=1000):
        type_digits(qtbot, entry.keypad, NIK)
    type_digits(qtbot, entry.keypad, "77")             # a seventeenth digit has no room
    assert entry.value() == NIK
    tap(qtbot, entry.keypad.backspace_button)
    assert entry.value() == NIK[:15]
    tap(qtbot, entry.keypad.clear_button)
    assert entry.value() == "" and entry.field.shown_text() == "____ ____ ____ ____"
    tap(qtbot, entry.keypad.backspace_button)          # on empty: nothing breaks
    assert entry.value() == ""


def test_ok_on_a_short_number_says_how_many_digits_are_missing(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16, ok_text="Lanjut"))
    type_digits(qtbot, entry.keypad, NIK[:12])
    tap(qtbot, entry.keypad.ok_button)
    assert entry.message.text() == "Baru 12 dari 16 angka. Silakan lengkapi."
    type_digits(qtbot, entry.keypad, "0")
    assert entry.message.text() == "Baru 13 dari 16 angka. Silakan lengkapi."
    type_digits(qtbot, entry.keypad, "003")
    assert entry.message.text() == ""


def test_a_pin_shows_dots_only(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(8, min_length=1, masked=True, ok_text="Masuk"))
    type_digits(qtbot, entry.keypad, "2468")
    assert entry.field.shown_text() == "\u25cf \u25cf \u25cf \u25cf"
    assert "2468" not in entry.field.label.text()
    with qtbot.waitSignal(entry.submitted, timeout=1000) as submitted:
        tap(qtbot, entry.keypad.ok_button)
    assert submitted.args == ["2468"]


def test_a_bounce_on_one_key_is_dropped_but_a_meant_repeat_types(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16))
    keys = entry.keypad.digit_buttons
    tap_at_pace(qtbot, [keys["0"], keys["0"]], 0.05)   # a finger bouncing: 50 ms apart
    assert entry.value() == "0"
    tap_at_pace(qtbot, [keys["1"], keys["2"]], 0.05)   # different keys are never dropped
    assert entry.value() == "012"
    tap_at_pace(qtbot, [keys["0"], keys["0"]], 0.2)    # a quick person typing "00"
    assert entry.value() == "01200"


# --- the keyboard --------------------------------------------------------------------------

def keyboard_with_line(qtbot, **kwargs) -> tuple[OnScreenKeyboard, QLineEdit]:
    box = QWidget()
    layout = QVBoxLayout(box)
    line = QLineEdit()
    layout.addWidget(line)
    keyboard = OnScreenKeyboard(line, **kwargs)
    layout.addWidget(keyboard)
    shown(qtbot, box)
    return keyboard, line


def type_text(qtbot, keyboard: OnScreenKeyboard, text: str) -> None:
    for char in text:
        key = keyboard.space_button if char == " " else keyboard.char_buttons[char.upper()]
        tap(qtbot, key)


def test_a_name_is_typed_in_capitals_with_space_and_backspace(qtbot) -> None:
    keyboard, line = keyboard_with_line(qtbot)
    assert keyboard.caps() and keyboard.char_buttons["Q"].text() == "Q"
    type_text(qtbot, keyboard, "SITI AMINAX")
    tap(qtbot, keyboard.backspace_button)
    type_text(qtbot, keyboard, "H")
    assert line.text() == "SITI AMINAH"


def test_two_identical_letters_in_a_row_both_register(qtbot) -> None:
    keyboard, line = keyboard_with_line(qtbot)
    type_text(qtbot, keyboard, "SAAD")               # a person's pace (ui_support clock)
    keys = keyboard.char_buttons
    tap_at_pace(qtbot, [keyboard.space_button, keys["N"], keys["N"]], 0.18)   # a quick one's
    assert line.text() == "SAAD NN"
    tap_at_pace(qtbot, [keys["E"], keys["E"]], 0.03)   # a bounce is still one letter
    assert line.text() == "SAAD NNE"


def test_caps_toggle_and_a_fields_own_default(qtbot) -> None:
    keyboard, line = keyboard_with_line(qtbot)
    tap(qtbot, keyboard.caps_button)
    assert not keyboard.caps() and keyboard.char_buttons["J"].text() == "j"
    type_text(qtbot, keyboard, "jl")
    tap(qtbot, keyboard.char_buttons["."])
    assert line.text() == "jl."
    address = QLineEdit()
    address.setProperty(CAPS_PROPERTY, False)
    keyboard.bind(address)
    assert not keyboard.caps()
    keyboard.bind(line)                              # no property: the keyboard's default
    assert keyboard.caps()
    lower = OnScreenKeyboard(caps=False)
    qtbot.addWidget(lower)
    assert not lower.caps()


def test_the_keyboard_keeps_the_fields_length_limit(qtbot) -> None:
    keyboard, line = keyboard_with_line(qtbot)
    line.setMaxLength(4)
    type_text(qtbot, keyboard, "BUDIMAN")
    assert line.text() == "BUDI"
    notes = QPlainTextEdit()
    notes.setProperty(MAX_LENGTH_PROPERTY, 3)
    qtbot.addWidget(notes)
    keyboard.bind(notes)
    type_text(qtbot, keyboard, "RT 3")
    assert notes.toPlainText() == "RT "
    tap(qtbot, keyboard.backspace_button)
    assert notes.toPlainText() == "RT"


def test_punctuation_for_addresses(qtbot) -> None:
    keyboard, line = keyboard_with_line(qtbot)
    for key in ["R", "T", " ", "0", "0", "3", "/", "R", "W", " ", "0", "2", ",", " ", "-", "'"]:
        tap(qtbot, keyboard.space_button if key == " " else keyboard.char_buttons[key])
    assert line.text() == "RT 003/RW 02, -'"


def test_the_keyboard_follows_the_focus_into_the_next_field(qtbot) -> None:
    box = QWidget()
    layout = QVBoxLayout(box)
    first, second = QLineEdit(), QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    keyboard = OnScreenKeyboard(follow_focus=True)
    layout.addWidget(keyboard)
    shown(qtbot, box)
    box.activateWindow()
    first.setFocus()
    qtbot.waitUntil(lambda: keyboard.target() is first, timeout=2000)
    type_text(qtbot, keyboard, "A")
    second.setFocus()
    qtbot.waitUntil(lambda: keyboard.target() is second, timeout=2000)
    type_text(qtbot, keyboard, "B")
    assert (first.text(), second.text()) == ("A", "B")
    assert first.hasFocus() is False and second.hasFocus()    # the keys never took it


def test_every_key_is_a_full_touch_target(qtbot) -> None:
    keyboard, _line = keyboard_with_line(qtbot, enter_text="Lanjut")
    entry = shown(qtbot, NumberEntry(16, ok_text="Lanjut"))
    date_input = shown(qtbot, DateInput(ok_text="Lanjut"))
    for owner in (keyboard, entry, date_input):
        keys = owner.findChildren(QPushButton)
        assert len(keys) >= 12
        for key in keys:
            assert key.height() >= theme.TOUCH_MIN and key.width() >= theme.TOUCH_MIN, key.text()


# --- form fields ---------------------------------------------------------------------------

def test_a_date_of_31_february_is_refused_at_once(qtbot) -> None:
    date_input = DateInput(latest=date(2026, 3, 2), ok_text="Lanjut")
    field = shown(qtbot, FormField(Bilingual("Tanggal lahir", "Date of birth"), date_input))
    type_digits(qtbot, date_input.keypad, "31")
    assert date_input.active == 1                      # a full day moves on to the month
    type_digits(qtbot, date_input.keypad, "02")
    assert date_input.message.text() == "Tanggal 31 Februari tidak ada. Silakan periksa lagi."
    assert date_input.day.property("state") == ERROR
    assert date_input.month_label.text() == "Februari"
    assert date_input.active == 1                      # it waits here to be put right
    assert not field.validate() and field.value() == ""
    tap(qtbot, date_input.day)                         # tap the day, type it again
    type_digits(qtbot, date_input.keypad, "28")
    assert date_input.day.value() == "28" and date_input.month.value() == "02"
    assert date_input.message.text() == ""
    tap(qtbot, date_input.year)
    type_digits(qtbot, date_input.keypad, "1985")
    assert field.validate() and field.value() == "1985-02-28"


def test_dates_that_cannot_be(qtbot) -> None:
    date_input = shown(qtbot, DateInput(latest=date(2026, 3, 2)))
    for typed, words in [("2902" "2023", "Tahun 2023 tidak punya tanggal 29 Februari"),
                         ("1513", "Bulan hanya dari 1 sampai 12"),
                         ("0104" "2026", "belum terjadi"),
                         ("0101" "1800", "Tahun harus antara 1900 dan 2026")]:
        date_input.clear()
        type_digits(qtbot, date_input.keypad, typed)
        assert words in date_input.check()[1], typed
    date_input.clear()
    type_digits(qtbot, date_input.keypad, "2902" "2024")
    assert date_input.check() == (OK, "") and date_input.value() == "2024-02-29"


def test_a_one_digit_day_or_month_finishes_its_box_and_backspace_goes_back(qtbot) -> None:
    date_input = shown(qtbot, DateInput())
    type_digits(qtbot, date_input.keypad, "5")         # no day starts with 5 and has two digits
    assert date_input.day.value() == "05" and date_input.active == 1
    type_digits(qtbot, date_input.keypad, "7")
    assert date_input.month.value() == "07" and date_input.active == 2
    tap(qtbot, date_input.keypad.backspace_button)     # year empty: back into the month
    assert date_input.active == 1 and date_input.month.value() == "0"
    tap(qtbot, date_input.day)
    assert date_input.active == 0
    type_digits(qtbot, date_input.keypad, "1")         # a tapped box is typed afresh, and
    assert date_input.day.value() == "1" and date_input.active == 0   # "1" may become 1x
    tap(qtbot, date_input.keypad.clear_button)
    assert date_input.is_empty() and date_input.active == 0


def test_an_incomplete_date_asks_for_the_rest(qtbot) -> None:
    date_input = DateInput(ok_text="Lanjut")
    field = shown(qtbot, FormField("Tanggal lahir", date_input))
    assert not field.validate() and field.message.text() == "Bagian ini perlu diisi."
    type_digits(qtbot, date_input.keypad, "1204")
    tap(qtbot, date_input.keypad.ok_button)
    assert date_input.message.text() == "Tanggal belum lengkap. Isi tanggal, bulan, dan tahun."


def test_a_choice_is_one_tap_and_can_be_changed(qtbot) -> None:
    choice = ChoiceInput([("L", Bilingual("Laki-laki", "Male")),
                          ("P", Bilingual("Perempuan", "Female"))])
    field = shown(qtbot, FormField(Bilingual("Jenis kelamin", "Sex"), choice))
    assert not field.validate() and field.message.text() == "Silakan pilih salah satu."
    tap(qtbot, choice.buttons["P"])
    assert field.value() == "P" and field.message.text() == ""
    tap(qtbot, choice.buttons["L"])
    tap(qtbot, choice.buttons["L"])                    # a double tap keeps the answer
    assert field.value() == "L" and not choice.buttons["P"].isChecked()
    assert field.validate()
    field.clear()
    assert field.value() == ""
    with pytest.raises(ValueError):
        ChoiceInput([("only", "Satu")])


def test_a_form_moves_on_only_from_an_answered_field(qtbot) -> None:
    box = QWidget()
    layout = QVBoxLayout(box)
    name = FormField("Nama lengkap", caps=True, max_length=40)
    business = FormField("Nama usaha", caps=False,
                         validator=lambda text: (WARNING, "Nama usaha sangat pendek.")
                         if len(text) < 4 else (OK, ""))
    sex = FormField("Jenis kelamin", ChoiceInput([("L", "Laki-laki"), ("P", "Perempuan")]))
    for field in (name, business, sex):
        layout.addWidget(field)
    keyboard = OnScreenKeyboard(follow_focus=True, enter_text="Lanjut")
    layout.addWidget(keyboard)
    shown(qtbot, box)
    box.activateWindow()
    chain = FieldChain([name, business, sex])
    name.focus_input()
    qtbot.waitUntil(lambda: keyboard.target() is name.input, timeout=2000)
    tap(qtbot, keyboard.enter_button)                  # nothing typed: stay, say so
    assert chain.index == 0 and name.message.text() == "Bagian ini perlu diisi."
    type_text(qtbot, keyboard, "BUDI")
    assert name.message.text() == ""                   # fixed: the red goes at once
    tap(qtbot, keyboard.enter_button)
    assert chain.index == 1
    qtbot.waitUntil(lambda: keyboard.target() is business.input, timeout=2000)
    assert not keyboard.caps()                         # this field asked for small letters
    type_text(qtbot, keyboard, "tb")
    tap(qtbot, keyboard.enter_button)                  # a warning: said, not a block
    assert chain.index == 2 and business.state() == WARNING
    tap(qtbot, sex.input.buttons["L"])
    with qtbot.waitSignal(chain.completed, timeout=1000):
        chain.advance()
    assert chain.values() == ["BUDI", "tb", "L"]
    chain.reset()                                      # the idle timer wipes the form
    assert chain.values() == ["", "", ""] and chain.index == 0


# --- words ---------------------------------------------------------------------------------

INPUT_MODULES = ["input_parts.py", "keypad.py", "keyboard.py", "form_field.py", "input_gallery.py"]


def test_every_input_string_has_its_english() -> None:
    import ui
    from ui.form_field import MONTHS

    here = Path(ui.__file__).parent
    translated = {}
    for message in ET.parse(here / "translations" / "input_en.ts").getroot().iter("message"):
        translation = message.find("translation")
        forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
        assert all(forms) and translation.get("type") is None, message.find("source").text
        translated[message.find("source").text] = forms
    used = set(MONTHS)
    for module in INPUT_MODULES:
        for node in ast.walk(ast.parse((here / module).read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "tr" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                used.add(node.args[0].value)
    assert used <= set(translated), used - set(translated)
    assert len(used) >= 40


def test_the_widgets_switch_language_live(qtbot) -> None:
    entry = shown(qtbot, NumberEntry(16, validator=nik_shape_check, ok_text="Lanjut"))
    date_input = shown(qtbot, DateInput())
    name = shown(qtbot, FormField(Bilingual("Nama lengkap", "Full name")))
    type_digits(qtbot, entry.keypad, "64720499")
    type_digits(qtbot, date_input.keypad, "3102")
    name.validate()
    try:
        i18n.set_language("en")
        qtbot.waitUntil(lambda: entry.keypad.clear_button.text() == "Clear all", timeout=2000)
        assert entry.message.text().startswith("Digits 7 and 8 of a NIK")
        assert date_input.message.text() == "There is no 31 February. Please check again."
        assert date_input.captions[0].text() == "Day"
        assert name.label.text() == "Full name"
        assert name.message.text() == "Please fill this in."
    finally:
        back_to_indonesian()
    qtbot.waitUntil(lambda: entry.keypad.clear_button.text() == "Hapus semua", timeout=2000)
    assert name.message.text() == "Bagian ini perlu diisi."


def test_message_colours_are_readable() -> None:
    for what, fg, bg in CONTRAST_PAIRS:
        assert theme.contrast_ratio(fg, bg) >= 4.5, what


def test_the_gallery_renders_every_input_page_at_kiosk_size(qtbot, tmp_path) -> None:
    from PySide6.QtGui import QImage

    from ui.input_gallery import PAGES, render_inputs

    written = render_inputs(tmp_path, ["id"])
    assert {p.name for p in written} == {f"input-{name}.id.png" for name in PAGES}
    for path in written:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1280, 800), path.name   # nothing overflows
