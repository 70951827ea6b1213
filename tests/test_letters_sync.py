"""Issue 13 (edge half), with real processes: an approval made offline reaches the city
server once, with its sealed letter row, sealed with the key the kiosk enrolled with; the
city's letter template comes down with the reference data and words the PDF. The city
server under uvicorn (SQLite and the real PostgreSQL), the ``kiosk`` command, loopback."""

from __future__ import annotations

import base64
import io
import json
import sqlite3

import pypdf
import pytest

from kiosk import identity
from kiosk.letters import seal
from kiosk.letters.catalogue import DEFAULT_CATALOGUE, to_row as letter_row
from kiosk.letters.templates import to_row as template_row
from tests.sync_support import procs
from tests.test_requests_sync import SKU, run

pytestmark = pytest.mark.slow

PENGANTAR = {"applicant": SKU["applicant"], "details": {"purpose": "Mengurus KTP"}}
WORDING = 'Kota menyatakan #field("name") sebagai warga yang baik untuk #field("purpose").'


def pushed(db: str, table: str) -> list[dict]:
    with sqlite3.connect(db) as conn:
        return [json.loads(p) for (p,) in conn.execute(
            "SELECT payload FROM changes WHERE table_name = ? ORDER BY device_seq", [table])]


def test_an_offline_approval_reaches_the_city_once_sealed_with_the_enrolled_key(tmp_path):
    db = f"{tmp_path}/server.db"
    srv = procs.ServerProcess(f"sqlite:///{db}", tmp_path / "server").start()
    try:
        check(srv, db, tmp_path)
    finally:
        srv.stop()


def check(srv, db: str, tmp_path) -> None:
    srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                         "timezone": "WITA"})
    srv.admin("PUT", "/admin/reference", {"office_code": None, "changes": [
        {"table": "letter_types", "record_id": row["id"], "payload": row}
        for row in (letter_row(lt, sort_order=i) for i, lt in enumerate(DEFAULT_CATALOGUE))]})
    srv.admin("PUT", "/admin/reference", {"office_code": None, "changes": [
        {"table": "letter_templates", "record_id": "tpl-pengantar",
         "payload": template_row("PENGANTAR", WORDING, updated_ms=1)}]})
    k = tmp_path / "kiosk"
    run(k, "init", "--office-code", "KLR1")
    run(k, "enroll", "--server", srv.url, "--token", srv.enroll_token("KLR1"), check=False)
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["ok"]

    srv.stop()   # offline: approving still issues and seals the letter
    (tmp_path / "p.json").write_text(json.dumps(PENGANTAR))
    _, submitted, _ = run(k, "request", "submit", "PENGANTAR", "--json", str(tmp_path / "p.json"))
    code = submitted["code"]
    _, answer, _ = run(k, "request", "process", code, "--action", "approve", "--staff", "e1")
    letter = answer["letter"]
    assert letter["seq"] == 1 and letter["number"].startswith("470/001/KLR1/")
    out = tmp_path / "surat.pdf"
    run(k, "request", "letter", code, "--out", str(out))
    text = " ".join("".join(p.extract_text() for p in pypdf.PdfReader(
        io.BytesIO(out.read_bytes())).pages).split())
    assert "Kota menyatakan Budi Santoso sebagai warga yang baik untuk Mengurus KTP." in text

    srv.start()
    for _ in range(2):   # a second round doubles nothing
        assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["pending"] == 0
    rows = pushed(db, "issued_letters")                           # exactly once
    assert [(r["id"], r["number"], r["code"]) for r in rows] == [
        (letter["id"], letter["number"], code)]
    # sealed with the key this kiosk enrolled with: the server's copy verifies under it
    enrolled = identity.public_bytes(identity.load(k))
    facts = {**rows[0], "letter_id": rows[0]["id"]}
    assert seal.verify(enrolled, facts, rows[0]["seal"])
    assert rows[0]["public_key"] == seal.b64u(enrolled)
    assert "nik" not in rows[0] and SKU["applicant"]["nik"] not in json.dumps(rows)
    assert base64.urlsafe_b64decode(rows[0]["public_key"] + "=") == enrolled

    # revoked at the office (offline or not): the city's page follows with the reason
    _, answer, _ = run(k, "request", "process", code, "--action", "revoke",
                       "--reason", "Diterbitkan atas dokumen palsu", "--staff", "e1")
    assert answer["letter"]["revoked"] is True
    assert procs.kiosk(k, "sync", "--once", "--server", srv.url)["pending"] == 0
    rows = pushed(db, "issued_letters")
    assert [r["revoked"] for r in rows] == [0, 1] and rows[1]["number"] == letter["number"]
    import httpx

    verdict = httpx.get(f"{srv.url}/v/{letter['id']}.json", timeout=30).json()
    assert verdict["status"] == "revoked"
    assert verdict["revoked_reason"] == "Diterbitkan atas dokumen palsu"
