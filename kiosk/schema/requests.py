"""Letter requests and complaints (docs/REQUESTS.md).

Office-owned, syncable (pushed through the outbox in the same transaction as the row):
- ``requests``: one row per letter request, its current status, what the citizen typed
  (``applicant`` and ``details`` as JSON text; the NIK in full, because the office makes
  the letter from it; ``nik_masked`` is what screens and logs may show).
- ``request_events``: every status change (who, when, why), from ``submitted`` on.
- ``complaints``: one row per complaint as the citizen made it.
- ``complaint_events``: its ``received`` event (later changes are the city's).

City-owned, pulled (sync/client/reference.py), never pushed:
- ``letter_types``: the catalogue (kiosk.letters.catalogue).
- ``complaint_categories``: the complaint categories.
- ``complaint_status``: the city's status and answer of a complaint of this office, one
  row per complaint (keyed by the complaint's id).

The status lookup by tracking code is the UNIQUE index on ``code`` (bench/requests.py).
"""

import sqlite_utils

REQUEST_STATUS_CHECK = " OR ".join(
    f"status = '{s}'" for s in ("submitted", "checking", "awaiting_signature", "ready",
                                "collected", "rejected", "cancelled"))


def m0009_requests(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE letter_types (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            spec TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            sort_order INTEGER NOT NULL DEFAULT 0,
            updated_ms INTEGER
        )""")
    db.execute(
        f"""CREATE TABLE requests (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            office_code TEXT NOT NULL,
            type_code TEXT NOT NULL,
            status TEXT NOT NULL CHECK ({REQUEST_STATUS_CHECK}),
            status_reason TEXT,
            applicant TEXT NOT NULL,
            details TEXT NOT NULL,
            nik_masked TEXT NOT NULL,
            warnings TEXT NOT NULL DEFAULT '[]',
            print_job_id TEXT,
            device_id TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE UNIQUE INDEX requests_code ON requests (code)")
    db.execute("CREATE INDEX requests_open ON requests (status, created_ms)"
               " WHERE status <> 'collected' AND status <> 'rejected' AND status <> 'cancelled'")
    db.execute(
        """CREATE TABLE request_events (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests(id),
            code TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            staff_id TEXT,
            reason TEXT,
            at_ms INTEGER NOT NULL,
            device_id TEXT NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE INDEX request_events_request ON request_events (request_id, at_ms)")
    db.execute(
        """CREATE TABLE complaint_categories (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            name_id TEXT NOT NULL,
            name_en TEXT NOT NULL,
            icon TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            sort_order INTEGER NOT NULL DEFAULT 0,
            updated_ms INTEGER
        )""")
    db.execute(
        """CREATE TABLE complaints (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            office_code TEXT NOT NULL,
            category TEXT NOT NULL,
            description TEXT NOT NULL,
            location TEXT NOT NULL,
            contact TEXT,
            anonymous INTEGER NOT NULL DEFAULT 0,
            print_job_id TEXT,
            device_id TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE UNIQUE INDEX complaints_code ON complaints (code)")
    db.execute(
        """CREATE TABLE complaint_events (
            id TEXT PRIMARY KEY,
            complaint_id TEXT NOT NULL REFERENCES complaints(id),
            code TEXT NOT NULL,
            to_status TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            device_id TEXT NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute(
        """CREATE TABLE complaint_status (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            status TEXT NOT NULL,
            answer TEXT,
            note TEXT,
            staff TEXT,
            updated_ms INTEGER NOT NULL
        )""")
