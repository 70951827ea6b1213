"""Queue tables.

- ``ticket_sequences``: one row per (service, business day) holding the last number given
  out. Incremented inside the issuing write transaction (BEGIN IMMEDIATE), so numbers are
  unique and gapless across processes; a new business day is simply a new row, so the daily
  reset needs no cron and survives a kiosk that was off at midnight. Local bookkeeping,
  not synced (the tickets carry their numbers).
- ``tickets``: one row per ticket (syncable). A transfer closes the row as ``transferred``
  and opens a new row in the target service with the same number and arrival time.
- ``queue_calls``: every announcement (call and recall), for the board (syncable).
- ``counter_sessions``: who staffs a counter, which services it serves, paused or not
  (syncable).
- ``queue_waiting``: waiting counts per (service, business day) per lane, kept by triggers.
  (m0005 merges ``ticket_sequences`` and ``queue_waiting`` into ``queue_days``.)
- ``queue_events``: the change feed for boards and consoles; AUTOINCREMENT ids are gapless
  because a rolled-back transaction takes its id back. Local, not synced: it repeats what
  the synced tables already say.
"""

import sqlite_utils


def m0002_queue(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE ticket_sequences (
            service_id TEXT NOT NULL,
            business_day TEXT NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (service_id, business_day)
        ) WITHOUT ROWID""")
    db.execute(
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY,
            office_code TEXT NOT NULL,
            service_id TEXT NOT NULL,
            prefix TEXT NOT NULL,
            seq INTEGER NOT NULL,
            number TEXT NOT NULL,
            business_day TEXT NOT NULL,
            priority TEXT CHECK (priority IN ('lansia', 'disabilitas', 'hamil')),
            status TEXT NOT NULL CHECK (status IN
                ('waiting', 'called', 'serving', 'done', 'no_show', 'transferred')),
            counter_id TEXT,
            counter_number INTEGER,
            staff_id TEXT,
            recalls INTEGER NOT NULL DEFAULT 0,
            arrival_ms INTEGER NOT NULL,
            issued_ms INTEGER NOT NULL,
            called_ms INTEGER,
            started_ms INTEGER,
            finished_ms INTEGER,
            call_order INTEGER,
            transferred_from TEXT,
            device_id TEXT NOT NULL,
            updated_ms INTEGER NOT NULL
        )""")
    # A number is given out once per prefix and day; transfer copies share their original's.
    db.execute("CREATE UNIQUE INDEX tickets_number ON tickets (business_day, prefix, seq)"
               " WHERE transferred_from IS NULL")
    # Covers the kiosk's "people ahead" count (bench/tickets.py) and the lane heads.
    db.execute("CREATE INDEX tickets_waiting ON tickets"
               " (business_day, service_id, status, arrival_ms, priority)"
               " WHERE status = 'waiting'")
    db.execute("CREATE INDEX tickets_call_order ON tickets (business_day, call_order)"
               " WHERE call_order IS NOT NULL")
    db.execute("CREATE INDEX tickets_counter ON tickets (counter_id, business_day)"
               " WHERE status IN ('called', 'serving')")
    db.execute("CREATE INDEX tickets_finished ON tickets (business_day, finished_ms)"
               " WHERE status = 'done'")
    # Waiting counts per service and day, kept by triggers so they cannot drift from the
    # tickets: the kiosk reads them on every ticket ("people ahead") in constant time.
    db.execute(
        """CREATE TABLE queue_waiting (
            service_id TEXT NOT NULL,
            business_day TEXT NOT NULL,
            regular INTEGER NOT NULL DEFAULT 0,
            priority INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, business_day)
        ) WITHOUT ROWID""")
    add = ("INSERT INTO queue_waiting (service_id, business_day, regular, priority)"
           " VALUES (NEW.service_id, NEW.business_day, NEW.priority IS NULL,"
           " NEW.priority IS NOT NULL) ON CONFLICT (service_id, business_day) DO UPDATE SET"
           " regular = regular + (NEW.priority IS NULL),"
           " priority = priority + (NEW.priority IS NOT NULL);")
    remove = ("UPDATE queue_waiting SET regular = regular - (OLD.priority IS NULL),"
              " priority = priority - (OLD.priority IS NOT NULL)"
              " WHERE service_id = OLD.service_id AND business_day = OLD.business_day;")
    db.execute("CREATE TRIGGER tickets_waiting_insert AFTER INSERT ON tickets"
               f" WHEN NEW.status = 'waiting' BEGIN {add} END")
    db.execute("CREATE TRIGGER tickets_waiting_leave AFTER UPDATE ON tickets"
               f" WHEN OLD.status = 'waiting' BEGIN {remove} END")
    db.execute("CREATE TRIGGER tickets_waiting_enter AFTER UPDATE ON tickets"
               f" WHEN NEW.status = 'waiting' BEGIN {add} END")
    db.execute("CREATE TRIGGER tickets_waiting_delete AFTER DELETE ON tickets"
               f" WHEN OLD.status = 'waiting' BEGIN {remove} END")
    db.execute(
        """CREATE TABLE queue_calls (
            id TEXT PRIMARY KEY,
            ticket_id TEXT NOT NULL,
            number TEXT NOT NULL,
            service_id TEXT NOT NULL,
            counter_id TEXT NOT NULL,
            counter_number INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('call', 'recall')),
            at_ms INTEGER NOT NULL,
            business_day TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX queue_calls_day ON queue_calls (business_day, at_ms)")
    db.execute(
        """CREATE TABLE counter_sessions (
            id TEXT PRIMARY KEY,
            counter_id TEXT NOT NULL,
            staff_id TEXT,
            service_ids TEXT NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            business_day TEXT NOT NULL,
            opened_ms INTEGER NOT NULL,
            closed_ms INTEGER,
            updated_ms INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX counter_sessions_open ON counter_sessions (counter_id)"
               " WHERE closed_ms IS NULL")
    db.execute(
        """CREATE TABLE queue_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            ticket TEXT,
            call TEXT,
            counter TEXT,
            at_ms INTEGER NOT NULL
        )""")


_DAY_ADD = ("INSERT INTO queue_days (service_id, business_day, regular, priority)"
            " VALUES (NEW.service_id, NEW.business_day, NEW.priority IS NULL,"
            " NEW.priority IS NOT NULL) ON CONFLICT (service_id, business_day) DO UPDATE SET"
            " regular = regular + (NEW.priority IS NULL),"
            " priority = priority + (NEW.priority IS NOT NULL);")
_DAY_REMOVE = ("UPDATE queue_days SET regular = regular - (OLD.priority IS NULL),"
               " priority = priority - (OLD.priority IS NOT NULL)"
               " WHERE service_id = OLD.service_id AND business_day = OLD.business_day;")


def m0005_queue_days(db: sqlite_utils.Database) -> None:
    """``ticket_sequences`` and ``queue_waiting`` become one row per (service, business day),
    ``queue_days``: the last number given out and the waiting count of each lane.

    Issuing a ticket touched both rows; now the one upsert that takes the number also
    returns the lane counts "people ahead" needs, and the commit writes one page fewer
    (bench/tickets.py). The waiting counts are still kept by triggers, so they cannot drift
    from the tickets; a transfer into a service creates the day's row with ``last_seq`` 0.
    """
    db.execute(
        """CREATE TABLE queue_days (
            service_id TEXT NOT NULL,
            business_day TEXT NOT NULL,
            last_seq INTEGER NOT NULL DEFAULT 0,
            regular INTEGER NOT NULL DEFAULT 0,
            priority INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, business_day)
        ) WITHOUT ROWID""")
    db.execute("INSERT INTO queue_days (service_id, business_day, last_seq)"
               " SELECT service_id, business_day, last_seq FROM ticket_sequences")
    db.execute("INSERT INTO queue_days (service_id, business_day, regular, priority)"
               " SELECT service_id, business_day, regular, priority FROM queue_waiting WHERE true"
               " ON CONFLICT (service_id, business_day) DO UPDATE SET"
               " regular = excluded.regular, priority = excluded.priority")
    for name in ("insert", "leave", "enter", "delete"):
        db.execute(f"DROP TRIGGER tickets_waiting_{name}")
    db.execute("DROP TABLE ticket_sequences")
    db.execute("DROP TABLE queue_waiting")
    db.execute("CREATE TRIGGER queue_days_insert AFTER INSERT ON tickets"
               f" WHEN NEW.status = 'waiting' BEGIN {_DAY_ADD} END")
    db.execute("CREATE TRIGGER queue_days_leave AFTER UPDATE ON tickets"
               f" WHEN OLD.status = 'waiting' BEGIN {_DAY_REMOVE} END")
    db.execute("CREATE TRIGGER queue_days_enter AFTER UPDATE ON tickets"
               f" WHEN NEW.status = 'waiting' BEGIN {_DAY_ADD} END")
    db.execute("CREATE TRIGGER queue_days_delete AFTER DELETE ON tickets"
               f" WHEN OLD.status = 'waiting' BEGIN {_DAY_REMOVE} END")


def m0008_arrival_order(db: sqlite_utils.Database) -> None:
    """Tickets are ordered by arrival, not by wall time (a Pi's clock can jump).

    - ``tickets.arrival_seq``: the order of arrival, increasing with every ticket issued in
      this database (a new ticket takes the next rowid; a transfer copies its original's, as
      it copies the arrival time). Existing rows are numbered in their old order.
    - ``tickets.time_uncertain``: a time on this row is an estimate, because the wall clock
      was not believed when it was recorded (kiosk.clock.judge); synced with the row.
    - ``queue_events.time_uncertain``: the same for one event.
    """
    db.execute("ALTER TABLE tickets ADD COLUMN arrival_seq INTEGER")
    db.execute("ALTER TABLE tickets ADD COLUMN time_uncertain INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE tickets SET arrival_seq = o.n FROM (SELECT id, row_number() OVER"
               " (ORDER BY arrival_ms, issued_ms, id) AS n FROM tickets) AS o"
               " WHERE tickets.id = o.id")
    db.execute("ALTER TABLE queue_events ADD COLUMN time_uncertain INTEGER NOT NULL DEFAULT 0")
