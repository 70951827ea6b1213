"""Issue 12, items 1, 3-6: the letter catalogue, taking requests and complaints (outbox,
receipt), the request's life, and the status lookup by code. Real SQLite files (the demo
office of tests/conftest.py), a fake clock."""

from __future__ import annotations

import dataclasses
import json
import typing

import pytest

from kiosk import outbox, print_queue, tracking
from kiosk.complaints import complaint_status, list_categories, submit_complaint
from kiosk.errors import NotFoundError, ValidationError
from kiosk.letters import (FIELD_KINDS, change_request_status, get_request, list_letter_types,
                           request_history, request_status, submit_request)
from kiosk.letters.catalogue import DEFAULT_CATALOGUE, from_row, to_row
from kiosk.letters.ops_table import COMPLAINTS, REQUESTS, WIRE_DECODERS
from kiosk.lookup import lookup_status
from kiosk.queue.errors import InvalidTransition

APPLICANT = {"nik": "6472085508950003", "kk": "6472081203150007", "name": "Budi Santoso",
             "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
             "address": "Jl. Pahlawan 3", "rt_rw": "3/5", "religion": "islam",
             "marital_status": "kawin", "occupation": "Wiraswasta"}
SKU = {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
       "business_since": "2019-01-01", "purpose": "Pinjaman modal bank"}


def counts(rt) -> dict[str, int]:
    return {t: rt.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("requests", "request_events", "complaints", "print_jobs", "outbox")}


def submit_sku(rt, **changes):
    return submit_request(rt, "SKU", {**APPLICANT, **changes}, dict(SKU))


# -- catalogue ------------------------------------------------------------------------------
def test_the_demo_catalogue_has_every_letter_of_the_issue_with_its_own_fields(runtime):
    letters = {lt.code: lt for lt in list_letter_types(runtime)}
    assert set(letters) == {"PENGANTAR", "DOMISILI", "SKU", "SKTM", "KEMATIAN", "KELAHIRAN",
                            "SKCK", "PINDAH", "BELUM_MENIKAH", "AHLI_WARIS", "KEHILANGAN"}
    keys = {code: {f.key for f in lt.fields} for code, lt in letters.items()}
    assert {"business_name", "business_address", "business_since", "purpose"} <= keys["SKU"]
    assert {"purpose", "household_members"} <= keys["SKTM"]
    assert {"deceased_name", "reporter_name", "witness1_name", "witness2_name", "death_date",
            "death_time", "death_place", "death_cause"} <= keys["KEMATIAN"]
    assert {"baby_name", "mother_name", "father_name", "reporter_name", "witness1_name",
            "baby_birth_date", "baby_birth_time", "baby_birth_place"} <= keys["KELAHIRAN"]
    for lt in letters.values():
        assert lt.name_id and lt.name_en and lt.icon and lt.documents_id
        assert len(lt.documents_id) == len(lt.documents_en)
        all_keys = [f.key for f in lt.all_fields()]
        assert len(all_keys) == len(set(all_keys)), lt.code  # applicant and letter keys apart
        assert all(f.kind in FIELD_KINDS for f in lt.all_fields())
        assert all(f.choices for f in lt.all_fields() if f.kind == "choice")
    assert letters["SKU"].validity_days == 180 and letters["SKU"].needs_verification


def test_a_catalogue_row_from_the_city_round_trips_and_a_newer_one_still_reads(runtime):
    from sync.client.reference import apply_changes

    for letter in DEFAULT_CATALOGUE:
        row = to_row(letter)
        assert from_row(row["code"], row["spec"]) == letter
    newer = to_row(DEFAULT_CATALOGUE[0])
    spec = json.loads(newer["spec"])
    spec["future_key"] = 1
    spec["fields"][0]["future_key"] = "x"
    payload = {**newer, "id": "lt-new", "code": "BARU", "spec": spec, "sort_order": 99}
    with runtime.db.conn:
        apply_changes(runtime.db, [{"table": "letter_types", "record_id": "lt-new",
                                    "op": "upsert", "payload": payload}])
    assert list_letter_types(runtime)[-1].code == "BARU"


# -- taking a request -----------------------------------------------------------------------
def test_a_request_its_event_and_its_receipt_commit_together_through_the_outbox(runtime):
    before = counts(runtime)
    done = submit_sku(runtime)
    assert tracking.kind_of(done.code) == "request" and done.status == "submitted"
    assert done.warnings == () and done.nik_masked == "6472********0003"
    after = counts(runtime)
    assert {k: after[k] - before[k] for k in after} == {
        "requests": 1, "request_events": 1, "complaints": 0, "print_jobs": 1, "outbox": 3}
    tables = [c.table for c in outbox.pending(runtime.db)][-3:]
    assert sorted(tables) == ["print_jobs", "request_events", "requests"]
    stored = get_request(runtime, done.code)
    assert stored.applicant["rt_rw"] == "003/005" and stored.applicant["religion"] == "Islam"
    assert stored.details == SKU


def test_the_receipt_masks_the_nik_lists_documents_hours_and_the_status_link(runtime):
    runtime.config.sync.server = "https://kota.example.go.id/"
    done = submit_sku(runtime)
    receipt = print_queue.get_job(runtime.db, done.print_job_id).receipt
    assert receipt.big_number == done.code and receipt.title == "TANDA TERIMA PERMOHONAN"
    assert receipt.qr == f"https://kota.example.go.id/s/{done.code}"
    text = "\n".join([*receipt.lines, *receipt.footer])
    assert "6472********0003" in text and APPLICANT["nik"] not in json.dumps(receipt.to_dict())
    assert "- Foto tempat usaha" in text and "Jam layanan: Senin-Jumat 08.00-15.00 WITA" in text
    assert done.code in text


def test_a_nik_that_disagrees_with_the_typed_birth_date_and_sex_is_a_warning(runtime):
    done = submit_sku(runtime, birth_date="1995-08-16", sex="L")
    assert [(w.code, w.field) for w in done.warnings] == [
        ("nik_birth_date_mismatch", "nik"), ("nik_sex_mismatch", "nik")]
    assert request_status(runtime, done.code).status == "submitted"


@pytest.mark.parametrize("where, key, value, code", [
    ("applicant", "nik", "6472083208950003", "nik_date"),
    ("applicant", "nik", "647208", "nik_length"),
    ("applicant", "kk", "9972081203150007", "kk_region"),
    ("applicant", "name", "", "required"),
    ("applicant", "name", "x" * 81, "too_long"),
    ("applicant", "birth_date", "15-08-1995", "not_date"),
    ("applicant", "sex", "X", "not_choice"),
    ("applicant", "rt_rw", "RT tiga", "not_rt_rw"),
    ("applicant", "phone", "12345", "not_phone"),
    ("applicant", "hobby", "x", "unknown_field"),
    ("details", "business_since", "2019-02-30", "not_date"),
    ("details", "purpose", "a\x00b", "not_text"),
])
def test_invalid_input_names_the_field_and_writes_nothing(runtime, where, key, value, code):
    applicant, details = dict(APPLICANT), dict(SKU)
    (applicant if where == "applicant" else details)[key] = value
    before = counts(runtime)
    with pytest.raises(ValidationError) as err:
        submit_request(runtime, "SKU", applicant, details)
    assert (err.value.field, err.value.code) == (key, code)
    assert counts(runtime) == before


def test_an_unknown_letter_type_is_not_found(runtime):
    with pytest.raises(NotFoundError) as err:
        submit_request(runtime, "NOPE", APPLICANT, {})
    assert err.value.code == "letter_type_unknown"


def test_each_letter_of_the_catalogue_can_be_requested(runtime):
    samples = {"text": "Contoh", "long_text": "Untuk keperluan administrasi", "number": 3,
               "date": "2024-05-01", "time": "14.30", "nik": "6472081508950003",
               "kk": "6472081203150007", "phone": "0812 3456 7890", "rt_rw": "1/2"}
    for letter in list_letter_types(runtime):
        details = {f.key: f.choices[0].value if f.kind == "choice" else samples[f.kind]
                   for f in letter.fields}
        done = submit_request(runtime, letter.code, APPLICANT, details)
        assert get_request(runtime, done.code).details.get("death_time", "14:30") == "14:30"


# -- the request's life -------------------------------------------------------------------
def test_the_life_of_a_request_and_its_events(runtime, clock):
    done = submit_sku(runtime)
    for status in ("checking", "awaiting_signature", "ready"):
        clock.advance(60)
        view = change_request_status(runtime, done.code, status, staff_id="emp-1001")
    assert view.status == "ready"
    assert (view.next_step.code, view.next_step.fields["counter"],
            view.next_step.fields["bring_id"]) == ("request_ready", "1", "KTP asli")
    assert view.updated.endswith("+08:00")        # the office's zone (WITA)
    clock.advance(60)
    change_request_status(runtime, done.code, "collected", staff_id="emp-1001")
    history = request_history(runtime, done.code)
    assert [(e.from_status, e.to_status, e.staff_id) for e in history] == [
        (None, "submitted", None), ("submitted", "checking", "emp-1001"),
        ("checking", "awaiting_signature", "emp-1001"),
        ("awaiting_signature", "ready", "emp-1001"), ("ready", "collected", "emp-1001")]
    with pytest.raises(InvalidTransition) as err:
        change_request_status(runtime, done.code, "cancelled", staff_id="x", reason="late")
    assert err.value.code == "request_status_change" and err.value.fields["from"] == "collected"


def test_forbidden_steps_and_missing_reasons_change_nothing(runtime):
    sku = submit_sku(runtime)
    before = counts(runtime)
    with pytest.raises(InvalidTransition):       # SKU must be checked first
        change_request_status(runtime, sku.code, "awaiting_signature", staff_id="emp-1")
    with pytest.raises(InvalidTransition):
        change_request_status(runtime, sku.code, "collected", staff_id="emp-1")
    with pytest.raises(ValidationError) as err:
        change_request_status(runtime, sku.code, "rejected", staff_id="emp-1")
    assert err.value.field == "reason"
    with pytest.raises(ValidationError):
        change_request_status(runtime, sku.code, "done", staff_id="emp-1")
    assert counts(runtime) == before
    view = change_request_status(runtime, sku.code, "rejected", staff_id="emp-1",
                                 reason="Usaha tidak berada di wilayah kelurahan")
    assert view.next_step.fields == {"reason": "Usaha tidak berada di wilayah kelurahan"}
    # A letter that needs no verification may skip the check.
    pengantar = submit_request(runtime, "PENGANTAR", APPLICANT, {"purpose": "Urus KK"})
    assert change_request_status(runtime, pengantar.code, "awaiting_signature",
                                 staff_id="emp-1").status == "awaiting_signature"


# -- status by code -------------------------------------------------------------------------
def test_code_from_scan_reads_links_and_codes_typed_loosely():
    assert tracking.code_from_scan("https://kota.go.id/s/S-7K3M9QX?x=1#y") == "S-7K3M9QX"
    assert tracking.code_from_scan("s 7k3m-9qx") == "S-7K3M9QX"
    assert tracking.code_from_scan("P-7K3M") is None                  # too short
    for confusable in "0O1IL":                                        # never printed, so
        assert tracking.code_from_scan(f"S-7K3M9Q{confusable}") is None   # never a code
    assert tracking.code_from_scan("S-7K3M9QU") is None               # U is not in the alphabet
    assert tracking.code_from_scan("https://kota.go.id/s/01936f0e-7c1a-7b4e-9a55-1c2b3d4e5f60") is None
    assert tracking.code_from_scan("") is None and tracking.code_from_scan("http://[x") is None
    assert set(tracking.ALPHABET).isdisjoint("0O1ILU") and len(tracking.ALPHABET) == 30


def test_new_codes_are_unambiguous_and_drawn_again_when_taken():
    seen = {"S-0000000"}
    calls = []

    def taken(code):
        calls.append(code)
        return len(calls) < 3
    code = tracking.new_code("request", taken)
    assert len(calls) == 3 and code == calls[-1] and code not in seen
    assert tracking.normalize(code) == code and not set(code[2:]) & set("0O1ILU")


def test_lookup_finds_either_kind_by_code_as_typed(runtime):
    letter = submit_sku(runtime)
    complaint = submit_complaint(runtime, "jalan", "Jalan berlubang di depan SD 12",
                                 "RT 3/RW 5")
    typed = letter.code.lower().replace("0", "o").replace("1", "i")
    assert lookup_status(runtime, typed).kind == "request"
    assert lookup_status(runtime, f"https://x.go.id/s/{complaint.code}").kind == "complaint"
    with pytest.raises(NotFoundError) as err:
        lookup_status(runtime, "S-2222222")
    assert err.value.code == "code_unknown"
    with pytest.raises(ValidationError) as err:
        lookup_status(runtime, "A-012")
    assert err.value.code == "not_code"


# -- complaints ---------------------------------------------------------------------------
def test_a_complaint_is_taken_with_its_receipt_and_never_shows_its_text(runtime):
    assert [c.code for c in list_categories(runtime)][:2] == ["pelayanan", "jalan"]
    done = submit_complaint(runtime, "Jalan", "Lampu jalan mati sejak seminggu",
                            "RT 3/RW 5", contact="0812-3456-7890")
    assert tracking.kind_of(done.code) == "complaint" and done.status == "received"
    assert "description" not in {f.name for f in dataclasses.fields(done)}
    receipt = print_queue.get_job(runtime.db, done.print_job_id).receipt
    assert "Lampu" not in json.dumps(receipt.to_dict()) and receipt.big_number == done.code
    row = runtime.db.execute("SELECT contact, anonymous FROM complaints").fetchone()
    assert row == ("081234567890", 0)
    view = complaint_status(runtime, done.code)
    assert (view.status, view.next_step.code, view.answer) == ("received", "complaint_received",
                                                               None)


@pytest.mark.parametrize("kwargs, field, code", [
    ({"category": "ufo"}, "category", "not_choice"),
    ({"description": " "}, "description", "required"),
    ({"location": ""}, "location", "required"),
    ({"contact": "0812 3456 7890", "anonymous": True}, "contact", "anonymous_contact"),
    ({"contact": "abc"}, "contact", "not_phone"),
])
def test_bad_complaints_name_the_field_and_write_nothing(runtime, kwargs, field, code):
    args = {"category": "jalan", "description": "Jalan rusak", "location": "RT 1/RW 2", **kwargs}
    before = counts(runtime)
    with pytest.raises(ValidationError) as err:
        submit_complaint(runtime, **args)
    assert (err.value.field, err.value.code) == (field, code)
    assert counts(runtime) == before


def test_the_citys_answer_pulled_down_shows_in_the_status(runtime, clock):
    from sync.client.reference import apply_changes

    done = submit_complaint(runtime, "jalan", "Jalan rusak", "RT 1/RW 2", anonymous=True)
    clock.advance(3600)
    payload = {"id": done.complaint_id, "code": done.code, "status": "answered",
               "answer": "Sudah diperbaiki.", "note": None, "staff": "Dinas PU",
               "updated_ms": clock.wall_ms}
    with runtime.db.conn:
        applied, _ = apply_changes(runtime.db, [{"table": "complaint_status", "op": "upsert",
                                                 "record_id": done.complaint_id,
                                                 "payload": payload}])
    assert applied == 1
    view = complaint_status(runtime, done.code)
    assert (view.status, view.answer, view.updated_ms) == ("answered", "Sudah diperbaiki.",
                                                           clock.wall_ms)
    assert view.next_step.fields == {"has_answer": True}
    # the office-owned row is untouched
    assert runtime.db.execute("SELECT updated_ms FROM complaints").fetchone()[0] < clock.wall_ms


# -- operation tables ---------------------------------------------------------------------
def test_the_operation_tables_resolve_and_their_results_come_back_from_json(runtime):
    from sync.lan import wire

    for feature in (REQUESTS, COMPLAINTS):
        for op in feature.ops:
            hints = typing.get_type_hints(op.fn)       # the LAN route builder needs them
            assert set(op.other_args) <= set(hints), op.name
    done = submit_sku(runtime, sex="L")
    decoders = {**wire._DECODERS, **WIRE_DECODERS}
    for value in (done, request_status(runtime, done.code), list_letter_types(runtime)[4]):
        data = json.loads(json.dumps(wire.to_json(value)))
        rebuilt = decoders[type(value)](data)
        assert rebuilt == value
