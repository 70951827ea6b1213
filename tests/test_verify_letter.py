"""``kiosk verify-letter`` as a person runs it, against a real city server on loopback.

The office edge is the harness' device (server_support.Device: enrolled, pushes
``issued_letters`` rows sealed with its key through /sync/push as a kiosk does); the kiosk
data directory checking the letters holds that same identity key, as the edge itself would.
Letters are a real PDF (typst) carrying the QR, a photo-like PNG of the QR, or the QR's text.
Genuine -> exit 0; revoked, unknown, a changed field, another office's seal -> exit 1; bad
input -> exit 2 with one line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
import qrcode
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.letters import seal
from server_support import Device
from tests.sync_support import procs

NIK_MASKED = "6472********0003"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("verify")
    srv = procs.ServerProcess(f"sqlite:///{root}/server.db", root / "server").start()
    try:
        srv.admin("POST", "/admin/offices", {"code": "KLR1", "name": "Kelurahan Satu",
                                             "timezone": "WITA"})
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def edge(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        device = Device(client)
        assert device.enroll(server.enroll_token("KLR1")).status_code == 200
        yield device


@pytest.fixture(scope="module")
def kiosk_dir(tmp_path_factory, edge) -> Path:
    """A kiosk data directory whose identity key is the edge's (the office key)."""
    data_dir = tmp_path_factory.mktemp("kiosk")
    procs.kiosk(data_dir, "init", "--office-code", "KLR1")
    key = data_dir / "identity.key"
    key.write_bytes(edge.key.private_bytes(serialization.Encoding.Raw,
                                           serialization.PrivateFormat.Raw,
                                           serialization.NoEncryption()))
    os.chmod(key, 0o600)
    return data_dir


def letter(**over) -> dict:
    letter_id = str(uuid.uuid4())
    row = {"id": letter_id, "letter_id": letter_id, "office_code": "KLR1",
           "number": "470/007/KLR1/XII/2026", "type_code": "SKU",
           "applicant_name": "Budi Santoso", "nik_masked": NIK_MASKED,
           "issued_date": "2026-12-05", "valid_until": "2027-03-05",
           "request_id": str(uuid.uuid4()), "staff_id": "st-1", "signer_name": "Andi Wijaya",
           "signer_position": "Lurah", "revoked": 0, "revoked_reason": None}
    row.update(over)
    return row


def pushed(edge: Device, row: dict, key=None) -> dict:
    row = {**row, "signature": row.get("signature") or seal.sign(key or edge.key, row)}
    item = edge.item("issued_letters", row, record_id=row["id"])
    r = edge.push([item])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    return row


def qr_png(text: str, path: Path) -> Path:
    qrcode.make(text, border=4, box_size=8).save(path)
    return path


def letter_pdf(tmp_path: Path, row: dict, link: str) -> Path:
    """An A4 letter: the facts as text and the verification QR, compiled with typst."""
    import typst

    qr_png(link, tmp_path / "qr.png")
    nik = row["nik_masked"].replace("*", "\\*")   # typst markup: * is emphasis
    (tmp_path / "letter.typ").write_text(
        "#set page(paper: \"a4\")\n= SURAT KETERANGAN USAHA\n"
        f"Nomor: {row['number']}\n\nNama: {row['applicant_name']}\n\nNIK: "
        f"{nik}\n\n"
        "#image(\"qr.png\", width: 30mm)\n", encoding="utf-8")
    out = tmp_path / "letter.pdf"
    typst.compile(str(tmp_path / "letter.typ"), output=str(out), root=str(tmp_path))
    return out


def verify(data_dir: Path, *args: str) -> tuple[int, dict | None, str]:
    res = subprocess.run([*procs.KIOSK, "--data-dir", str(data_dir), "verify-letter", *args],
                         capture_output=True, text=True, env=procs.env(), timeout=120)
    try:
        out = json.loads(res.stdout)
    except ValueError:
        out = None
    return res.returncode, out, res.stderr


def test_letters_checked_through_the_city_server(server, edge, kiosk_dir, tmp_path):
    row = pushed(edge, letter())
    link = seal.verify_url(server.url, row["letter_id"], row["signature"])
    pdf = letter_pdf(tmp_path, row, link)
    rc, out, err = verify(kiosk_dir, str(pdf), "--server", server.url)
    assert rc == 0, err
    assert out["genuine"] is True and out["status"] == "genuine"
    assert (out["checked"], out["number"], out["nik_masked"]) == (
        "server", row["number"], NIK_MASKED)

    # the same letter id with a seal from another office's key: a forged QR
    other = seal.sign(Ed25519PrivateKey.generate(), row)
    png = qr_png(seal.verify_url(server.url, row["letter_id"], other), tmp_path / "forged.png")
    rc, out, _ = verify(kiosk_dir, str(png), "--server", server.url)
    assert rc == 1 and out["genuine"] is False and out["status"] == "forged"
    # a seal over the letter with one character of its number changed
    changed = seal.sign(edge.key, {**row, "number": row["number"].replace("007", "008")})
    rc, out, _ = verify(kiosk_dir, seal.verify_url(server.url, row["letter_id"], changed),
                        "--server", server.url)
    assert rc == 1 and out["status"] == "forged"

    # unknown letter; revoked letter
    rc, out, _ = verify(kiosk_dir, seal.verify_url(server.url, str(uuid.uuid4()),
                                                   row["signature"]), "--server", server.url)
    assert rc == 1 and out["status"] == "not_found"
    revoked = pushed(edge, letter())
    pushed(edge, {**revoked, "revoked": 1, "revoked_reason": "Diganti surat baru"})
    rc, out, _ = verify(kiosk_dir, seal.verify_url(server.url, revoked["letter_id"],
                                                   revoked["signature"]),
                        "--server", server.url)
    assert rc == 1 and (out["status"], out["revoked_reason"]) == ("revoked", "Diganti surat baru")


def _store_locally(data_dir: Path, row: dict) -> None:
    """The edge's own ``issued_letters`` row (the edge half of issue 13 writes it; here the
    table is made when this branch has none, and any other required column gets a blank)."""
    conn = sqlite3.connect(data_dir / "kiosk.db")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS issued_letters (id TEXT PRIMARY KEY, "
                     + ", ".join(f"{name} TEXT" for name in seal.SEALED_FIELDS if name != "id")
                     + ", signature TEXT, revoked INTEGER, revoked_reason TEXT)")
        columns = {r[1]: r for r in conn.execute("PRAGMA table_info(issued_letters)")}
        # the edge keeps the id and the seal under its own names (the wire says letter_id
        # and signature: kiosk.letters.verification.as_pushed)
        row = {**row, "id": row["letter_id"], "seal": row["signature"]}
        values = {name: row.get(name) for name in columns if name in row}
        for name, info in columns.items():   # NOT NULL without default, not in the contract
            if name not in values and info[3] and info[4] is None:
                values[name] = 0 if "INT" in (info[2] or "").upper() else ""
        conn.execute(f"INSERT OR REPLACE INTO issued_letters ({', '.join(values)}) VALUES"
                     f" ({', '.join('?' * len(values))})", tuple(values.values()))
        conn.commit()
    finally:
        conn.close()


def test_letters_this_office_issued_are_checked_offline(server, edge, kiosk_dir):
    row = letter()
    row["signature"] = seal.sign(edge.key, row)
    _store_locally(kiosk_dir, row)
    link = seal.verify_url("https://kota.example", row["letter_id"], row["signature"])
    rc, out, err = verify(kiosk_dir, link)   # no server: nothing leaves this machine
    assert rc == 0, err
    assert (out["genuine"], out["checked"], out["applicant_name"]) == (
        True, "offline", "Budi Santoso")

    # another office's seal on this letter id
    forged = seal.sign(Ed25519PrivateKey.generate(), row)
    rc, out, _ = verify(kiosk_dir, seal.verify_url("https://kota.example", row["letter_id"],
                                                   forged))
    assert rc == 1 and out["status"] == "forged"
    # one changed character in a sealed field of the record
    _store_locally(kiosk_dir, {**row, "valid_until": "2027-03-06"})
    rc, out, _ = verify(kiosk_dir, link)
    assert rc == 1 and out["genuine"] is False and out["status"] == "forged"
    # revoked
    _store_locally(kiosk_dir, {**row, "revoked": 1, "revoked_reason": "Dicabut lurah"})
    rc, out, _ = verify(kiosk_dir, link)
    assert rc == 1 and out["status"] == "revoked" and "Dicabut lurah" in out["reason"]


def test_bad_input_is_one_line_and_exit_2(kiosk_dir, tmp_path):
    for source in ("hello", "https://kota.example/s/S-7K3M9QX", "https://kota.example/v/abc"):
        rc, out, err = verify(kiosk_dir, source)
        assert rc == 2 and out is None and len(err.strip().splitlines()) == 1, (source, err)
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("no image here")
    rc, _, err = verify(kiosk_dir, str(not_an_image))
    assert rc == 2 and "notes.png" in err and len(err.strip().splitlines()) == 1
    blank = qr_png("https://example.com/hello", tmp_path / "other.png")
    rc, _, err = verify(kiosk_dir, str(blank))
    assert rc == 2 and "no letter QR" in err
    # a letter not issued here and no city server to ask
    rc, _, err = verify(kiosk_dir, seal.verify_url("https://kota.example", str(uuid.uuid4()),
                                                   "AAAA"))
    assert rc == 2 and "--server" in err
