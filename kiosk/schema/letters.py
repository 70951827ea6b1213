"""Issued letters, their numbers and their templates (docs/REQUESTS.md "The letter").

- ``issued_letters`` (office-owned, syncable): one row per letter approved, with its number,
  the facts its seal covers (kiosk.letters.seal), the signer and the seal itself. Pushed
  through the outbox in the approval's transaction, so the city server can answer
  ``/v/{letter_id}``.
- ``letter_counters`` (local only): the last number used per letter type and year. The
  approval reads and bumps it in its own write transaction, so numbers are gapless: a
  rolled-back approval takes its number back with it.
- ``letter_templates`` (city-owned, pulled with the reference data): the Typst body of each
  letter type (kiosk.letters.templates).
"""

import sqlite_utils


def m0010_letters(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE issued_letters (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests(id),
            code TEXT NOT NULL,
            office_code TEXT NOT NULL,
            number TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type_code TEXT NOT NULL,
            applicant_name TEXT NOT NULL,
            nik_masked TEXT NOT NULL,
            issued_date TEXT NOT NULL,
            valid_until TEXT NOT NULL DEFAULT '',
            staff_id TEXT,
            signer_name TEXT NOT NULL DEFAULT '',
            signer_position TEXT NOT NULL DEFAULT '',
            signer_nip TEXT NOT NULL DEFAULT '',
            seal TEXT NOT NULL,
            public_key TEXT NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0,
            revoked_reason TEXT,
            device_id TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            time_uncertain INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE UNIQUE INDEX issued_letters_request ON issued_letters (request_id)")
    # Numbers count per letter type (Surat Keterangan Usaha 470/001 and Surat Keterangan
    # Domisili 470/001 are different letters), so a number is unique within its type.
    db.execute("CREATE UNIQUE INDEX issued_letters_number ON issued_letters (type_code, number)")
    db.execute(
        """CREATE TABLE letter_counters (
            type_code TEXT NOT NULL,
            year INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            PRIMARY KEY (type_code, year)
        )""")
    db.execute(
        """CREATE TABLE letter_templates (
            id TEXT PRIMARY KEY,
            type_code TEXT NOT NULL,
            body TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            updated_ms INTEGER
        )""")
    # The ticks of a verification (which fields and documents staff checked), on its event.
    db.execute("ALTER TABLE request_events ADD COLUMN checklist TEXT")
