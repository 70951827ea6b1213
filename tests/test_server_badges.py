"""Staff badges at the city server (sync/server/badges.py), on SQLite and PostgreSQL: the
key is made once and kept, a badge is issued only for a roster employee, the public key and
the revocations go down to the offices with the roster; ``kiosk server badge`` prints it."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from kiosk import badges
from kiosk.clock import FakeClock
from server_support import (  # noqa: F401 (db_url is a fixture)
    ADMIN, add_office, admin_headers, db_url, enrolled_device,
)
from sync.server import create_app
from sync.server.engines import open_store
from tests.sync_support import procs


def put_employee(client, employee_id: str, office: str = "K1", name: str = "Andi Pratama",
                 active: int = 1) -> None:
    r = client.put("/admin/reference", headers=admin_headers(), json={
        "office_code": office, "changes": [{"table": "employees", "record_id": employee_id,
                                            "payload": {"id": employee_id, "name": name,
                                                        "active": active}}]})
    assert r.status_code == 200, r.text


@pytest.fixture
def client(db_url):
    clock = FakeClock(wall_ms=time.time_ns() // 1_000_000)
    with TestClient(create_app(db_url, admin_token=ADMIN, clock=clock)) as c:
        add_office(c, "K1")
        add_office(c, "K2", "Kelurahan Dua", "WIB")
        c.clock = clock
        yield c


def settings_of(changes) -> dict[str, str]:
    return {c["record_id"]: c["payload"]["value"] for c in changes if c["table"] == "settings"}


def test_issue_verify_and_revoke_through_the_roster(client):
    put_employee(client, "emp-1001")
    r = client.post("/admin/badges/emp-1001", headers=admin_headers())
    assert r.status_code == 201, r.text
    issued = r.json()
    assert (issued["name"], issued["office_code"]) == ("Andi Pratama", "K1")
    k1, k2 = enrolled_device(client, "K1"), enrolled_device(client, "K2")
    changes, _ = k1.pull_all(at_least=1)
    sent = settings_of(changes)
    keys = {k.removeprefix("badge_key."): base64.b64decode(v) for k, v in sent.items()
            if k.startswith("badge_key.")}
    assert list(keys) == [issued["key_id"]]
    today = date.today()
    assert badges.verify_badge(issued["badge"], keys, {}, "K1", today).ok
    assert badges.verify_badge(issued["badge"], keys, {}, "K2", today).reason == \
        badges.ANOTHER_OFFICE
    # a second badge: the key is not sent again
    client.clock.advance(120)
    assert client.post("/admin/badges/emp-1001", headers=admin_headers()).status_code == 201
    changes, cursor = k1.pull_all(at_least=1)
    assert len([c for c in changes if c["record_id"].startswith("badge_key.")]) == 1

    r = client.post("/admin/badges/emp-1001/revoke", headers=admin_headers())
    assert r.status_code == 200, r.text
    k1_changes, _ = k1.pull_all(cursor=cursor, at_least=1)
    revoked = {k.removeprefix("badge_revoked."): int(v)
               for k, v in settings_of(k1_changes).items() if k.startswith("badge_revoked.")}
    assert revoked == {"emp-1001": r.json()["revoked_up_to_min"]}
    assert badges.verify_badge(issued["badge"], keys, revoked, "K1", today).reason == \
        badges.REVOKED
    # only the employee's office hears of the revocation
    k2_changes, _ = k2.pull_all(at_least=1)
    assert not any(k.startswith("badge_revoked.") for k in settings_of(k2_changes))


def test_refusals_are_4xx_and_change_nothing(client):
    put_employee(client, "emp-gone", active=0)
    before = client.get("/admin/stats", headers=admin_headers()).json()
    assert client.post("/admin/badges/nobody", headers=admin_headers()).status_code == 404
    assert client.post("/admin/badges/nobody/revoke", headers=admin_headers()).status_code == 404
    assert client.post("/admin/badges/emp-gone", headers=admin_headers()).status_code == 400
    assert client.post("/admin/badges/" + "x" * 300, headers=admin_headers()).status_code in (400, 404)
    assert client.post("/admin/badges/emp-1001").status_code == 401
    assert client.get("/admin/stats", headers=admin_headers()).json() == before


def test_the_signing_key_is_made_once_and_kept(tmp_path):
    url = f"sqlite:///{tmp_path}/server.db"
    first = open_store(url)
    key = first.badge_key
    first.close()
    again = open_store(url)
    try:
        assert again.badge_key == key and len(base64.b64decode(key)) == 32
    finally:
        again.close()


def test_kiosk_server_badge_prints_a_card_whose_qr_verifies(tmp_path):
    url = f"sqlite:///{tmp_path}/server.db"
    with TestClient(create_app(url, admin_token=ADMIN)) as c:
        add_office(c, "K1")
        put_employee(c, "emp-1001")

    def kiosk(*args):
        return subprocess.run([*procs.KIOSK, "--data-dir", str(tmp_path / "admin"), "server",
                               *args, "--db", url], capture_output=True, text=True,
                              env=procs.env(), timeout=120)

    import zxingcpp
    from PIL import Image

    for suffix in ("png", "pdf"):
        out = tmp_path / f"badge.{suffix}"
        res = kiosk("badge", "emp-1001", "--out", str(out))
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["name"] == "Andi Pratama"
        assert out.stat().st_size > 1000
    printed = json.loads(res.stdout)
    with Image.open(tmp_path / "badge.png") as img:
        found = zxingcpp.read_barcodes(img.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [f.text for f in found] == [printed["badge"]]
    assert (tmp_path / "badge.pdf").read_bytes().startswith(b"%PDF")
    res = kiosk("badge", "emp-1001", "--revoke")
    assert res.returncode == 0 and json.loads(res.stdout)["employee_id"] == "emp-1001"
    for bad in (("badge", "nobody", "--out", str(tmp_path / "x.png")),
                ("badge", "emp-1001", "--out", str(tmp_path / "x.jpg")),
                ("badge", "emp-1001")):
        res = kiosk(*bad)
        assert res.returncode == 2 and res.stderr.strip().count("\n") == 0, res.stderr
