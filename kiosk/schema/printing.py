"""Print queue tables."""

import sqlite_utils


def m0003_printing(db: sqlite_utils.Database) -> None:
    db["print_jobs"].create({
        "id": str, "kind": str, "ref_id": str, "reprint_of": str, "receipt": str,
        "status": str, "attempts": int, "last_error": str, "created_ms": int, "printed_ms": int,
    }, pk="id", not_null={"kind", "receipt", "status", "created_ms"}, defaults={"attempts": 0})
    db.execute("CREATE INDEX print_jobs_pending ON print_jobs (created_ms) WHERE status = 'pending'")
