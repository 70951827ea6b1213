"""Core tables: metadata, the outbox, and the reference data the city server owns."""

import sqlite_utils


def m0001_core(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            change_id TEXT NOT NULL UNIQUE,
            table_name TEXT NOT NULL,
            record_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
            payload TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            wall_ms INTEGER NOT NULL,
            mono_ns INTEGER NOT NULL,
            boot_id TEXT NOT NULL,
            acked_ms INTEGER
        )""")
    db.execute("CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_ms IS NULL")
    # Reference data: owned by the city server, pulled down, never pushed.
    db["offices"].create({"id": str, "code": str, "name": str, "timezone": str,
                          "address": str, "updated_ms": int}, pk="id", not_null={"code", "name"})
    db["services"].create({
        "id": str, "office_id": str, "prefix": str, "name_id": str, "name_en": str,
        "description_id": str, "description_en": str, "daily_cap": int,
        "active": int, "sort_order": int, "updated_ms": int,
    }, pk="id", not_null={"prefix", "name_id"}, defaults={"active": 1, "sort_order": 0})
    db["counters"].create({"id": str, "office_id": str, "number": int, "name": str,
                           "active": int, "updated_ms": int}, pk="id",
                          not_null={"number"}, defaults={"active": 1})
    db["employees"].create({"id": str, "office_id": str, "nip": str, "name": str,
                            "role": str, "active": int, "badge_key_id": str,
                            "updated_ms": int}, pk="id", not_null={"name"},
                           defaults={"active": 1})
    db["settings"].create({"key": str, "value": str, "updated_ms": int}, pk="key")
