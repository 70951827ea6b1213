"""Print queue tables.

``print_jobs`` is kiosk-owned and syncable (the city sees every receipt and its fate).
Jobs print in insertion order (``rowid``), not by ``created_ms``: the wall clock of a
Raspberry Pi can jump backwards, the order rows were committed cannot.

``printer_state`` is local only (one row per printer URI, normally one): the last state the
print worker observed, so every screen and the LAN API can read it from the database
instead of talking to the printer themselves.
"""

import sqlite_utils


def m0003_printing(db: sqlite_utils.Database) -> None:
    db["print_jobs"].create({
        "id": str, "kind": str, "ref_id": str, "reprint_of": str, "receipt": str,
        "status": str, "attempts": int, "last_error": str, "created_ms": int,
        "last_attempt_ms": int, "printed_ms": int,
    }, pk="id", not_null={"kind", "receipt", "status", "created_ms"}, defaults={"attempts": 0})
    db.execute("CREATE INDEX print_jobs_pending ON print_jobs (status) WHERE status = 'pending'")
    db.execute("CREATE INDEX print_jobs_ref ON print_jobs (ref_id)")
    db["printer_state"].create({
        "uri": str, "state": str, "detail": str, "checked_ms": int, "changed_ms": int,
    }, pk="uri", not_null={"state", "detail"})
