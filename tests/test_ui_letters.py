"""Letters, complaints and the status check at the citizen kiosk, tapped as a person would:
Pak Budi's SKU from home to receipt, a wrong NIK digit caught at once, the idle timer wiping
a half-filled form, a status read by its typed code, a complaint whose words leave the screen."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit

from kiosk import print_queue
from kiosk.letters import operations as letters
from ui import ops
from ui.form_field import ChoiceInput, DateInput
from ui.keypad import NumberEntry
from ui_support import back_to_indonesian, make_context, open_shell, tap

#: Pak Budi's answers, as typed (keypad digits, keyboard letters, choices by value).
BUDI = {
    "nik": "6472081508950003", "kk": "6472081203150007", "name": "BUDI SANTOSO",
    "birth_place": "SAMARINDA", "birth_date": ("15", "08", "1995"), "sex": "L",
    "address": "JL PAHLAWAN 3", "rt_rw": "003005", "religion": "Islam",
    "marital_status": "kawin", "occupation": "WIRASWASTA", "phone": "",
    "business_name": "WARUNG BUDI", "business_address": "JL PAHLAWAN 3",
    "business_since": ("01", "01", "2019"), "purpose": "PINJAMAN BANK",
}


@pytest.fixture(autouse=True)
def indonesian_again():
    yield
    back_to_indonesian()
    ops.wait_idle()


def citizen(qtbot, runtime, **kwargs):
    shell = open_shell(qtbot, make_context(runtime), **kwargs)
    return shell, shell.role_screen


def type_digits(qtbot, entry, digits: str) -> None:
    for digit in digits:
        tap(qtbot, entry.keypad.digit_buttons[digit])


def type_text(qtbot, keyboard, text: str) -> None:
    for char in text:
        tap(qtbot, keyboard.space_button if char == " " else keyboard.char_buttons[char.upper()])


def answer(qtbot, form, value) -> None:
    """Answer the question on screen the way its input is used, then Lanjut."""
    field = form.current()
    widget = field.input
    if isinstance(widget, NumberEntry):
        type_digits(qtbot, widget, value)
    elif isinstance(widget, DateInput):
        for part in value:
            type_digits(qtbot, widget, part)
    elif isinstance(widget, ChoiceInput):
        tap(qtbot, widget.buttons[value])
    elif isinstance(widget, QLineEdit):
        assert form.keyboard.isVisible() and form.keyboard.target() is widget
        type_text(qtbot, form.keyboard, value)
    tap(qtbot, form.next_button)


def open_letters(qtbot, screen, code: str = "SKU"):
    tap(qtbot, screen.letters_button)
    flow = screen.letters
    qtbot.waitUntil(lambda: code in flow.card_buttons, timeout=5000)
    tap(qtbot, flow.card_buttons[code])
    assert flow.stack.currentWidget() is flow.form
    return flow


def test_pak_budi_requests_an_sku_from_home_to_receipt(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime)
    flow = open_letters(qtbot, screen)
    form = flow.form
    keys = [spec.key for spec in form.specs]
    assert keys[:2] == ["nik", "kk"] and keys[-4:] == ["business_name", "business_address",
                                                     "business_since", "purpose"]
    for index, key in enumerate(keys):
        assert form.index == index, (key, form.current().message.text())
        assert form.progress.text() == f"Langkah {index + 1} dari {len(keys)}"
        answer(qtbot, form, BUDI[key])
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.review_page, timeout=3000)
    shown = flow.findChild(type(flow.review_title), "review-nik")
    assert shown.text() == "6472********0003"                  # masked on the shared screen
    assert flow.findChild(type(flow.review_title), "review-sex").text() == "Laki-laki"
    tap(qtbot, flow.submit_button)
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.sent_page, timeout=5000)
    code = flow.code_label.text()
    assert code.startswith("S-") and len(code) == 9
    assert flow.documents_label.text().splitlines()[-1] == "\u2022 Foto tempat usaha"
    assert not flow.warning_label.isVisible()       # his NIK agrees with what he typed
    # Stored on the edge, through the outbox, with its receipt queued for the printer.
    view = letters.request_status(runtime, code)
    assert view.status == "submitted"
    request = letters.get_request(runtime, code)
    # names in capitals (the keyboard's default for names), a longer text as typed
    assert request.applicant["name"] == "BUDI SANTOSO" and request.details["purpose"] == "pinjaman bank"
    row = runtime.db.execute("SELECT print_job_id FROM requests WHERE code = ?",
                             [code]).fetchone()
    job = print_queue.get_job(runtime.db, row[0])
    assert job.status == "pending" and job.kind == "request" and code in job.receipt_json
    assert "6472********0003" in job.receipt_json and "6472081508950003" not in job.receipt_json
    tap(qtbot, flow.done_button)
    assert screen.stack.currentWidget() is screen.home_page and flow.code_label.text() == ""


def test_a_wrong_nik_digit_is_caught_at_once(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime)
    flow = open_letters(qtbot, screen)
    entry = flow.form.current().input
    type_digits(qtbot, entry, "64720875")            # day 75: neither a man's nor a woman's
    assert entry.state() == "error"
    assert "tanggal lahir" in entry.message.text()
    tap(qtbot, entry.keypad.backspace_button)
    tap(qtbot, entry.keypad.backspace_button)
    type_digits(qtbot, entry, "15")
    assert entry.state() == "ok" and entry.message.text() == ""
    type_digits(qtbot, entry, "08950003")
    tap(qtbot, flow.form.next_button)
    assert flow.form.index == 1                       # on to the KK


def test_the_idle_timer_wipes_a_half_filled_form(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime, idle_ms=600)
    flow = open_letters(qtbot, screen)
    for key in ("nik", "kk", "name"):
        answer(qtbot, flow.form, BUDI[key])
    assert flow.form.index == 3 and flow.form.values()["name"] == "BUDI SANTOSO"
    qtbot.waitUntil(lambda: screen.stack.currentWidget() is screen.home_page, timeout=5000)
    assert flow.form.fields == [] and flow.answers == {} and flow.letter is None
    open_letters(qtbot, screen)                       # the next person starts from nothing
    assert flow.form.current().value() == "" and flow.form.index == 0


def test_status_by_typed_code(qtbot, runtime):
    submitted = letters.submit_request(runtime, "SKU", {**_applicant(), "phone": ""},
                                       _details())
    letters.change_request_status(runtime, submitted.code, "checking", staff_id="emp-2002")
    letters.change_request_status(runtime, submitted.code, "awaiting_signature",
                                  staff_id="emp-2002")
    letters.change_request_status(runtime, submitted.code, "ready", staff_id="emp-2002")
    shell, screen = citizen(qtbot, runtime)
    tap(qtbot, screen.status_button)
    check = screen.status_check
    type_text(qtbot, check.keyboard, submitted.code.lower().replace("-", " "))
    tap(qtbot, check.check_button)
    qtbot.waitUntil(lambda: check.stack.currentWidget() is check.answer_page, timeout=5000)
    assert check.answer_code.text() == submitted.code
    assert check.answer_status.text().startswith("Siap diambil di loket ")
    assert check.answer_status.text().endswith("bawa KTP asli.")
    assert check.answer_updated.text().startswith("diperbarui ")
    tap(qtbot, check.answer_again)
    type_text(qtbot, check.keyboard, "S 2222222")
    tap(qtbot, check.check_button)
    qtbot.waitUntil(lambda: check.message.text() != "", timeout=5000)
    assert "tidak ditemukan" in check.message.text() and check.message.state() == "error"


def test_a_complaint_is_sent_and_its_words_leave_the_screen(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime)
    tap(qtbot, screen.complaint_button)
    flow = screen.complaints
    qtbot.waitUntil(lambda: "jalan" in flow.card_buttons, timeout=5000)
    tap(qtbot, flow.card_buttons["jalan"])
    answer(qtbot, flow.form, "jalan berlubang dekat masjid")
    answer(qtbot, flow.form, "RT 3 RW 5")
    answer(qtbot, flow.form, "")                      # no phone number
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.review_page, timeout=3000)
    assert flow.review_text.text() == "jalan berlubang dekat masjid"
    tap(qtbot, flow.anonymous_button)
    tap(qtbot, flow.submit_button)
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.sent_page, timeout=5000)
    assert flow.code_label.text().startswith("P-")
    texts = [w.text() for w in flow.findChildren(QLineEdit)] + [flow.review_text.text()]
    assert not any("berlubang" in t for t in texts)
    stored = runtime.db.execute("SELECT description, contact FROM complaints").fetchone()
    assert stored == ("jalan berlubang dekat masjid", None)


def test_the_flows_in_english(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime)
    tap(qtbot, shell.language_switch.buttons["en"])
    qtbot.waitUntil(lambda: screen.letters_button.text() == "Letters", timeout=3000)
    assert screen.status_button.text() == "Check Status"
    flow = open_letters(qtbot, screen)
    assert flow.form.title.text() == "Business Certificate"
    assert flow.form.current().label.text() == "NIK (ID number)"
    assert flow.form.progress.text().startswith("Step 1 of ")


def _applicant() -> dict:
    return {"nik": "6472081508950003", "kk": "6472081203150007", "name": "BUDI SANTOSO",
            "birth_place": "SAMARINDA", "birth_date": "1995-08-15", "sex": "L",
            "address": "JL PAHLAWAN 3", "rt_rw": "003/005", "religion": "Islam",
            "marital_status": "kawin", "occupation": "WIRASWASTA"}


def _details() -> dict:
    return {"business_name": "WARUNG BUDI", "business_address": "JL PAHLAWAN 3",
            "business_since": "2019-01-01", "purpose": "PINJAMAN BANK"}


def test_every_page_of_every_letter_fits_the_kiosk_screen(qtbot, runtime):
    """1280x800 with the shell's 80 px bar: each question page and each review page, for
    every letter in the catalogue and for a complaint, fits without scrolling."""
    from kiosk.complaints.operations import COMPLAINT_FIELDS
    from kiosk.letters.catalogue import DEFAULT_CATALOGUE

    room = 800 - 80 - 10       # the shell's bar, and a little slack for its own margins
    shell, screen = citizen(qtbot, runtime)
    flow = screen.letters
    flow.resize(1280, room)
    form = flow.form
    for letter in DEFAULT_CATALOGUE:
        flow.answers = {}
        flow.choose(letter)
        for index in range(len(form.specs)):
            form.go_to(index)
            assert form.minimumSizeHint().height() <= room, (letter.code, form.specs[index].key)
        flow.answers = {s.key: "X" * min(40, s.max_length or 40) for s in letter.all_fields()}
        flow._fill_review()
        flow.stack.setCurrentWidget(flow.review_page)
        assert flow.minimumSizeHint().height() <= room, letter.code
    form.start("", COMPLAINT_FIELDS)
    for index in range(len(form.specs)):
        form.go_to(index)
        assert form.minimumSizeHint().height() <= room, form.specs[index].key
    assert screen.status_check.minimumSizeHint().height() <= room


def test_the_keys_never_sit_on_the_buttons_of_a_fixed_kiosk_screen(qtbot, runtime):
    """On the kiosk's own 1280x800 (fixed, as full screen is), every key of the keyboard and
    the keypad is its full height and above "Lanjut", and the question is not cut."""
    from PySide6.QtCore import QPoint

    shell, screen = citizen(qtbot, runtime)
    shell.setFixedSize(1280, 800)
    flow = open_letters(qtbot, screen)
    form = flow.form
    for index, spec in enumerate(list(form.specs)):
        form.go_to(index)
        qtbot.waitUntil(lambda: form.current().isVisible(), timeout=2000)
        qtbot.wait(30)                                 # the nested layouts settle
        buttons_top = form.next_button.mapTo(shell, QPoint(0, 0)).y()
        keys = (form.keyboard.char_buttons.values() if form.keyboard.isVisible()
                else getattr(form.current().input, "keypad", None) and
                form.current().input.keypad.digit_buttons.values()) or []
        for key in keys:
            assert key.height() >= key.minimumHeight(), (spec.key, key.text())
            assert key.mapTo(shell, QPoint(0, key.height())).y() <= buttons_top, spec.key
        field = form.current()
        for part in (form.keyboard, field.input):      # given the room their keys need
            if part.isVisible():
                needs = part.minimumHeight() or part.minimumSizeHint().height()
                assert part.height() >= needs, (spec.key, part)
        assert field.mapTo(shell, QPoint(0, 0)).y() + field.input.y() + field.input.height() \
            <= buttons_top, spec.key


def test_a_nik_that_disagrees_with_the_typed_sex_is_a_kind_warning(qtbot, runtime):
    shell, screen = citizen(qtbot, runtime)
    flow = open_letters(qtbot, screen)
    for spec in list(flow.form.specs):
        answer(qtbot, flow.form, "P" if spec.key == "sex" else BUDI[spec.key])  # NIK says male
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.review_page, timeout=3000)
    assert flow.review_warning.isVisible()
    assert flow.review_warning.text().startswith("Jenis kelamin pada NIK berbeda")
    tap(qtbot, flow.submit_button)                    # a warning never blocks
    qtbot.waitUntil(lambda: flow.stack.currentWidget() is flow.sent_page, timeout=5000)
    assert flow.warning_label.isVisible() and "Jenis kelamin" in flow.warning_label.text()


def test_a_usb_qr_scanner_reads_the_receipt_into_the_status_check(qtbot, runtime):
    """A USB QR scanner is a keyboard: it types the receipt QR's link and presses Enter."""
    from PySide6.QtCore import Qt as QtKeys

    from kiosk import tracking

    submitted = letters.submit_request(runtime, "SKU", _applicant(), _details())
    link = tracking.status_link(runtime.config, submitted.code, server="https://kota.example")
    shell, screen = citizen(qtbot, runtime)
    tap(qtbot, screen.status_button)
    check = screen.status_check
    qtbot.waitUntil(lambda: shell.focusWidget() is check.code_edit, timeout=2000)
    qtbot.keyClicks(check.code_edit, link)
    qtbot.keyClick(check.code_edit, QtKeys.Key.Key_Return)
    qtbot.waitUntil(lambda: check.stack.currentWidget() is check.answer_page, timeout=5000)
    assert check.answer_code.text() == submitted.code


def test_the_receipt_held_up_to_the_kiosk_camera_is_read(qtbot, runtime, tmp_path):
    """The status check with a camera (here the replay source playing a photo-sized picture
    of the receipt's QR): the code is read and answered without a key pressed."""
    import segno

    from devices.camera import open_camera
    from devices.qr import open_decoder
    from kiosk import tracking

    submitted = letters.submit_request(runtime, "SKU", _applicant(), _details())
    pictures = tmp_path / "camera"
    pictures.mkdir()
    link = tracking.status_link(runtime.config, submitted.code, server="https://kota.example")
    segno.make(link, error="m").save(str(pictures / "receipt.png"), scale=8, border=6)
    camera = open_camera(f"replay:{pictures}")
    from ui_support import open_shell

    shell = open_shell(qtbot, _with_camera(runtime, camera, open_decoder("zxing")))
    screen = shell.role_screen
    check = screen.status_check
    assert camera.status().state == "stopped"           # not watched before the page shows
    tap(qtbot, screen.status_button)
    qtbot.waitUntil(lambda: check.stack.currentWidget() is check.answer_page, timeout=10_000)
    assert check.answer_code.text() == submitted.code
    assert check.hint.text().startswith("Tunjukkan QR tanda terima ke kamera")
    tap(qtbot, check.answer_done)
    qtbot.waitUntil(lambda: camera.status().state == "stopped", timeout=5000)


def _with_camera(runtime, camera, decoder):
    from ui.context import ScreenContext
    from ui_support import make_office

    return ScreenContext(office=make_office(runtime), config=runtime.config, clock=runtime.clock,
                         export_dir=runtime.data_dir / "exports", camera=camera, qr=decoder)
