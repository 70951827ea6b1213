"""Queue statistics (skeleton; bodies follow)."""

from __future__ import annotations

from datetime import date
from typing import TextIO


def stats(rt, day_from: date, day_to: date) -> dict:
    raise NotImplementedError


def export_csv(rt, day_from: date, day_to: date, out: TextIO) -> int:
    raise NotImplementedError
