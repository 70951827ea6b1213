"""What the waiting room hears: the Indonesian sentence for a call, with numbers as words.

Text-to-speech voices read "A-012" as "A minus nol satu dua" or skip the zeros, and a
citizen listening for "B empat belas" does not recognise that. So the phrase is built here
from words, and the voice only reads words. Pure functions, no Qt: the board and the tests
share them.

Numbers follow standard Indonesian: se- for one (sepuluh, sebelas, seratus, seribu), -belas
for 11..19, puluh for tens, ratus for hundreds ("dua ratus lima", "seratus sebelas"), then
groups of three digits with ribu, juta, miliar, triliun, ... ("dua ribu empat belas",
"satu juta"). Any number a ticket can carry is spoken: a busy day passes A-999 (A-1000 is
"A seribu"), and a board that cannot say the number says nothing at all.
"""

from __future__ import annotations

import re

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")

#: Indonesian names of the letters, for voices that read a lone "A" oddly. Spoken prefixes
#: are short, so the letter names are what a person says when spelling ("be", "ce").
LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha",
    "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe",
    "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u", "V": "ve", "W": "we", "X": "eks",
    "Y": "ye", "Z": "zet",
}

#: Names of the groups of three digits, from 10^3 up. Only "ribu" takes se- for one
#: (seribu, but satu juta).
_SCALES = ("ribu", "juta", "miliar", "triliun", "kuadriliun", "kuintiliun")

#: The largest number spoken: a ticket's sequence is a SQLite INTEGER (at most 2^63 - 1),
#: so no ticket the queue gives can be larger.
MAX_NUMBER = 2**63 - 1


def number_words(n: int) -> str:
    """0..2^63-1 as Indonesian words: 12 -> "dua belas", 1000 -> "seribu",
    2014 -> "dua ribu empat belas", 1_000_000 -> "satu juta"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_words needs an int, got {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"number_words handles 0..{MAX_NUMBER}, got {n}")
    if n == 0:
        return "nol"
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if not group:
            continue
        if scale == 0:
            words.append(_below_thousand(group))
        elif scale == 1 and group == 1:
            words.append("seribu")
        else:
            words.append(f"{_below_thousand(group)} {_SCALES[scale - 1]}")
    return " ".join(words)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words.append(f"{_UNITS[hundreds]} ratus")
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def _below_hundred(n: int) -> str:
    if n < 10:
        return _UNITS[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    tens, units = divmod(n, 10)
    return f"{_UNITS[tens]} puluh" + (f" {_UNITS[units]}" if units else "")


_NUMBER_RE = re.compile(r"^\s*([A-Za-z]*)\s*-?\s*(\d+)\s*$")


def spoken_ticket(number: str, *, letter_names: bool = False) -> str:
    """"A-012" -> "A dua belas" (or "a dua belas" with letter names; "B" -> "be")."""
    match = _NUMBER_RE.match(number or "")
    if not match:
        raise ValueError(f"not a ticket number: {number!r} (expected e.g. 'A-012')")
    prefix, digits = match.group(1).upper(), int(match.group(2))
    letters = [LETTER_NAMES.get(ch, ch) if letter_names else ch for ch in prefix]
    return " ".join([*letters, number_words(digits)])


def call_phrase(number: str, counter_number: int, *, letter_names: bool = False) -> str:
    """The sentence for a first call: "Nomor antrian A dua belas, silakan menuju loket tiga"."""
    return (f"Nomor antrian {spoken_ticket(number, letter_names=letter_names)}, "
            f"silakan menuju loket {number_words(counter_number)}")


def recall_phrase(number: str, counter_number: int, *, letter_names: bool = False) -> str:
    """A recall says so first, so people who heard the first call know it is the same one."""
    return "Panggilan ulang. " + call_phrase(number, counter_number, letter_names=letter_names)


def phrase_for(kind: str, number: str, counter_number: int, *, letter_names: bool = False) -> str:
    """The phrase for a board Call of kind "call" or "recall"."""
    if kind == "call":
        return call_phrase(number, counter_number, letter_names=letter_names)
    if kind == "recall":
        return recall_phrase(number, counter_number, letter_names=letter_names)
    raise ValueError(f"unknown call kind {kind!r} (expected 'call' or 'recall')")
