"""The spoken phrase of a call: Indonesian number words and the call/recall sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.announce import (
    call_phrase,
    number_words,
    phrase_for,
    recall_phrase,
    spoken_ticket,
)

TABLE = [
    (0, "nol"), (1, "satu"), (2, "dua"), (7, "tujuh"), (9, "sembilan"),
    (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (14, "empat belas"),
    (19, "sembilan belas"), (20, "dua puluh"), (21, "dua puluh satu"),
    (35, "tiga puluh lima"), (99, "sembilan puluh sembilan"),
    (100, "seratus"), (101, "seratus satu"), (110, "seratus sepuluh"),
    (111, "seratus sebelas"), (112, "seratus dua belas"), (120, "seratus dua puluh"),
    (200, "dua ratus"), (205, "dua ratus lima"), (310, "tiga ratus sepuluh"),
    (311, "tiga ratus sebelas"), (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"), (1001, "seribu satu"), (1012, "seribu dua belas"),
    (1100, "seribu seratus"), (1999, "seribu sembilan ratus sembilan puluh sembilan"),
    (2000, "dua ribu"), (2005, "dua ribu lima"), (11_000, "sebelas ribu"),
    (100_000, "seratus ribu"), (101_000, "seratus satu ribu"),
    (999_999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh"
              " sembilan"),
    (1_000_000, "satu juta"), (1_001_000, "satu juta seribu"), (2_000_000_000, "dua miliar"),
    (3_000_000_000_000, "tiga triliun"), (4 * 10**15, "empat kuadriliun"),
    (5 * 10**18, "lima kuintiliun"),
]


@pytest.mark.parametrize(("n", "words"), TABLE)
def test_number_words_table(n: int, words: str) -> None:
    assert number_words(n) == words


_VALUE = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
          "tujuh": 7, "delapan": 8, "sembilan": 9}


_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12,
           "kuadriliun": 10**15, "kuintiliun": 10**18}


def _parse(words: str) -> int:
    """An independent reader of Indonesian numbers, to check number_words round-trips."""
    grand, total, pending = 0, 0, 0
    for word in words.split():
        if word == "seribu":
            grand += 1000
        elif word in _SCALES:
            grand += (total + pending) * _SCALES[word]
            total, pending = 0, 0
        elif word == "seratus":
            total += 100
        elif word == "sepuluh":
            pending += 10
        elif word == "sebelas":
            pending += 11
        elif word == "ratus":
            total += pending * 100
            pending = 0
        elif word == "puluh":
            pending *= 10
        elif word == "belas":
            pending += 10
        else:
            pending += _VALUE[word]
    return grand + total + pending


#: The largest number the queue can give: a ticket's sequence is a SQLite INTEGER.
MAX_TICKET_SEQ = 2**63 - 1


@given(st.one_of(st.integers(min_value=0, max_value=2_000),
                 st.integers(min_value=0, max_value=MAX_TICKET_SEQ)))
def test_number_words_round_trip(n: int) -> None:
    words = number_words(n)
    assert _parse(words) == n
    assert "  " not in words and words == words.strip()
    # "satu" never precedes ratus/puluh/belas: Indonesian says seratus, sepuluh, sebelas.
    assert "satu ratus" not in words and "satu puluh" not in words and "satu belas" not in words
    assert not words.startswith("satu ribu")     # seribu (but "tiga puluh satu ribu")
    assert (n == 0) == ("nol" in words)


@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
       st.integers(min_value=1, max_value=MAX_TICKET_SEQ), st.integers(min_value=1, max_value=99))
def test_every_ticket_the_queue_can_give_is_spoken(prefix: str, seq: int, counter: int) -> None:
    """Issue 10, item 6: A-1000 (and any later number) must be spoken, not raise."""
    from kiosk.queue.operations import format_number

    phrase = call_phrase(format_number(prefix, seq), counter)
    spoken = phrase.removeprefix("Nomor antrian ").split(",")[0]
    assert spoken.split()[0] == prefix
    assert _parse(" ".join(spoken.split()[1:])) == seq


def test_a_thousand_is_spoken() -> None:
    assert spoken_ticket("A-1000") == "A seribu"
    assert call_phrase("B-2014", 3) == "Nomor antrian B dua ribu empat belas, silakan menuju loket tiga"


def test_every_number_has_its_own_words() -> None:
    assert len({number_words(n) for n in range(20_000)}) == 20_000


@pytest.mark.parametrize("bad", [-1, -1000, MAX_TICKET_SEQ + 1])
def test_number_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="0.."):
        number_words(bad)


@pytest.mark.parametrize("bad", ["12", 1.5, True, None])
def test_number_of_wrong_type_is_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        number_words(bad)  # type: ignore[arg-type]


def test_ticket_spoken_as_letter_and_words() -> None:
    assert spoken_ticket("A-012") == "A dua belas"
    assert spoken_ticket("B-014") == "B empat belas"
    assert spoken_ticket("C-100") == "C seratus"
    assert spoken_ticket("b-001") == "B satu"
    assert spoken_ticket("B-014", letter_names=True) == "be empat belas"
    assert spoken_ticket("C-005", letter_names=True) == "ce lima"


@pytest.mark.parametrize("bad", ["", "A-", "-", "A-12X", "A-1000X"])
def test_bad_ticket_number_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        spoken_ticket(bad)


def test_call_phrase_exact() -> None:
    assert call_phrase("A-012", 3) == "Nomor antrian A dua belas, silakan menuju loket tiga"
    assert call_phrase("B-014", 2) == "Nomor antrian B empat belas, silakan menuju loket dua"
    assert call_phrase("A-111", 11) == "Nomor antrian A seratus sebelas, silakan menuju loket sebelas"


def test_recall_phrase_says_it_is_a_recall() -> None:
    assert recall_phrase("A-012", 3) == (
        "Panggilan ulang. Nomor antrian A dua belas, silakan menuju loket tiga")


def test_phrase_for_kind() -> None:
    assert phrase_for("call", "C-205", 1) == (
        "Nomor antrian C dua ratus lima, silakan menuju loket satu")
    assert phrase_for("recall", "C-205", 1).startswith("Panggilan ulang. ")
    with pytest.raises(ValueError, match="unknown call kind"):
        phrase_for("shout", "C-205", 1)
