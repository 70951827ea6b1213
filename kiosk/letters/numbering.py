"""Letter numbers: the office's pattern and the gapless sequence behind it.

The pattern is setting ``letters.number_pattern.<TYPE>`` (e.g. ``letters.number_pattern.SKU``,
for a letter type's own classification code: 503/... for a business letter), else
``letters.number_pattern`` (city-owned, pulled), else :data:`DEFAULT_PATTERN`, with these
placeholders (Python format syntax, so ``{seq:03d}``
pads the sequence to three digits):

    seq          the sequence number, per letter type and year, from 1
    office       the office code (config.toml ``office.code``)
    type         the letter type's code (SKU)
    roman_month  the month of issue in Roman numerals (XII), as Indonesian letters number
    month        the month of issue as a number
    year         the year of issue (2026)

An unknown placeholder or a malformed pattern is a ConfigError naming the setting, raised
before anything is written. The sequence is a ``letter_counters`` row bumped inside the
caller's write transaction: numbers are taken in commit order, and a rolled-back approval
gives its number back, so the numbers of a year have no gaps. Sequences count per letter
type, so two types may share a number (a letter is its type and number; the seal covers
both); a pattern with ``{type}``, or a different classification code per type, tells them
apart on paper too.
"""

from __future__ import annotations

import string
from datetime import date

import sqlite_utils

from kiosk.errors import ConfigError

PATTERN_KEY = "letters.number_pattern"
DEFAULT_PATTERN = "470/{seq:03d}/{office}/{roman_month}/{year}"
PLACEHOLDERS = ("seq", "office", "type", "roman_month", "month", "year")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman_month(month: int) -> str:
    return _ROMAN[month - 1]


def validate_pattern(pattern: str, key: str = PATTERN_KEY) -> str:
    """The pattern as given, or ConfigError naming the setting ``key``."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ConfigError(key, "empty; e.g. " + DEFAULT_PATTERN)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise ConfigError(key, f"{pattern!r} is not a valid pattern ({exc}); "
                          f"e.g. {DEFAULT_PATTERN}") from None
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ConfigError(key, f"unknown placeholder {{{unknown[0]}}} in {pattern!r}; "
                          f"known: {', '.join(PLACEHOLDERS)}")
    if "seq" not in names:
        raise ConfigError(key, f"{pattern!r} has no {{seq}}: two letters would share "
                          "a number")
    try:
        format_number(pattern, seq=1, office="X", type_code="X", issued=date(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ConfigError(key, f"{pattern!r} cannot be filled in ({exc})") from None
    return pattern


def format_number(pattern: str, *, seq: int, office: str, type_code: str, issued: date) -> str:
    return pattern.format(seq=seq, office=office, type=type_code,
                          roman_month=roman_month(issued.month), month=issued.month,
                          year=issued.year)


def pattern_of(db: sqlite_utils.Database, type_code: str) -> str:
    """The letter type's own pattern, else the office's, else the default; checked."""
    for key in (f"{PATTERN_KEY}.{type_code}", PATTERN_KEY):
        row = db.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if row and row[0]:
            return validate_pattern(row[0], key)
    return DEFAULT_PATTERN


def take_next(db: sqlite_utils.Database, type_code: str, year: int) -> int:
    """The next sequence number of ``type_code`` in ``year``; the caller's write transaction
    must be open (BEGIN IMMEDIATE serialises every writer of the file, across processes)."""
    if not db.conn.in_transaction:
        raise RuntimeError("take_next needs the approval's write transaction")
    row = db.conn.execute(
        "INSERT INTO letter_counters (type_code, year, last_seq) VALUES (?, ?, 1)"
        " ON CONFLICT (type_code, year) DO UPDATE SET last_seq = last_seq + 1"
        " RETURNING last_seq", [type_code, year]).fetchone()
    return int(row[0])
