"""m0006: CHECK constraints without ``IN (...)`` lists on the tables written on every ticket.

SQLite evaluates ``CHECK (x IN ('a', 'b', 'c'))`` by filling an ephemeral table with the
list each time the INSERT or UPDATE statement runs; on this project's machines that cost
15-18 us per constraint per statement, about 37 us of every ticket's 60 us INSERT (two such
constraints on ``tickets``) and 17 us of every outbox row. The same rule written as
``(x = 'a' OR x = 'b' OR x = 'c')`` costs nothing measurable and accepts and refuses exactly
the same values (a NULL passes both, as SQL CHECKs do).

SQLite cannot change a constraint in place: each table is rebuilt by the documented
procedure (https://www.sqlite.org/lang_altertable.html#otheralter): a new table, its rows
copied, the old one dropped, the new one renamed, its indexes and triggers made again. The
outbox's AUTOINCREMENT counter is carried over, so a sequence number is never given twice
even when every row had been pruned.
"""

from __future__ import annotations

import re

import sqlite_utils

TABLES = ("outbox", "tickets", "queue_calls")

_IN_LIST = re.compile(r"CHECK \((\w+) IN\s*\(([^()]*)\)\)")


def without_in_lists(create_sql: str) -> str:
    """``CHECK (x IN ('a', 'b'))`` -> ``CHECK (x = 'a' OR x = 'b')``, nothing else changed."""
    def rewrite(match: re.Match) -> str:
        column, values = match[1], [v.strip() for v in match[2].split(",")]
        return "CHECK (" + " OR ".join(f"{column} = {v}" for v in values) + ")"

    return _IN_LIST.sub(rewrite, create_sql)


def rebuild(db: sqlite_utils.Database, table: str, create_sql: str) -> None:
    """Give ``table`` the definition ``create_sql`` (same columns, same order), keeping its
    rows, indexes, triggers and AUTOINCREMENT counter. Runs in the caller's transaction."""
    conn = db.conn
    others = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type, name", [table])]
    counter = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table]).fetchone() \
        if db["sqlite_sequence"].exists() else None
    new = f"{table}_rebuilt"
    head = re.compile(rf"^CREATE TABLE \"?{table}\"?")
    if not head.match(create_sql):
        raise ValueError(f"{create_sql[:40]!r} does not create {table}")
    conn.execute(head.sub(f"CREATE TABLE {new}", create_sql, count=1))
    conn.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {new} RENAME TO {table}")
    for sql in others:
        conn.execute(sql)
    if counter is not None:
        # The copy made a counter for the new table only if rows were copied (renamed with
        # it); sqlite_sequence has no unique key, so update or insert, never both.
        if conn.execute("SELECT 1 FROM sqlite_sequence WHERE name = ?", [table]).fetchone():
            conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                         [counter[0], table])
        else:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                         [table, counter[0]])


def m0006_checks_without_in_lists(db: sqlite_utils.Database) -> None:
    for table in TABLES:
        (sql,) = db.conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table'"
                                 " AND name = ?", [table]).fetchone()
        rebuild(db, table, without_in_lists(sql))
