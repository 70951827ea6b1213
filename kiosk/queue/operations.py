"""The queue's state changes. Each is one :func:`kiosk.db.write_tx` (BEGIN IMMEDIATE): the
ticket row, its outbox change, the queue event (and for a new ticket its print job) commit or
vanish together, and two kiosks or counters acting at the same instant are serialised by
SQLite's write lock, so a number is never given twice and a ticket never called twice.

A failed check raises before anything is written (and the transaction rolls back anyway),
so bad input changes nothing.
"""

from __future__ import annotations

from kiosk import print_queue
from kiosk.clock import Stamp, business_day_at, local_time
from kiosk.db import write_tx
from kiosk.errors import NotFoundError, ValidationError
from kiosk.ids import new_id
from kiosk.queue import fairness, settings as settings_mod, store
from kiosk.queue.errors import InvalidTransition, NotServedYet, QuotaExhausted
from kiosk.queue.models import PRIORITY_KINDS, Call, Issued, Ticket
from kiosk.queue.receipts import ticket_receipt
from kiosk.queue.wait import position


def format_number(prefix: str, seq: int) -> str:
    """``A-001``: three digits, more once a day passes 999 tickets."""
    return f"{prefix}-{seq:03d}"


def _take_number(db, service: dict, day: str) -> tuple[int, int, int]:
    """The next number of this service today, and how many regular and priority tickets
    wait for it, from its (service, day) row in ``queue_days``; the caller's write
    transaction makes read-and-increment atomic across processes."""
    seq, regular, priority = db.conn.execute(
        "INSERT INTO queue_days (service_id, business_day, last_seq) VALUES (?, ?, 1)"
        " ON CONFLICT (service_id, business_day) DO UPDATE SET last_seq = last_seq + 1"
        " RETURNING last_seq, regular, priority", (service["id"], day)).fetchone()
    cap = service["daily_cap"]
    if cap is not None and seq > cap:
        raise QuotaExhausted(
            f"Mohon maaf, kuota habis: layanan {service['name_id']} sudah mencapai {cap} "
            f"antrian hari ini. Silakan datang kembali besok. "
            f"(services.daily_cap = {cap} for {service['id']}, business day {day})",
            fields={"service": service["name_id"], "cap": cap})
    return seq, regular, priority


def issue_ticket(rt, service_id: str, priority: str | None = None) -> Issued:
    """A new ticket with its receipt queued for printing, all in one transaction.

    ``service_id`` may also be the service's prefix (``A``)."""
    if priority is not None and priority not in PRIORITY_KINDS:
        raise ValidationError("priority", f"{priority!r} is not one of {', '.join(PRIORITY_KINDS)}")
    db = rt.db
    stamp = rt.now()
    when = local_time(stamp, rt.office_tz)   # once: the business day and the receipt's time
    day = business_day_at(when).isoformat()
    with write_tx(db):
        service = store.get_service(db, service_id)
        conf = settings_mod.load(db)
        seq, regular, priority_waiting = _take_number(db, service, day)
        row = {
            "id": new_id(), "office_code": rt.config.office.code, "service_id": service["id"],
            "prefix": service["prefix"], "seq": seq,
            "number": format_number(service["prefix"], seq), "business_day": day,
            "priority": priority, "status": "waiting", "counter_id": None,
            "counter_number": None, "staff_id": None, "recalls": 0,
            "arrival_ms": stamp.wall_ms, "issued_ms": stamp.wall_ms, "called_ms": None,
            "started_ms": None, "finished_ms": None, "call_order": None,
            "transferred_from": None, "device_id": rt.device_id, "updated_ms": stamp.wall_ms,
            "arrival_seq": store.next_arrival_seq(db), "time_uncertain": stamp.uncertain,
        }
        ticket = store.ticket_from_row(row)
        ahead, wait_min = position(db, ticket, conf, stamp.wall_ms, regular,   # before it joins
                                   priority_waiting)
        store.insert_ticket(db, row, stamp)
        store.add_event(db, "issued", stamp, ticket=ticket)
        job_id = print_queue.enqueue(db, ticket_receipt(rt, ticket, service, stamp, ahead, wait_min,
                                                        when), stamp, kind="ticket", ref_id=ticket.id)
    return Issued(ticket, ahead, wait_min, job_id)


def _close_current(rt, db, counter_id: str, stamp: Stamp,
                   conf: settings_mod.QueueSettings) -> None:
    """"Next" ends whatever the counter still has open. A ticket being served is done. A
    ticket only called (never started) was not served, so it is never recorded as done: the
    office setting ``queue.next_when_called`` either asks first (NotServedYet, nothing
    changed) or marks it no-show (after the ``queue.no_show_min_recalls`` recalls)."""
    for row in store.select_tickets(db, "counter_id = ? AND status IN ('called', 'serving')",
                                    [counter_id]):
        if row["status"] == "serving":
            row.update(status="done", finished_ms=stamp.wall_ms)
            kind = "finished"
        else:
            if conf.next_when_called != "no_show":
                raise NotServedYet(
                    f"Nomor {row['number']} belum dilayani. Tandai tidak hadir, mulai layani, "
                    f"atau selesaikan dulu sebelum memanggil berikutnya "
                    f"(setting queue.next_when_called = ask)",
                    ticket_id=row["id"], number=row["number"])
            _check_no_show(row, conf)
            row.update(status="no_show", finished_ms=stamp.wall_ms)
            kind = "no_show"
        store.update_ticket(db, row, stamp)
        store.add_event(db, kind, stamp, ticket=store.ticket_from_row(row))


def _check_no_show(row: dict, conf: settings_mod.QueueSettings) -> None:
    needed = conf.no_show_min_recalls
    if row["recalls"] < needed:
        raise InvalidTransition(
            f"Tiket {row['number']} baru dipanggil ulang {row['recalls']} kali: panggil "
            f"ulang dulu (minimal {needed} kali) sebelum menandai tidak hadir "
            f"(setting queue.no_show_min_recalls)",
            code="recall_first", fields={"number": row["number"], "recalls": row["recalls"],
                                         "needed": needed})


def _paused_error(counter: dict) -> InvalidTransition:
    return InvalidTransition(f"{counter['name']} sedang jeda: lanjutkan layanan dulu sebelum "
                             f"memanggil (counter {counter['id']} paused)",
                             code="counter_paused", fields={"counter": counter["name"]})


def call_next(rt, counter_id: str, service_ids: list[str] | None = None,
              staff_id: str | None = None) -> Ticket | None:
    """Close the counter's current ticket and call the next one by the fairness rule
    (docs/QUEUE.md) among ``service_ids`` (default: the counter's session, else all).
    None when nobody waits."""
    db = rt.db
    stamp = rt.now()
    day = store.day_of(stamp, rt)
    with write_tx(db):
        counter = store.get_counter(db, counter_id)
        session = store.open_session(db, counter["id"])
        if session and session["paused"]:
            raise _paused_error(counter)
        if service_ids:
            services = [store.get_service(db, s)["id"] for s in service_ids]
        else:
            services = (session["service_ids"] if session else None) or store.active_service_ids(db)
        staff = staff_id or (session["staff_id"] if session else None)
        conf = settings_mod.load(db)
        _close_current(rt, db, counter["id"], stamp, conf)
        if session and session["business_day"] != day:
            session["business_day"] = day
            store.save_session(db, session, stamp)
        marks = ",".join("?" * len(services))
        heads = []
        for lane in ("IS NULL", "IS NOT NULL"):
            rows = store.select_tickets(
                db, f"business_day = ? AND status = 'waiting' AND service_id IN ({marks})"
                    f" AND priority {lane} ORDER BY arrival_seq LIMIT 1",
                [day, *services])
            heads.append(rows[0] if rows else None)
        candidates = [fairness.Candidate(r["arrival_ms"], r["priority"] is not None,
                                         r["id"], r["arrival_seq"]) if r else None for r in heads]
        recent = store.recent_priority(db, day, services, conf.priority_ratio)
        chosen = fairness.pick(candidates[0], candidates[1], recent, stamp.wall_ms,
                               conf.priority_ratio, conf.max_wait_ms)
        if chosen is None:
            return None
        row = heads[1] if chosen.priority else heads[0]
        return _call(db, row, counter, staff, day, stamp)


def call_ticket(rt, counter_id: str, number: str, staff_id: str | None = None) -> Ticket:
    """Close the counter's current ticket and call one waiting ticket of today by its number
    (``B-014``), out of the fairness order: the staff member has that citizen's letter
    request open (the counter's "Permohonan" page) and the citizen holds that number.
    NotFoundError when no such ticket waits today."""
    db = rt.db
    stamp = rt.now()
    day = store.day_of(stamp, rt)
    wanted = str(number).strip().upper()
    with write_tx(db):
        counter = store.get_counter(db, counter_id)
        session = store.open_session(db, counter["id"])
        if session and session["paused"]:
            raise _paused_error(counter)
        rows = store.select_tickets(db, "business_day = ? AND number = ? AND status = 'waiting'"
                                        " LIMIT 1", [day, wanted])
        if not rows:
            raise NotFoundError(f"no ticket {wanted!r} waits today", code="ticket_not_waiting",
                                fields={"number": wanted})
        conf = settings_mod.load(db)
        _close_current(rt, db, counter["id"], stamp, conf)
        staff = staff_id or (session["staff_id"] if session else None)
        return _call(db, rows[0], counter, staff, day, stamp)


def _call(db, row: dict, counter: dict, staff: str | None, day: str, stamp: Stamp) -> Ticket:
    """Call the waiting ticket ``row`` to ``counter`` (inside the caller's transaction): its
    place in the day's call order, the ticket's new state, the board's call and the event."""
    call_order = db.execute("SELECT coalesce(max(call_order), 0) + 1 FROM tickets"
                            " WHERE business_day = ? AND call_order IS NOT NULL",
                            [day]).fetchone()[0]
    row.update(status="called", counter_id=counter["id"], counter_number=counter["number"],
               staff_id=staff, called_ms=stamp.wall_ms, call_order=call_order)
    store.update_ticket(db, row, stamp)
    ticket = store.ticket_from_row(row)
    _announce(db, ticket, counter, "call", day, stamp)
    return ticket


def _announce(db, ticket: Ticket, counter: dict, kind: str, day: str, stamp: Stamp) -> Call:
    call = Call(new_id(), ticket.id, ticket.number, ticket.service_id, counter["number"], kind,
                stamp.wall_ms)
    store.insert_call(db, call, counter["id"], day, stamp)
    store.add_event(db, "called" if kind == "call" else "recalled", stamp,
                    ticket=ticket, call=call)
    return call


def _step(rt, ticket_id: str, allowed: tuple[str, ...], verb: str, change) -> Ticket:
    """Load, check the status, apply ``change(row, stamp)``, save, report."""
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = store.get_ticket_row(db, ticket_id)
        if row["status"] not in allowed:
            raise InvalidTransition(
                f"Tiket {row['number']} berstatus '{row['status']}', tidak dapat {verb} "
                f"(allowed from: {', '.join(allowed)})",
                code="ticket_state", fields={"number": row["number"], "status": row["status"]})
        kind = change(db, row, stamp)
        store.update_ticket(db, row, stamp)
        ticket = store.ticket_from_row(row)
        if kind == "recalled":
            counter = store.get_counter(db, row["counter_id"], active_only=False)
            _announce(db, ticket, counter, "recall", store.day_of(stamp, rt), stamp)
        else:
            store.add_event(db, kind, stamp, ticket=ticket)
    return ticket


def recall(rt, ticket_id: str) -> Ticket:
    """Call a called ticket again (the board speaks it again); counts the recalls."""
    def change(db, row, stamp):
        row["recalls"] += 1
        return "recalled"
    return _step(rt, ticket_id, ("called",), "dipanggil ulang", change)


def start_service(rt, ticket_id: str) -> Ticket:
    def change(db, row, stamp):
        row.update(status="serving", started_ms=stamp.wall_ms)
        return "started"
    return _step(rt, ticket_id, ("called",), "mulai dilayani", change)


def finish(rt, ticket_id: str) -> Ticket:
    """Done. A called ticket finished without "start" counts as started when called."""
    def change(db, row, stamp):
        if row["started_ms"] is None:
            row["started_ms"] = row["called_ms"]
        row.update(status="done", finished_ms=stamp.wall_ms)
        return "finished"
    return _step(rt, ticket_id, ("called", "serving"), "diselesaikan", change)


def no_show(rt, ticket_id: str) -> Ticket:
    """The citizen did not come after being called and recalled (setting
    ``queue.no_show_min_recalls`` recalls first)."""
    def change(db, row, stamp):
        _check_no_show(row, settings_mod.load(db))
        row.update(status="no_show", finished_ms=stamp.wall_ms)
        return "no_show"
    return _step(rt, ticket_id, ("called",), "ditandai tidak hadir", change)


def transfer(rt, ticket_id: str, to_service_id: str) -> Ticket:
    """Send the citizen on to another service. The ticket keeps its number and its original
    arrival time, so it takes its fair place in the new service's queue; the old row stays
    as ``transferred`` (with its times, for the first service's statistics). Returns the new
    waiting ticket."""
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = store.get_ticket_row(db, ticket_id)
        allowed = ("waiting", "called", "serving")
        if row["status"] not in allowed:
            raise InvalidTransition(
                f"Tiket {row['number']} berstatus '{row['status']}', tidak dapat dialihkan "
                f"(allowed from: {', '.join(allowed)})",
                code="ticket_state", fields={"number": row["number"], "status": row["status"]})
        target = store.get_service(db, to_service_id)
        if target["id"] == row["service_id"]:
            raise InvalidTransition(f"Tiket {row['number']} sudah di layanan {target['name_id']}",
                                    code="same_service",
                                    fields={"number": row["number"], "service": target["name_id"]})
        new_row = dict(row, id=new_id(), service_id=target["id"], status="waiting",
                       counter_id=None, counter_number=None, staff_id=None, recalls=0,
                       issued_ms=stamp.wall_ms, called_ms=None, started_ms=None,
                       finished_ms=None, call_order=None, transferred_from=row["id"],
                       business_day=store.day_of(stamp, rt), device_id=rt.device_id,
                       updated_ms=stamp.wall_ms)
        row.update(status="transferred", finished_ms=stamp.wall_ms)
        store.update_ticket(db, row, stamp)
        store.insert_ticket(db, new_row, stamp)
        ticket = store.ticket_from_row(new_row)
        store.add_event(db, "transferred", stamp, ticket=ticket)
    return ticket


def set_counter(rt, counter_id: str, *, service_ids: list[str], staff_id: str | None,
                paused: bool) -> None:
    """Sign in, choose services, pause or resume. A new staff member opens a new session
    (the old one is closed), so statistics know who served when."""
    db = rt.db
    stamp = rt.now()
    day = store.day_of(stamp, rt)
    with write_tx(db):
        counter = store.get_counter(db, counter_id)
        services = [store.get_service(db, s)["id"] for s in service_ids]
        if staff_id is not None and db.execute(
                "SELECT 1 FROM employees WHERE id = ?", [staff_id]).fetchone() is None:
            raise ValidationError("staff_id", f"petugas {staff_id!r} tidak dikenal (employees.id)")
        session = store.open_session(db, counter["id"])
        if session and session["staff_id"] != staff_id:
            session["closed_ms"] = stamp.wall_ms
            store.save_session(db, session, stamp)
            session = None
        if session is None:
            session = {"id": new_id(), "counter_id": counter["id"], "staff_id": staff_id,
                       "opened_ms": stamp.wall_ms, "closed_ms": None}
        session.update(service_ids=services, paused=1 if paused else 0, business_day=day)
        store.save_session(db, session, stamp)
        store.add_event(db, "counter", stamp, counter={
            "id": counter["id"], "number": counter["number"], "name": counter["name"],
            "staff_id": staff_id, "service_ids": services, "paused": bool(paused)})


def reprint_ticket(rt, ticket_id: str) -> str:
    """Queue a copy of the ticket's receipt (staff asked for it). Returns the print job id."""
    db = rt.db
    stamp = rt.now()
    with write_tx(db):
        row = store.get_ticket_row(db, ticket_id)
        root = row
        while root["transferred_from"]:   # the paper was printed for the first row
            root = store.get_ticket_row(db, root["transferred_from"])
        originals = [j for j in print_queue.jobs_for(db, root["id"]) if j.reprint_of is None]
        if originals:
            return print_queue.reprint(db, originals[0].id, stamp)
        service = store.get_service(db, row["service_id"])
        receipt = ticket_receipt(rt, store.ticket_from_row(row), service, stamp, None, None)
        return print_queue.enqueue(db, receipt, stamp, kind="ticket", ref_id=row["id"])
