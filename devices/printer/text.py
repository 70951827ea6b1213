"""ASCII-safe text for cheap printers.

Clone printers disagree about code pages (ESC t n selects a different table on each), so
receipts go out as plain ASCII, which every printer prints right.

Library choice: the standard library's ``unicodedata``. NFKD decomposition strips accents
("é" -> "e") and folds compatibility forms (ligatures, full-width letters, "…" -> "...");
a short table covers the typographic punctuation NFKD leaves alone (curly quotes, dashes,
bullets, arrows). ``Unidecode`` would transliterate more scripts, but it is GPL-licensed
(this project is MIT) and receipts here are in Indonesian or English: Latin script with
the occasional accented name, which this covers. Anything left over becomes "?".
"""

from __future__ import annotations

import unicodedata

_PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u0060": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u2022": "*", "\u00b7": "*", "\u2023": "*", "\u25cf": "*",
    "\u2192": "->", "\u2190": "<-", "\u21d2": "=>",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
    "\u00d7": "x", "\u2044": "/", "\u00f7": "/", "\u00b0": " derajat ", "\u20ac": "EUR", "\u00a9": "(c)",
    "\u00ae": "(R)", "\u2122": "TM", "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE",
    "\u00f8": "o", "\u00d8": "O", "\u0131": "i", "\u0142": "l", "\u0141": "L", "\u0111": "d",
    "\u0110": "D", "\t": " ",
})


def ascii_safe(text: str) -> str:
    """Printable ASCII only (no control characters either: a stray ESC would be a command)."""
    # The table before NFKD (so "ß", "ø" are not lost to "?") and after it (NFKD itself
    # yields some of these, e.g. "½" -> "1⁄2" with a fraction slash).
    folded = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION)).translate(_PUNCTUATION)
    out = []
    for ch in folded:
        if unicodedata.combining(ch):
            continue
        if " " <= ch <= "~":
            out.append(ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)
