"""Issue 13, items 1-3 (edge half): approving a request issues a numbered, sealed letter in
one transaction; the letter as an A4 PDF (real typst) with a QR that reads back to the
verify link; printing it through the persistent queue on cups:// (a fake ``lp`` script,
a real process) and file://. Real SQLite files (the demo office), a fake clock."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

from devices.printer.a4 import (DocumentWorker, open_a4_printer, parse_a4_uri,
                                start_document_worker)
from kiosk import identity, outbox, print_queue
from kiosk.clock import FakeClock
from kiosk.db import write_tx
from kiosk.errors import ConfigError, NotFoundError, ValidationError
from kiosk.letters import request_history, request_status, seal, submit_request
from kiosk.letters.document import render_letter
from kiosk.letters.issuing import (approve_request, checklist_of, issued_letter,
                                   process_request, reject_request, verify_request)
from kiosk.letters.letter_ops import LETTERS
from kiosk.letters.models import IssuedLetter
from kiosk.letters.numbering import validate_pattern
from kiosk.letters.printing import letter_pdf, print_letter, renderer
from kiosk.letters.templates import to_row as template_row
from kiosk.queue.errors import InvalidTransition

NIK = "6472085508950003"
APPLICANT = {"nik": NIK, "kk": "6472081203150007", "name": "Budi Santoso",
             "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
             "address": "Jl. Pahlawan 3", "rt_rw": "3/5", "religion": "islam",
             "marital_status": "kawin", "occupation": "Wiraswasta"}
SKU = {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
       "business_since": "2019-01-01", "purpose": "Pinjaman modal bank"}
HOSTILE = 'Budi #panic("boom") *tebal* $x^2$ \\ [kurung] _mi_ `kode` <l> @ref // "k"'
SERVER = "https://kota.example.go.id"


def sku(rt, **applicant) -> str:
    return submit_request(rt, "SKU", {**APPLICANT, **applicant}, dict(SKU)).code


def approved(rt, **applicant) -> IssuedLetter:
    code = sku(rt, **applicant)
    process_request(rt, code, "verify", staff_id="emp-0001")
    return approve_request(rt, code, staff_id="emp-0001")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def qr_texts(pdf: bytes) -> list[str]:
    """The QR codes on the PDF's first page, rendered to an image at 200 dpi (pdfium)."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


# -- approval: number, seal, outbox -----------------------------------------------------------

def test_approval_issues_a_sealed_numbered_letter_through_the_outbox(runtime):
    assert not identity.key_path(runtime.data_dir).exists()     # never enrolled: offline
    letter = approved(runtime)
    assert letter.number == "470/001/DEMO/XI/2026"
    assert (letter.seq, letter.type_code, letter.applicant_name) == (1, "SKU", "Budi Santoso")
    assert letter.nik_masked == "6472********0003" and NIK not in json.dumps(
        dataclasses.asdict(letter))
    assert (letter.issued_date, letter.valid_until) == ("2026-11-18", "2027-05-17")  # 180 days
    assert (letter.signer_name, letter.signer_position) == ("Drs. Ahmad Rifai", "Lurah")
    assert request_status(runtime, letter.code).status == "awaiting_signature"
    # the key was made as enrollment makes it, and it is the one that sealed the letter
    key_file = identity.key_path(runtime.data_dir)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes()) == 32
    public = identity.public_bytes(identity.load(runtime.data_dir))
    assert seal.b64u(public) == letter.public_key
    assert seal.verify(public, letter.sealed_facts(), letter.seal)
    stored = issued_letter(runtime, letter.code)
    assert stored == letter and seal.verify(public, stored.sealed_facts(), stored.seal)
    changed = {**letter.sealed_facts(), "number": "470/002/DEMO/XI/2026"}
    assert not seal.verify(public, changed, letter.seal)
    # the letter row travels once, in the approval's transaction, beside its event
    pushed = [c for c in outbox.pending(runtime.db) if c.table == "issued_letters"]
    assert [c.record_id for c in pushed] == [letter.id]
    assert pushed[0].payload["number"] == letter.number and "nik" not in pushed[0].payload
    assert [e.to_status for e in request_history(runtime, letter.code)] == [
        "submitted", "checking", "awaiting_signature"]
    assert approved(runtime).number == "470/002/DEMO/XI/2026"


def test_numbers_count_per_letter_type_and_restart_each_year(runtime, clock):
    first = approved(runtime)
    code = submit_request(runtime, "PENGANTAR", dict(APPLICANT), {"purpose": "KTP"}).code
    other = approve_request(runtime, code, staff_id=None)          # needs no verification
    assert (first.seq, other.seq) == (1, 1) and (other.number, other.type_code) == (
        "470/001/DEMO/XI/2026", "PENGANTAR")
    runtime.db["settings"].upsert({"key": "letters.number_pattern.SKU", "updated_ms": 0,
                                   "value": "503/{seq:03d}/{office}/{year}"}, pk="key")
    assert approved(runtime).number == "503/002/DEMO/2026"
    clock.advance(60 * 86400)                                       # into January 2027
    assert approved(runtime).number == "503/001/DEMO/2027"


def test_a_rolled_back_approval_gives_its_number_back(runtime):
    code = sku(runtime)
    process_request(runtime, code, "verify")
    with pytest.raises(RuntimeError):
        with write_tx(runtime.db):
            assert approve_request(runtime, code, staff_id=None).seq == 1
            raise RuntimeError("the power went out before the commit")
    assert request_status(runtime, code).status == "checking"
    assert runtime.db.execute("SELECT count(*) FROM issued_letters").fetchone()[0] == 0
    assert approve_request(runtime, code, staff_id=None).seq == 1


def test_the_number_pattern_is_the_offices_and_a_bad_one_names_the_setting(runtime):
    runtime.db["settings"].upsert({"key": "letters.number_pattern", "updated_ms": 0,
                                   "value": "{type}-{seq:04d}/{month}/{year}"}, pk="key")
    assert approved(runtime).number == "SKU-0001/11/2026"
    runtime.db["settings"].upsert({"key": "letters.number_pattern", "updated_ms": 0,
                                   "value": "470/{seq}/{kelurahan}"}, pk="key")
    code = sku(runtime)
    process_request(runtime, code, "verify")
    before = runtime.db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    with pytest.raises(ConfigError) as err:
        approve_request(runtime, code, staff_id=None)
    assert err.value.key == "letters.number_pattern" and "{kelurahan}" in str(err.value)
    assert runtime.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == before
    assert request_status(runtime, code).status == "checking"
    for bad in ("470/{office}", "{seq:xyz}", "{seq", ""):
        with pytest.raises(ConfigError):
            validate_pattern(bad)


def test_a_letter_that_needs_checking_is_not_approved_unchecked_and_verify_ticks_all(runtime):
    code = sku(runtime)
    with pytest.raises(InvalidTransition):
        approve_request(runtime, code, staff_id=None)
    assert runtime.db.execute("SELECT count(*) FROM letter_counters").fetchone()[0] == 0
    items = checklist_of(runtime, code)
    assert items[:3] == ["nik", "kk", "name"] and "Foto tempat usaha" in items
    ticks = {item: True for item in items}
    with pytest.raises(ValidationError) as err:
        verify_request(runtime, code, {**ticks, "Foto tempat usaha": False}, staff_id="s1")
    assert err.value.code == "not_ticked" and err.value.fields["item"] == "Foto tempat usaha"
    with pytest.raises(ValidationError):
        verify_request(runtime, code, {**ticks, "shoe_size": True}, staff_id="s1")
    assert request_status(runtime, code).status == "submitted"
    assert verify_request(runtime, code, ticks, staff_id="s1").status == "checking"
    checklist = runtime.db.execute("SELECT checklist, staff_id FROM request_events"
                                   " WHERE to_status = 'checking'").fetchone()
    assert json.loads(checklist[0]) == ticks and checklist[1] == "s1"
    [event] = [c for c in outbox.pending(runtime.db) if c.table == "request_events"
               and c.payload["to_status"] == "checking"]          # once, with its ticks
    assert json.loads(event.payload["checklist"]) == ticks


def test_rejecting_needs_a_reason_and_the_rest_of_the_life(runtime):
    code = sku(runtime)
    with pytest.raises(ValidationError) as err:
        reject_request(runtime, code, "  ", staff_id=None)
    assert err.value.field == "reason" and request_status(runtime, code).status == "submitted"
    with pytest.raises(ValidationError):
        process_request(runtime, code, "sign")
    answer = process_request(runtime, code, "reject", reason="Fotokopi KK tidak terbaca")
    assert (answer["status"], answer["reason"]) == ("rejected", "Fotokopi KK tidak terbaca")
    with pytest.raises(NotFoundError):
        issued_letter(runtime, code)
    letter = approved(runtime)
    assert process_request(runtime, letter.code, "ready")["status"] == "ready"
    assert process_request(runtime, letter.code, "collected")["status"] == "collected"


# -- the PDF --------------------------------------------------------------------------------

def test_the_pdf_has_the_name_number_masked_nik_and_never_the_full_nik(runtime):
    letter = approved(runtime)
    rendered = render_letter(runtime.db, runtime.config, letter)
    assert rendered.pdf.startswith(b"%PDF") and rendered.filename == f"{letter.code}.pdf"
    text = pdf_text(rendered.pdf)
    for expected in ("Budi Santoso", letter.number, "6472********0003", "Warung Budi",
                     "SURAT KETERANGAN USAHA", "KELURAHAN SUNGAI PINANG DALAM",
                     "Drs. Ahmad Rifai", "196805121990031005", "18 November 2026",
                     "17 Mei 2027", "Perempuan"):
        assert expected in text, expected
    assert NIK not in text and "6472081203150007" not in text          # NIK and KK masked
    assert NIK.encode() not in rendered.pdf


def test_the_qr_reads_back_to_the_verify_link_of_the_city_server(runtime):
    runtime.config.sync.server = SERVER
    letter = approved(runtime)
    rendered = render_letter(runtime.db, runtime.config, letter)
    url = f"{SERVER}/v/{letter.id}#{letter.seal}"
    assert rendered.verify_url == url and not rendered.server_missing
    assert qr_texts(rendered.pdf) == [url]


def test_without_a_server_the_qr_holds_a_relative_link_and_says_so(runtime):
    letter = approved(runtime)
    answer = letter_pdf(runtime, letter.code)
    assert answer["server_missing"] and answer["verify_url"] == f"/v/{letter.id}#{letter.seal}"
    import base64

    assert qr_texts(base64.b64decode(answer["pdf_b64"])) == [answer["verify_url"]]


def test_a_hostile_name_prints_literally_and_never_runs(runtime):
    letter = approved(runtime, name=HOSTILE)
    assert letter.applicant_name == HOSTILE
    text = pdf_text(render_letter(runtime.db, runtime.config, letter).pdf)
    flat = " ".join(text.split())
    assert HOSTILE in flat, flat[:600]


def test_the_citys_template_changes_the_wording_without_a_release(runtime):
    body = ('Dengan ini #signer.position menyatakan usaha *#field("business_name")* milik '
            '#field("name") (NIK #field("nik")) TERDAFTAR.')
    runtime.db["letter_templates"].upsert(template_row("SKU", body, updated_ms=5), pk="id")
    text = pdf_text(render_letter(runtime.db, runtime.config, approved(runtime)).pdf)
    assert "usaha Warung Budi milik Budi Santoso (NIK 6472********0003) TERDAFTAR" in " ".join(
        text.split())


def test_a_broken_template_is_a_clear_error(runtime):
    runtime.db["letter_templates"].upsert(template_row("SKU", "#let x = (", updated_ms=5),
                                          pk="id")
    letter = approved(runtime)
    with pytest.raises(Exception) as err:
        render_letter(runtime.db, runtime.config, letter)
    assert err.value.code == "letter_render" and "letter_templates" in str(err.value)


# -- concurrency: two processes approving on one database file ------------------------------

APPROVER = textwrap.dedent("""
    import json, sys
    from kiosk.runtime import open_runtime
    from kiosk.letters.issuing import approve_request
    rt = open_runtime(sys.argv[1])
    numbers = [approve_request(rt, code, staff_id=sys.argv[2]).seq for code in sys.argv[3:]]
    rt.close()
    print(json.dumps(numbers))
""")


def test_numbers_are_gapless_and_unique_under_two_approving_processes(runtime, demo_dir):
    codes = [submit_request(runtime, "PENGANTAR", dict(APPLICANT), {"purpose": f"p{i}"}).code
             for i in range(100)]
    identity.load_or_create(demo_dir)        # as enrolled: both processes seal with it
    procs = [subprocess.Popen([sys.executable, "-c", APPROVER, str(demo_dir), f"staff-{n}",
                               *codes[n::2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for n in (0, 1)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outputs]
    seqs = [s for out, _ in outputs for s in json.loads(out)]
    assert sorted(seqs) == list(range(1, 101))
    rows = runtime.db.execute("SELECT seq, number, staff_id FROM issued_letters").fetchall()
    assert sorted(r[0] for r in rows) == list(range(1, 101))
    assert len({r[1] for r in rows}) == 100
    assert {r[2] for r in rows} == {"staff-0", "staff-1"}
    public = identity.public_bytes(identity.load(demo_dir))
    for code in codes[:5]:
        letter = issued_letter(runtime, code)
        assert seal.verify(public, letter.sealed_facts(), letter.seal)


# -- printing on A4 ------------------------------------------------------------------------

FAKE_LP = """#!/bin/sh
# records its arguments and the file it was given, as CUPS' lp would take it
if [ -e "$LP_FAIL" ]; then echo "lp: The printer or class does not exist." >&2; exit 1; fi
printf '%s\\n' "$@" > "$LP_LOG/args-$$"
for last; do :; done
cp "$last" "$LP_LOG/file-$$.pdf"
echo "request id is Kantor-$$ (1 file(s))"
"""


@pytest.fixture
def fake_lp(tmp_path, monkeypatch) -> Path:
    bin_dir, log = tmp_path / "bin", tmp_path / "lp-log"
    bin_dir.mkdir()
    log.mkdir()
    script = bin_dir / "lp"
    script.write_text(FAKE_LP)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("LP_LOG", str(log))
    monkeypatch.setenv("LP_FAIL", str(tmp_path / "printer-off"))
    return log


def wait_until(check, timeout=30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_letter_prints_through_lp_and_waits_in_the_queue_while_the_printer_is_off(
        runtime, fake_lp, tmp_path):
    letter = approved(runtime)
    (tmp_path / "printer-off").touch()
    job_id = print_letter(runtime, letter.code)
    assert print_queue.job_status(runtime.db, job_id) == "pending"
    assert print_queue.next_pending(runtime.db).kind == "request"   # thermal: receipts only
    assert print_queue.next_pending(runtime.db, documents=True).id == job_id
    worker = start_document_worker(runtime, open_a4_printer("cups://Kantor"), FakeClock(),
                                   renderer(runtime.config), poll_s=0.05, retry_s=0.05)
    try:
        wait_until(lambda: print_queue.get_job(runtime.db, job_id).last_error)
        job = print_queue.get_job(runtime.db, job_id)
        assert job.status == "pending" and "does not exist" in job.last_error
        assert not list(fake_lp.glob("args-*"))
        (tmp_path / "printer-off").unlink()                          # switched on
        wait_until(lambda: print_queue.job_status(runtime.db, job_id) == "done")
    finally:
        worker.stop()
    [args] = [p.read_text().split("\n")[:-1] for p in fake_lp.glob("args-*")]
    assert args[:4] == ["-d", "Kantor", "-t", f"{letter.code}.pdf"]
    assert args[4].endswith(f"{letter.code}.pdf")
    [printed] = list(fake_lp.glob("file-*.pdf"))
    assert letter.number in pdf_text(printed.read_bytes())
    assert worker.printed == 1
    # the thermal printer's queue never saw it: the receipt is still its only job
    assert [j.kind for j in print_queue.pending_jobs(runtime.db)] == ["request"]


def test_file_uri_writes_each_letter_and_a_reprint_is_one_more_copy(runtime, tmp_path):
    out = tmp_path / "letters"
    out.mkdir()
    letter = approved(runtime)
    first = print_letter(runtime, letter.code)
    again = print_queue.reprint(runtime.db, first, runtime.now())
    assert print_queue.get_job(runtime.db, again).reprint_of == first
    worker = DocumentWorker(Path(runtime.data_dir) / "kiosk.db",
                            open_a4_printer(f"file://{out}"), FakeClock(),
                            renderer(runtime.config))
    assert worker.step(runtime.db) == "printed" and worker.step(runtime.db) == "printed"
    assert worker.step(runtime.db) == "idle"
    assert [print_queue.job_status(runtime.db, j) for j in (first, again)] == ["done", "done"]
    assert "Budi Santoso" in pdf_text((out / f"{letter.code}.pdf").read_bytes())
    assert print_queue.get_job(runtime.db, first).to_dict()["document"]["letter_id"] == letter.id


def test_a4_uris_are_checked_with_the_key_named():
    assert parse_a4_uri("cups://Kantor_A4").queue == "Kantor_A4"
    assert parse_a4_uri("cups://").queue == ""
    assert parse_a4_uri("file:///srv/letters").directory == "/srv/letters"
    for bad in ("Kantor", "ipp://x", "file://relative", "cups://a b", "cups://q?x=1"):
        with pytest.raises(ConfigError) as err:
            parse_a4_uri(bad)
        assert err.value.key == "printer.a4_uri"


# -- the operation table and the command line ----------------------------------------------

def test_the_letters_feature_resolves_and_its_results_travel_as_json(runtime):
    assert LETTERS.name == "letters" and LETTERS.prefix == "/letters"
    names = {op.name for op in LETTERS.ops}
    assert {"approve_request", "verify_request", "reject_request", "mark_ready",
            "mark_collected", "letter_pdf", "print_letter"} <= names
    letter = approved(runtime)
    wire = json.loads(json.dumps(dataclasses.asdict(letter)))
    assert IssuedLetter(**wire) == letter
    assert isinstance(LETTERS.op("print_letter").fn(runtime, letter.code), str)


KIOSK = Path(sys.executable).parent / "kiosk"


def kiosk(demo_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KIOSK), "--data-dir", str(demo_dir), *args],
                          capture_output=True, text=True, timeout=60)


def test_the_command_line_processes_a_request_and_writes_its_letter(runtime, demo_dir, tmp_path):
    code = sku(runtime)
    runtime.close()
    done = kiosk(demo_dir, "request", "process", code, "--action", "approve")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    for action in ("verify", "approve"):
        done = kiosk(demo_dir, "request", "process", code, "--action", action,
                     "--staff", "emp-0001")
        assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "awaiting_signature"
    assert answer["letter"]["seq"] == 1
    assert answer["letter"]["number"].startswith("470/001/DEMO/")
    out = tmp_path / "surat.pdf"
    done = kiosk(demo_dir, "request", "letter", code, "--out", str(out))
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["number"] == answer["letter"]["number"] and "note" in written
    assert answer["letter"]["number"] in pdf_text(out.read_bytes())
    for bad in (["--action", "sign"], ["--action", "reject"]):
        done = kiosk(demo_dir, "request", "process", code, *bad)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = kiosk(demo_dir, "request", "letter", "S-AAAAAAA", "--out", str(out))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_revoking_a_letter_keeps_its_seal_travels_once_and_is_final(runtime):
    letter = approved(runtime)
    with pytest.raises(ValidationError):              # a reason is required
        process_request(runtime, letter.code, "revoke", staff_id="emp-0001")
    assert issued_letter(runtime, letter.code).revoked is False
    before = len(outbox.pending(runtime.db))
    answer = process_request(runtime, letter.code, "revoke", staff_id="emp-0001",
                             reason="Diterbitkan atas dokumen palsu")
    assert answer["letter"]["revoked"] is True
    stored = issued_letter(runtime, letter.code)
    assert stored.revoked and stored.seal == letter.seal and stored.number == letter.number
    changes = [c for c in outbox.pending(runtime.db) if c.table == "issued_letters"]
    assert len(outbox.pending(runtime.db)) == before + 1
    assert [c.payload["revoked"] for c in changes] == [0, 1]
    assert changes[1].payload["revoked_reason"] == "Diterbitkan atas dokumen palsu"
    with pytest.raises(InvalidTransition) as again:
        process_request(runtime, letter.code, "revoke", staff_id="emp-0001", reason="lagi")
    assert again.value.code == "letter_revoked"
    assert len(outbox.pending(runtime.db)) == before + 1
