"""Issue 13 items 4-6 on the city server, on SQLite and the real PostgreSQL: letters pushed
by an enrolled device the way a kiosk pushes them (``issued_letters`` through /sync/push,
sealed with the device's own key) are judged by ``/v/`` and ``POST /v/check``; ``/s/``
shows a status without personal data and is rate-limited; Open311 answers validate against
the GeoReport v2 schemas and carry no NIK, phone or name."""

from __future__ import annotations

import json
import time
import uuid

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.letters import seal
from open311_schemas import REQUESTS, SERVICES
from server_support import ADMIN, add_office, admin_headers, db_url, enrolled_device  # noqa: F401 (fixture)
from sync.server import create_app

try:
    from fastapi.testclient import TestClient
except ImportError:  # pragma: no cover
    pytest.skip("the server extra is not installed", allow_module_level=True)

NIK = "6472085508950003"
PHONE = "081234567890"
NAME = "Budi Santoso"


@pytest.fixture
def client(db_url):
    with TestClient(create_app(db_url, admin_token=ADMIN)) as c:
        add_office(c, "K1")
        add_office(c, "K2", "Kelurahan Dua", "WIB")
        yield c


def _now() -> int:
    return int(time.time() * 1000)


def push(device, table: str, payload: dict, record_id: str | None = None) -> None:
    item = device.item(table, payload, record_id=record_id or payload["id"], wall_ms=_now())
    r = device.push([item])
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "accepted", r.json()


def letter_row(office: str = "K1", **over) -> dict:
    letter_id = str(uuid.uuid4())
    row = {"id": letter_id, "letter_id": letter_id, "office_code": office,
           "number": "470/001/K1/XII/2026", "type_code": "SKU", "applicant_name": NAME,
           "nik_masked": "6472********0003", "issued_date": "2026-12-05",
           "valid_until": "2027-03-05", "request_id": str(uuid.uuid4()), "staff_id": "st-1",
           "signer_name": "Andi Wijaya, S.Sos", "signer_position": "Lurah", "revoked": 0,
           "revoked_reason": None}
    row.update(over)
    return row


def issue(device, key=None, **over) -> dict:
    """A letter sealed with ``key`` (the device's own by default) and pushed by ``device``."""
    row = letter_row(**over)
    row["signature"] = seal.sign(key or device.key, row)
    push(device, "issued_letters", row)
    return row


def check(client, letter_id: str, signature: str) -> dict:
    r = client.post("/v/check", json={"letter_id": letter_id, "signature": signature})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_genuine_letter_is_genuine_on_the_page_the_json_and_the_check(client):
    device = enrolled_device(client)
    row = issue(device)
    page = client.get(f"/v/{row['letter_id']}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Surat ASLI" in text and "Kelurahan Satu" in text and row["number"] in text
    assert NAME in text and "6472********0003" in text and "Lurah" in text
    assert "2027-03-05" in text and NIK not in text
    assert "<script>" in text and json.dumps(row["signature"]) in text  # the fragment check
    assert "http" not in text.split("<body>")[0].replace("http-equiv", "")  # no external assets
    for url in (f"/v/{row['letter_id']}.json", f"/v/{row['letter_id']}?format=json"):
        verdict = client.get(url).json()
        assert verdict["status"] == "genuine"
        assert {k: verdict[k] for k in seal.SEALED_FIELDS} == {
            k: row[k] for k in seal.SEALED_FIELDS}
        assert verdict["office_name"] == "Kelurahan Satu"
    assert check(client, row["letter_id"], row["signature"])["status"] == "genuine"


def test_revoked_not_found_and_forged_letters(client):
    device = enrolled_device(client)
    # revoked: pushed again with the flag (the seal covers the facts, not the revocation)
    row = issue(device)
    push(device, "issued_letters", {**row, "revoked": 1, "revoked_reason": "Salah ketik alamat"})
    verdict = client.get(f"/v/{row['letter_id']}.json").json()
    assert (verdict["status"], verdict["revoked_reason"]) == ("revoked", "Salah ketik alamat")
    page = client.get(f"/v/{row['letter_id']}").text
    assert "DICABUT" in page and "Salah ketik alamat" in page
    assert check(client, row["letter_id"], row["signature"])["status"] == "revoked"

    # not found
    missing = str(uuid.uuid4())
    r = client.get(f"/v/{missing}")
    assert r.status_code == 404 and "TIDAK DITEMUKAN" in r.text
    assert client.get(f"/v/{missing}.json").json()["status"] == "not_found"
    assert check(client, missing, row["signature"])["status"] == "not_found"

    # one changed character in a sealed field, in the office's record: the stored seal fails
    good = issue(device)
    tampered = {**good, "applicant_name": good["applicant_name"].replace("Budi", "Badi")}
    push(device, "issued_letters", tampered)
    assert client.get(f"/v/{good['letter_id']}.json").json()["status"] == "forged"
    assert "TIDAK ASLI" in client.get(f"/v/{good['letter_id']}").text

    # the QR's seal for a real letter id, with one field of the printed letter changed
    genuine = issue(device)
    forged_seal = seal.sign(device.key, {**genuine, "number": "470/002/K1/XII/2026"})
    verdict = check(client, genuine["letter_id"], forged_seal)
    assert verdict["status"] == "forged" and "applicant_name" not in verdict
    # a seal made with another office's key
    other = seal.sign(Ed25519PrivateKey.generate(), genuine)
    assert check(client, genuine["letter_id"], other)["status"] == "forged"
    assert check(client, genuine["letter_id"], "not-a-seal!")["status"] == "forged"
    # a whole letter sealed with another office's key, pushed by this one
    foreign = issue(device, key=Ed25519PrivateKey.generate())
    assert client.get(f"/v/{foreign['letter_id']}.json").json()["status"] == "forged"


def test_a_letter_pushed_by_another_office_is_judged_by_that_office_key(client):
    k1, k2 = enrolled_device(client, "K1"), enrolled_device(client, "K2")
    row = issue(k2, office_code="K2")
    verdict = client.get(f"/v/{row['letter_id']}.json").json()
    assert (verdict["status"], verdict["office_name"]) == ("genuine", "Kelurahan Dua")
    # K1's key does not make a K2 letter genuine
    assert check(client, row["letter_id"], seal.sign(k1.key, row))["status"] == "forged"
    # nor does K1 pushing its own sealed letter under K2's letter id
    copy = {**row, "office_code": "K1"}
    copy["signature"] = seal.sign(k1.key, copy)
    push(k1, "issued_letters", copy)
    assert client.get(f"/v/{row['letter_id']}.json").json()["status"] == "forged"


def _request(office: str = "K1", status: str = "ready", **over) -> dict:
    rid = str(uuid.uuid4())
    applicant = {"nik": NIK, "name": NAME, "phone": PHONE}
    row = {"id": rid, "code": "S-7K3M9QX", "office_code": office, "type_code": "SKU",
           "status": status, "status_reason": None, "applicant": json.dumps(applicant),
           "details": json.dumps({"purpose": "Pinjaman bank", "phone": PHONE}),
           "nik_masked": "6472********0003", "warnings": "[]", "device_id": "d",
           "created_ms": _now() - 3_600_000, "updated_ms": _now(), "time_uncertain": 0}
    row.update(over)
    return row


def _complaint(office: str = "K1", **over) -> dict:
    cid = str(uuid.uuid4())
    row = {"id": cid, "code": "P-8M4N2RT", "office_code": office, "category": "jalan",
           "description": f"Jalan berlubang, hubungi {NAME} {PHONE}",
           "location": "RT 3/RW 5", "contact": PHONE, "anonymous": 0, "device_id": "d",
           "created_ms": _now() - 7_200_000, "updated_ms": _now() - 7_200_000,
           "time_uncertain": 0}
    row.update(over)
    return row


def _no_personal_data(text: str) -> None:
    for secret in (NIK, PHONE, NAME, "Budi", "berlubang", "Pinjaman", "0812"):
        assert secret not in text, secret


def _catalogue(client) -> None:
    from kiosk.complaints.categories import DEFAULT_CATEGORIES, to_row as category_row
    from kiosk.letters.catalogue import DEFAULT_CATALOGUE, to_row as letter_row_

    r = client.put("/admin/reference", headers=admin_headers(), json={"changes": [
        *({"table": "letter_types", "record_id": row["id"], "payload": row}
          for row in (letter_row_(lt) for lt in DEFAULT_CATALOGUE)),
        *({"table": "complaint_categories", "record_id": row["id"], "payload": row}
          for row in (category_row(c) for c in DEFAULT_CATEGORIES))]})
    assert r.status_code == 200, r.text


def test_status_pages_show_the_status_and_nothing_personal(client):
    device = enrolled_device(client)
    _catalogue(client)
    push(device, "requests", _request())
    push(device, "complaints", _complaint())
    ticket_id = str(uuid.uuid4())
    push(device, "tickets", {"id": ticket_id, "office_code": "K1", "number": "A-007",
                             "status": "waiting", "issued_ms": _now()})

    view = client.get("/s/S-7K3M9QX?format=json").json()
    assert (view["kind"], view["type_code"], view["status"]) == ("request", "SKU", "ready")
    assert view["status_text"] == "Siap diambil" and view["synced"] and view["updated"]
    page = client.get("/s/s7k3m9qx")   # as typed or scanned: any case, no hyphen
    assert page.status_code == 200 and "Siap diambil" in page.text
    assert "Terakhir disinkronkan" in page.text
    _no_personal_data(page.text + json.dumps(view))

    # a complaint: received until the city answers; the answer itself never shows here
    assert client.get("/s/P-8M4N2RT.json").json()["status"] == "received"
    for step in ({"status": "forwarded"},
                 {"status": "answered", "answer": f"Sudah diperbaiki, {NAME}"}):
        r = client.post("/admin/complaints/P-8M4N2RT/status", json=step,
                        headers=admin_headers())
        assert r.status_code == 200, r.text
    view = client.get("/s/P-8M4N2RT.json").json()
    assert (view["status"], view["category"]) == ("answered", "jalan")
    page = client.get("/s/P-8M4N2RT").text
    assert "Sudah dijawab" in page
    _no_personal_data(page + json.dumps(view) + client.get("/s/P-8M4N2RT.json").text)
    assert "diperbaiki" not in page

    view = client.get(f"/s/{ticket_id}?format=json").json()
    assert (view["kind"], view["number"], view["status"]) == ("ticket", "A-007", "waiting")

    r = client.get("/s/S-2222222")
    assert r.status_code == 404 and "TIDAK DITEMUKAN" in r.text
    assert client.get("/s/hello?format=json").json()["status"] == "not_found"


def test_status_lookups_are_rate_limited_per_client(client):
    codes = [f"S-{n:07d}".replace("0", "2").replace("1", "3") for n in range(40)]
    answers = [client.get(f"/s/{code}?format=json") for code in codes]
    statuses = [a.status_code for a in answers]
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}
    retry = int(answers[-1].headers["Retry-After"])
    assert 1 <= retry <= 60
    # the letter check shares the rule (its own window)
    checks = [client.post("/v/check", json={"letter_id": str(uuid.uuid4()), "signature": "x"})
              for _ in range(31)]
    assert [c.status_code for c in checks][-1] == 429
    # the letter page itself is not limited: a letter id is a UUID (122 random bits)
    assert client.get(f"/v/{uuid.uuid4()}").status_code == 404


def test_open311_validates_and_carries_no_personal_data(client):
    device = enrolled_device(client)
    _catalogue(client)
    push(device, "requests", _request())
    push(device, "requests", _request(code="S-9X8W7V6", status="collected"))
    push(device, "complaints", _complaint())
    old = _now() - 200 * 86_400_000
    push(device, "requests", _request(code="S-4K4K4K4", created_ms=old, updated_ms=old))

    services = client.get("/open311/v2/services.json")
    assert services.status_code == 200
    jsonschema.validate(services.json(), SERVICES)
    codes = {s["service_code"] for s in services.json()}
    assert {"surat-SKU", "pengaduan-jalan"} <= codes

    everything = client.get("/open311/v2/requests.json")
    assert everything.status_code == 200
    body = everything.json()
    jsonschema.validate(body, REQUESTS)
    assert sorted(r["service_request_id"] for r in body) == ["P-8M4N2RT", "S-7K3M9QX",
                                                             "S-9X8W7V6"]  # 90 days
    by_id = {r["service_request_id"]: r for r in body}
    assert by_id["S-9X8W7V6"]["status"] == "closed" and by_id["S-7K3M9QX"]["status"] == "open"
    assert by_id["S-7K3M9QX"]["agency_responsible"] == "Kelurahan Satu"
    assert by_id["P-8M4N2RT"]["service_code"] == "pengaduan-jalan"
    _no_personal_data(everything.text)

    closed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == ["S-9X8W7V6"]
    only = client.get("/open311/v2/requests.json", params={"service_code": "pengaduan-jalan"})
    assert [r["service_request_id"] for r in only.json()] == ["P-8M4N2RT"]
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(old / 1000 - 86_400))
    wide = client.get("/open311/v2/requests.json", params={"start_date": start}).json()
    jsonschema.validate(wide, REQUESTS)
    assert "S-4K4K4K4" in {r["service_request_id"] for r in wide}
    assert client.get("/open311/v2/requests.json",
                      params={"start_date": "yesterday"}).status_code == 400

    one = client.get("/open311/v2/requests/P-8M4N2RT.json")
    assert one.status_code == 200
    jsonschema.validate(one.json(), REQUESTS)
    assert one.json()[0]["status"] == "open"
    r = client.post("/admin/complaints/P-8M4N2RT/status", headers=admin_headers(),
                    json={"status": "closed", "note": f"Ditutup oleh {NAME}"})
    assert r.status_code == 200, r.text
    one = client.get("/open311/v2/requests/p-8m4n2rt.json").json()
    assert one[0]["status"] == "closed" and one[0]["status_notes"] == "Selesai"
    _no_personal_data(json.dumps(one))
    assert client.get("/open311/v2/requests/S-2222222.json").status_code == 404
