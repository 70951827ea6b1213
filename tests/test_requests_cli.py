"""Issue 12, item 7: ``kiosk request ...`` and ``kiosk complaint ...`` (names fixed: others
script against them). Run as the installed command: an error is one line, exit code 2."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

KIOSK = Path(sys.executable).parent / "kiosk"
APPLICANT = {"nik": "6472085508950003", "kk": "6472081203150007", "name": "Budi Santoso",
             "birth_place": "Samarinda", "birth_date": "1995-08-15", "sex": "P",
             "address": "Jl. Pahlawan 3", "rt_rw": "003/005", "religion": "Islam",
             "marital_status": "kawin", "occupation": "Wiraswasta"}
SKU = {"business_name": "Warung Budi", "business_address": "Jl. Pahlawan 3",
       "business_since": "2019-01-01", "purpose": "Pinjaman"}


def kiosk(demo_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(KIOSK), "--data-dir", str(demo_dir), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def rows(demo_dir: Path) -> tuple[int, int, int]:
    with sqlite3.connect(demo_dir / "kiosk.db") as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("requests", "complaints", "outbox"))


def test_types_submit_status_round(demo_dir, tmp_path):
    types = json.loads(kiosk(demo_dir, "request", "types").stdout)
    assert "SKU" in [t["code"] for t in types["types"]]
    assert [f["key"] for f in types["applicant_fields"]][:2] == ["nik", "kk"]
    (tmp_path / "sku.json").write_text(json.dumps({"applicant": {**APPLICANT, "sex": "L"},
                                                   "details": SKU}))
    done = kiosk(demo_dir, "request", "submit", "SKU", "--json", str(tmp_path / "sku.json"))
    answer = json.loads(done.stdout)
    assert answer["code"].startswith("S-")
    assert [w["code"] for w in answer["warnings"]] == ["nik_sex_mismatch"]
    status = json.loads(kiosk(demo_dir, "request", "status", answer["code"].lower()).stdout)
    assert status["status"] == "submitted" and status["updated"].startswith("20")
    moved = kiosk(demo_dir, "request", "set-status", answer["code"], "checking", "--staff", "e1")
    assert json.loads(moved.stdout)["status"] == "checking"
    bad_step = kiosk(demo_dir, "request", "set-status", answer["code"], "collected")
    assert bad_step.returncode == 2 and bad_step.stderr.count("\n") == 1


def test_invalid_input_exits_2_with_one_line_naming_the_field_and_writes_nothing(demo_dir,
                                                                                  tmp_path):
    before = rows(demo_dir)
    for applicant, field in (({**APPLICANT, "nik": "6472083208950003"}, "nik"),
                             ({**APPLICANT, "rt_rw": "x"}, "rt_rw")):
        (tmp_path / "bad.json").write_text(json.dumps({"applicant": applicant, "details": SKU}))
        bad = kiosk(demo_dir, "request", "submit", "SKU", "--json", str(tmp_path / "bad.json"))
        assert bad.returncode == 2 and bad.stdout == ""
        assert bad.stderr.startswith(f"error: {field}: ") and bad.stderr.count("\n") == 1
    for args, stdin in ((("request", "submit", "SKU", "--json", "-"), "{not json"),
                        (("request", "submit", "SKU", "--json", str(tmp_path / "none.json")), None),
                        (("complaint", "submit", "--json", "-"), '{"kategori": "x"}'),
                        (("request", "status", "A-012"), None)):
        out = kiosk(demo_dir, *args, stdin=stdin)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, (args, out.stderr)
    assert rows(demo_dir) == before


def test_complaint_submit_and_status(demo_dir):
    cats = json.loads(kiosk(demo_dir, "complaint", "categories").stdout)
    assert {"code": "jalan", "name_id": "Jalan, jembatan dan drainase",
            "name_en": "Roads, bridges and drains", "icon": "road"} in cats
    body = {"category": "sampah", "description": "Sampah menumpuk di pasar",
            "location": "Pasar Segiri", "anonymous": True}
    done = json.loads(kiosk(demo_dir, "complaint", "submit", "--json", "-",
                            stdin=json.dumps(body)).stdout)
    assert done["code"].startswith("P-") and done["status"] == "received"
    status = json.loads(kiosk(demo_dir, "complaint", "status", done["code"]).stdout)
    assert status["status"] == "received" and status["kind"] == "complaint"
    anon = kiosk(demo_dir, "complaint", "submit", "--json", "-",
                 stdin=json.dumps({**body, "contact": "081234567890"}))
    assert anon.returncode == 2 and anon.stderr.startswith("error: contact: ")
