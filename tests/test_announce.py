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
]


@pytest.mark.parametrize(("n", "words"), TABLE)
def test_number_words_table(n: int, words: str) -> None:
    assert number_words(n) == words


_VALUE = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
          "tujuh": 7, "delapan": 8, "sembilan": 9}


def _parse(words: str) -> int:
    """An independent reader of Indonesian numbers, to check number_words round-trips."""
    total, pending = 0, 0
    for word in words.split():
        if word == "seratus":
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
    return total + pending


@given(st.integers(min_value=0, max_value=999))
def test_number_words_round_trip(n: int) -> None:
    words = number_words(n)
    assert _parse(words) == n
    assert "  " not in words and words == words.strip()
    # "satu" never precedes ratus/puluh/belas: Indonesian says seratus, sepuluh, sebelas.
    assert "satu ratus" not in words and "satu puluh" not in words and "satu belas" not in words
    assert (n == 0) == ("nol" in words)


def test_every_number_has_its_own_words() -> None:
    assert len({number_words(n) for n in range(1000)}) == 1000


@pytest.mark.parametrize("bad", [-1, 1000, 12345])
def test_number_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="0..999"):
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


@pytest.mark.parametrize("bad", ["", "A-", "-", "A-12X", "A-1000"])
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
