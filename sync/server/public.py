"""The city server's public face: no login, for citizens' phones and city dashboards.

- ``GET /v/{letter_id}``: is this letter genuine? (the QR of an issued letter points here,
  ``kiosk.letters.seal.verify_url``); ``POST /v/check`` for programs (``kiosk verify-letter
  --server``).
- ``GET /s/{code}``: how far is my letter request / complaint / queue ticket, as last synced.
- ``GET /open311/v2/...``: letter requests and complaints as Open311 GeoReport v2, read-only.

What a stranger may see is decided here and only here: the store hands up raw payloads, and
each answer is built field by field from an allow-list (a NIK only ever masked, no phone, no
complaint text, no staff). docs/PUBLIC.md says what each page shows and why the codes cannot
be scanned.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kiosk.letters import seal
from sync.server.errors import Invalid, NotFound, ServerError
from sync.server.store import Store

RunDb = Callable[..., Awaitable[Any]]

#: Lookups per client address and minute on /s/ and /v/check (docs/PUBLIC.md).
LOOKUPS_PER_MINUTE = 30
#: Open311 defaults and limits (GeoReport v2 leaves them to the server).
OPEN311_DEFAULT_DAYS = 90
OPEN311_MAX = 1000
#: Longest id or code looked up (a letter id is a UUID; longer is not one of ours).
MAX_ID = 64
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")

REQUEST_STATUS = {"submitted": "Diterima", "checking": "Sedang diperiksa",
                  "awaiting_signature": "Menunggu tanda tangan", "ready": "Siap diambil",
                  "collected": "Sudah diambil", "rejected": "Ditolak",
                  "cancelled": "Dibatalkan"}
COMPLAINT_STATUS = {"received": "Diterima", "forwarded": "Diteruskan ke dinas terkait",
                    "in_progress": "Sedang ditangani", "answered": "Sudah dijawab",
                    "closed": "Selesai"}
TICKET_STATUS = {"waiting": "Menunggu dipanggil", "called": "Dipanggil", "serving":
                 "Sedang dilayani", "done": "Selesai", "no_show": "Tidak hadir",
                 "transferred": "Dialihkan ke layanan lain"}
#: Open311's two statuses: a request is closed once nothing more will happen to it.
CLOSED = {"requests": {"collected", "rejected", "cancelled"},
          "complaints": {"answered", "closed"}}


# -- rate limit -------------------------------------------------------------------------------
class RateLimit:
    """At most ``per_minute`` calls per client address in any 60 s (a sliding window), per
    worker process. Enough to make scanning a code space useless (docs/PUBLIC.md); not a
    defence against a botnet, which a reverse proxy's limits are for."""

    def __init__(self, per_minute: int = LOOKUPS_PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """0 when this call may go ahead (and count it), else seconds to wait."""
        now = self.clock()
        with self._lock:
            if len(self._seen) > 10_000:   # forget idle clients now and then
                for key in [k for k, q in self._seen.items() if not q or q[-1] < now - 60]:
                    del self._seen[key]
            calls = self._seen.setdefault(client, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                return max(1, math.ceil(calls[0] + 60 - now))
            calls.append(now)
            return 0


class TooMany(ServerError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many lookups from this address; retry after {retry_after} s")
        self.retry_after = retry_after


# -- what a stranger may see ------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _masked(nik: Any) -> str:
    """The sealed masked NIK as pushed; anything still holding more than eight digits is
    masked again here (a full NIK is never shown, whatever an office sent)."""
    from kiosk.nik import mask

    text = _text(nik)
    return mask(text) if sum(ch.isdigit() for ch in text) > 8 else text


def _when(ms: Any, tz_name: str) -> str | None:
    """Milliseconds as W3C/ISO 8601 with the office's offset (Open311 wants that)."""
    from kiosk.clock import zone

    if not isinstance(ms, int) or isinstance(ms, bool) or ms <= 0:
        return None
    try:
        tz = zone(tz_name)
    except Exception:   # an office zone this host lacks: UTC still says the instant
        tz = timezone.utc
    return datetime.fromtimestamp(ms / 1000, tz).isoformat(timespec="seconds")


def _type_name(names: dict[str, Any], code: str) -> str:
    for row in names.get("letter_types", {}).values():
        if row.get("code") == code:
            try:
                spec = row["spec"] if isinstance(row["spec"], dict) else json.loads(row["spec"])
                return str(spec.get("name_id") or code)
            except (ValueError, TypeError, KeyError):
                return code
    return code


def _category_name(names: dict[str, Any], code: str) -> str:
    for row in names.get("complaint_categories", {}).values():
        if row.get("code") == code:
            return str(row.get("name_id") or code)
    return code


def letter_verdict(found: dict[str, Any] | None, letter_id: str,
                   signature: str | None = None) -> dict[str, Any]:
    """genuine | revoked | not_found | forged, and the letter's public facts when there is
    a letter to speak of. ``signature``: the seal a QR carries (POST /v/check); without one
    only the stored row is judged (its seal against the pushing device's public key)."""
    if found is None:
        return {"status": "not_found", "letter_id": letter_id}
    row = found["payload"]
    stored = _text(row.get("signature"))
    try:
        key = base64.b64decode(found["public_key"], validate=True)
    except (binascii.Error, ValueError):
        key = b""
    try:
        seal.canonical_bytes(row)
        intact = seal.verify(key, row, stored)
    except ValueError:
        intact = False
    if found.get("offices", 1) > 1:
        return {"status": "forged", "letter_id": letter_id,
                "reason": "more than one office pushed a letter with this id"}
    if not intact:
        return {"status": "forged", "letter_id": letter_id,
                "reason": "the office's record of this letter does not carry a valid seal"}
    if signature is not None and signature != stored and not seal.verify(key, row, signature):
        return {"status": "forged", "letter_id": letter_id,
                "reason": "the QR's seal is not the office's seal of this letter"}
    revoked = bool(row.get("revoked")) and str(row.get("revoked")) not in ("0", "false")
    facts = {name: _text(row.get(name)) for name in seal.SEALED_FIELDS}
    facts["nik_masked"] = _masked(facts["nik_masked"])
    return {"status": "revoked" if revoked else "genuine", **facts,
            "office_name": found["office_name"],
            "signer_name": _text(row.get("signer_name")),
            "signer_position": _text(row.get("signer_position")),
            "revoked_reason": _text(row.get("revoked_reason")) if revoked else "",
            "seal": stored}


def status_view(found: dict[str, Any] | None, kind: str, code: str) -> dict[str, Any]:
    """A request's, complaint's or ticket's status as last synced: no name, NIK, phone or
    text; only the kind, the letter type or complaint category, the status and times."""
    if found is None:
        return {"status": "not_found", "code": code}
    row, tz = found["payload"], found["timezone"]
    out: dict[str, Any] = {"code": code, "kind": kind, "office_name": found["office_name"],
                           "synced": _when(found["received_ms"], tz)}
    if kind == "ticket":
        status = _text(row.get("status"))
        out.update(number=_text(row.get("number")), status=status,
                   status_text=TICKET_STATUS.get(status, status),
                   updated=_when(found["corrected_ms"], tz))
    elif kind == "request":
        status = _text(row.get("status"))
        out.update(type_code=_text(row.get("type_code")),
                   type_name=_type_name(found["names"], _text(row.get("type_code"))),
                   status=status, status_text=REQUEST_STATUS.get(status, status),
                   updated=_when(row.get("updated_ms"), tz))
    else:
        city = found.get("city") or {}
        status = _text(city.get("status") or "received")
        out.update(category=_text(row.get("category")),
                   category_name=_category_name(found["names"], _text(row.get("category"))),
                   status=status, status_text=COMPLAINT_STATUS.get(status, status),
                   updated=_when(city.get("updated_ms") or row.get("updated_ms"), tz))
    return out


def lookup_kind(code: str) -> tuple[str, str] | None:
    """(kind, key) of what a status link names: a tracking code or a ticket id."""
    from kiosk.tracking import code_from_scan, kind_of

    if _UUID.match(code):
        return "ticket", code.lower()
    canonical = code_from_scan(code) if len(code) <= 32 else None
    if canonical is not None and (kind := kind_of(canonical)) is not None:
        return kind, canonical
    return None


# -- HTML -----------------------------------------------------------------------------------
_STYLE = ("body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:36rem;"
          "margin:auto;line-height:1.4;color:#111}h1{font-size:1.6rem;margin:.2rem 0}"
          ".v{padding:1rem;border-radius:.6rem;margin:1rem 0;font-weight:700;font-size:1.3rem}"
          ".ok{background:#d9f7de;color:#0a5c1b}.bad{background:#fde0e0;color:#8a0b0b}"
          ".warn{background:#fff2cc;color:#6b4e00}dl{display:grid;grid-template-columns:auto 1fr;"
          "gap:.3rem .8rem}dt{color:#555}dd{margin:0;font-weight:600}small{color:#555}")


def _page(title: str, body: str, status: int = 200, script: str = "") -> HTMLResponse:
    doc = ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           "<meta name=\"robots\" content=\"noindex\">"
           f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
           f"{body}{script}</body></html>")
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store",
                                                          "Referrer-Policy": "no-referrer"})


def _facts(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v or '-')}</dd>"
                            for k, v in rows) + "</dl>"


#: Compares the QR's seal (the URL fragment, which never reaches the server) with the
#: office's record of the letter; a forged QR pointing at a real letter id is told apart.
_SEAL_SCRIPT = ("<script>(function(){{var s={seal};var h=decodeURIComponent("
                "location.hash.slice(1));var e=document.getElementById('qr');"
                "if(!h){{e.textContent='QR tidak membawa segel: cocokkan isi surat dengan data "
                "di atas. (The QR carried no seal.)';return;}}"
                "if(h===s){{e.className='v ok';e.textContent='Segel pada QR cocok dengan catatan "
                "kantor. (The QR seal matches the office record.)';}}"
                "else{{e.className='v bad';e.textContent='TIDAK ASLI: segel pada QR TIDAK COCOK "
                "dengan catatan kantor; surat ini dipalsukan. (The QR seal does not match: a "
                "forged letter.)';var g=document.getElementById('verdict');g.className='v bad';"
                "g.textContent='TIDAK ASLI';}}}})();</script>")


def letter_page(verdict: dict[str, Any]) -> HTMLResponse:
    status = verdict["status"]
    head = "<h1>Pemeriksaan keaslian surat</h1><small>Letter verification</small>"
    if status == "not_found":
        return _page("Surat tidak ditemukan", head + "<div id=\"verdict\" class=\"v bad\">"
                     "TIDAK DITEMUKAN</div><p>Surat dengan kode ini tidak ada di catatan kota. "
                     "Surat yang baru diterbitkan muncul setelah kantor kelurahan "
                     "menyinkronkan datanya; jika surat ini lebih lama, surat ini tidak asli."
                     "</p><small>No such letter in the city's records.</small>", 404)
    if status == "forged":
        return _page("Surat tidak asli", head + "<div id=\"verdict\" class=\"v bad\">TIDAK "
                     "ASLI</div><p>Catatan surat ini tidak membawa segel kantor yang sah.</p>"
                     "<small>The record does not carry a valid office seal.</small>")
    rows = [("Kantor", verdict["office_name"]), ("Jenis surat", verdict["type_code"]),
            ("Nomor", verdict["number"]), ("Nama pemohon", verdict["applicant_name"]),
            ("NIK", verdict["nik_masked"]), ("Tanggal terbit", verdict["issued_date"]),
            ("Berlaku sampai", verdict["valid_until"] or "tidak dibatasi"),
            ("Ditandatangani oleh", ", ".join(filter(None, (verdict["signer_name"],
                                                           verdict["signer_position"]))))]
    if status == "revoked":
        body = (head + "<div id=\"verdict\" class=\"v bad\">DICABUT</div><p>Surat ini pernah "
                "diterbitkan tetapi sudah dicabut dan tidak berlaku lagi.</p>"
                + _facts([("Alasan pencabutan", verdict["revoked_reason"])] + rows)
                + "<small>Revoked: no longer valid.</small>")
        return _page("Surat dicabut", body)
    body = (head + "<div id=\"verdict\" class=\"v ok\">Surat ASLI</div>" + _facts(rows)
            + "<div id=\"qr\" class=\"v warn\">Periksa segel QR memerlukan JavaScript; "
            "cocokkan isi surat dengan data di atas.</div>"
            "<small>Genuine: issued and sealed by this office. Check that the printed letter "
            "says exactly the same.</small>")
    return _page("Surat asli", body, script=_SEAL_SCRIPT.format(seal=json.dumps(verdict["seal"])))


def status_page(view: dict[str, Any]) -> HTMLResponse:
    head = "<h1>Status permohonan</h1><small>Request status</small>"
    if view["status"] == "not_found":
        return _page("Tidak ditemukan", head + "<div class=\"v bad\">TIDAK DITEMUKAN</div>"
                     "<p>Kode ini belum ada di catatan kota. Data kantor kelurahan dikirim "
                     "berkala; coba lagi nanti atau tanyakan di kantor.</p><small>Not found "
                     "(yet): the office may not have synced.</small>", 404)
    rows = [("Kode", view["code"]), ("Kantor", view["office_name"])]
    if view["kind"] == "ticket":
        rows.append(("Nomor antrean", view["number"]))
    elif view["kind"] == "request":
        rows.append(("Jenis surat", view["type_name"]))
    else:
        rows.append(("Kategori pengaduan", view["category_name"]))
    rows += [("Diperbarui", view["updated"] or "-"),
             ("Terakhir disinkronkan", view["synced"] or "-")]
    return _page("Status", head + f"<div class=\"v ok\">{html.escape(view['status_text'])}"
                 "</div>" + _facts(rows) + "<small>Status as last synced from the office.</small>")


# -- Open311 ----------------------------------------------------------------------------------
def _service(table: str, code: str) -> str:
    return f"{'surat' if table == 'requests' else 'pengaduan'}-{code}"


def services(names: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for row in names.get("letter_types", {}).values():
        code = _text(row.get("code"))
        out.append({"service_code": _service("requests", code),
                    "service_name": _type_name(names, code), "description": "Permohonan surat",
                    "metadata": False, "type": "batch", "keywords": "surat", "group": "Surat"})
    for row in names.get("complaint_categories", {}).values():
        code = _text(row.get("code"))
        out.append({"service_code": _service("complaints", code),
                    "service_name": _category_name(names, code), "description": "Pengaduan",
                    "metadata": False, "type": "batch", "keywords": "pengaduan",
                    "group": "Pengaduan"})
    return sorted(out, key=lambda s: s["service_code"])


def open311_request(record: dict[str, Any], city: dict[str, Any],
                    names: dict[str, Any]) -> dict[str, Any]:
    """One request in GeoReport v2's shape, from an allow-list of fields: the tracking code,
    the letter type or category, the status and its note (our fixed words for it), times
    and the office. Never a NIK, phone, name, the complaint's text or the city's answer."""
    row, tz, table = record["payload"], record["timezone"], record["table"]
    if table == "requests":
        status = _text(row.get("status"))
        service = _text(row.get("type_code"))
        name, note = _type_name(names, service), REQUEST_STATUS.get(status, status)
        updated = row.get("updated_ms")
    else:
        step = city.get(record["record_id"]) or {}
        status = _text(step.get("status") or "received")
        service = _text(row.get("category"))
        name, note = _category_name(names, service), COMPLAINT_STATUS.get(status, status)
        updated = step.get("updated_ms") or row.get("updated_ms")
    return {"service_request_id": _text(row.get("code")),
            "status": "closed" if status in CLOSED[table] else "open",
            "status_notes": note, "service_name": name,
            "service_code": _service(table, service),
            "agency_responsible": record["office_name"],
            "requested_datetime": _when(row.get("created_ms"), tz),
            "updated_datetime": _when(updated, tz)}


def _instant(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} {text[:40]!r} is not a W3C date-time like "
                      "2026-12-05T14:02:00+08:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return int(moment.timestamp() * 1000)
    except (OverflowError, ValueError, OSError):
        raise Invalid(f"{name} {text[:40]!r} is out of range") from None


# -- routes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LetterCheckIn:
    """``kiosk verify-letter --server``: the letter id and the seal its QR carries."""

    letter_id: str
    signature: str


_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_LIMITED = {"description": "Too many lookups from this address; retry after Retry-After s.",
            "content": _JSON_OBJECT,
            "headers": {"Retry-After": {"schema": {"type": "integer"}}}}
_OVERLOADED = {"description": "Overloaded or the database is unreachable.",
               "content": _JSON_OBJECT,
               "headers": {"Retry-After": {"schema": {"type": "integer"}}}}


def _wants_json(fmt: str | None, path_value: str) -> tuple[bool, str]:
    if path_value.endswith(".json"):
        return True, path_value[:-5]
    return fmt == "json", path_value


def add_public_routes(app: FastAPI, store: Store, run_db: RunDb, now_ms: Callable[[], int],
                      limit: RateLimit | None = None) -> None:
    """The public pages on ``app``; ``run_db`` runs a store call behind the app's gate."""
    limiter = limit or RateLimit()
    app.state.public_limit = limiter

    @app.exception_handler(TooMany)
    async def too_many(request: Request, exc: TooMany) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=429,
                            headers={"Retry-After": str(exc.retry_after)})

    def throttle(request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if wait := limiter.retry_after(client):
            raise TooMany(wait)

    async def verdict_of(letter_id: str, signature: str | None = None) -> dict[str, Any]:
        if not _ID.match(letter_id):
            return {"status": "not_found", "letter_id": letter_id[:MAX_ID]}
        return letter_verdict(await run_db(store.issued_letter, letter_id), letter_id,
                              signature)

    @app.get("/v/{letter_id}", tags=["public"], response_class=HTMLResponse, responses={
        200: {"description": "The verdict: genuine, revoked or forged.",
              "content": {**_HTML, **_JSON_OBJECT}},
        404: {"description": "No such letter (yet).", "content": {**_HTML, **_JSON_OBJECT}},
        503: _OVERLOADED})
    async def letter(letter_id: str, format: Annotated[Literal["html", "json"] | None,
                                                       Query()] = None) -> Response:
        """Is this letter genuine? HTML in Bahasa Indonesia for a phone that scanned the
        letter's QR (its seal, in the URL fragment, is compared by the page's script);
        ``/v/{id}.json`` or ``?format=json``: {status: genuine|revoked|not_found|forged}."""
        as_json, letter_id = _wants_json(format, letter_id)
        verdict = await verdict_of(letter_id)
        code = 404 if verdict["status"] == "not_found" else 200
        if as_json:
            return JSONResponse(verdict, status_code=code,
                                headers={"Cache-Control": "no-store"})
        return letter_page(verdict)

    @app.post("/v/check", tags=["public"], responses={
        200: {"description": "The verdict for this letter and seal."},
        400: {"description": "Text the server cannot read.", "content": _JSON_OBJECT},
        429: _LIMITED, 503: _OVERLOADED})
    async def check(request: Request, body: LetterCheckIn) -> dict[str, Any]:
        """The seal a QR carries checked against the office's record: {status: genuine|
        revoked|not_found|forged, ...}. Rate-limited per client address."""
        throttle(request)
        if len(body.signature) > 200:
            return {"status": "forged", "letter_id": body.letter_id[:MAX_ID],
                    "reason": "the QR's seal is not the office's seal of this letter"}
        return await verdict_of(body.letter_id, body.signature)

    @app.get("/s/{code}", tags=["public"], response_class=HTMLResponse, responses={
        200: {"description": "The status as last synced.", "content": {**_HTML, **_JSON_OBJECT}},
        404: {"description": "No such code (yet).", "content": {**_HTML, **_JSON_OBJECT}},
        429: _LIMITED, 503: _OVERLOADED})
    async def status(request: Request, code: str, format: Annotated[
            Literal["html", "json"] | None, Query()] = None) -> Response:
        """A letter request's, complaint's or queue ticket's status as last synced (the QR
        on its receipt); no personal data. Rate-limited per client address."""
        throttle(request)
        as_json, code = _wants_json(format, code)
        found = lookup_kind(code)
        view = (status_view(await run_db(store.public_status, *found), found[0], found[1])
                if found else {"status": "not_found", "code": code[:MAX_ID]})
        if as_json:
            return JSONResponse(view, status_code=404 if view["status"] == "not_found" else 200,
                                headers={"Cache-Control": "no-store"})
        return status_page(view)

    # -- Open311 GeoReport v2 (read-only) ------------------------------------------------
    @app.get("/open311/v2/services.json", tags=["open311"], responses={503: _OVERLOADED})
    async def open311_services() -> list[dict[str, Any]]:
        """The letter types and complaint categories as Open311 services."""
        data = await run_db(store.open311, 2**62)
        return services(data["names"])

    @app.get("/open311/v2/requests.json", tags=["open311"], responses={
        400: {"description": "A malformed date or filter.", "content": _JSON_OBJECT},
        503: _OVERLOADED})
    async def open311_requests(
            status: Annotated[Literal["open", "closed"] | None, Query()] = None,
            service_code: Annotated[str | None, Query(max_length=100)] = None,
            start_date: Annotated[str | None, Query(max_length=64)] = None,
            end_date: Annotated[str | None, Query(max_length=64)] = None,
            service_request_id: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> list[dict[str, Any]]:
        """Letter requests and complaints, newest first: by default those of the last 90
        days, at most 1,000. No NIK, phone, name or complaint text, ever."""
        end = _instant(end_date, "end_date")
        start = _instant(start_date, "start_date")
        if end is None:
            end = now_ms()
        if start is None:
            start = end - OPEN311_DEFAULT_DAYS * 86_400_000
        if start > end:
            raise Invalid("start_date is after end_date")
        wanted = ({s.strip() for s in service_request_id.split(",") if s.strip()}
                  if service_request_id else None)
        data = await run_db(store.open311, start if wanted is None else 0)
        out = []
        for record in data["records"]:
            item = open311_request(record, data["city"], data["names"])
            created = record["payload"].get("created_ms")
            if wanted is not None:
                if item["service_request_id"] not in wanted:
                    continue
            elif not isinstance(created, int) or not start <= created <= end:
                continue
            if status and item["status"] != status:
                continue
            if service_code and item["service_code"] != service_code:
                continue
            out.append((created if isinstance(created, int) else 0, item))
        out.sort(key=lambda pair: (-pair[0], pair[1]["service_request_id"]))
        return [item for _, item in out[:OPEN311_MAX]]

    @app.get("/open311/v2/requests/{request_id}.json", tags=["open311"], responses={
        404: {"description": "No such request.", "content": _JSON_OBJECT}, 503: _OVERLOADED})
    async def open311_one(request_id: str) -> list[dict[str, Any]]:
        """One letter request or complaint by its tracking code (a list of one, as the
        spec has it)."""
        from kiosk.tracking import code_from_scan, kind_of

        code = code_from_scan(request_id) if len(request_id) <= 32 else None
        kind = kind_of(code) if code is not None else None
        if code is not None and kind is not None:
            found = await run_db(store.public_status, kind, code)
            if found is not None:
                city = {found["record_id"]: found.get("city") or {}}
                return [open311_request(found, city, found["names"])]
        raise NotFound(f"no request {request_id[:40]!r}")


__all__ = ["add_public_routes", "RateLimit", "letter_verdict", "status_view", "LOOKUPS_PER_MINUTE"]
