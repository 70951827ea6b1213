"""Queue statistics for the admin screen and the CSV export.

Times per ticket row: *waiting* = called - issued (for a transferred ticket, the wait in the
service it was transferred to, counted from the transfer), *service* = finished - started of
tickets that were served (status done). Percentiles use the nearest-rank method, the one a
spreadsheet user can check by sorting a column.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from typing import Any, TextIO

from kiosk.clock import Stamp, local_time
from kiosk.errors import ValidationError
from kiosk.queue import store

CSV_COLUMNS = ("business_day", "number", "service_prefix", "service_name", "priority", "status",
               "counter_number", "staff_id", "issued_local", "called_local", "started_local",
               "finished_local", "wait_s", "service_s", "recalls", "transferred_from",
               "ticket_id")


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    value = percentile(values, 90)
    return None if value is None else round(value, 1)


def _check_range(day_from: date, day_to: date) -> None:
    if day_from > day_to:
        raise ValidationError("day_from", f"{day_from} is after {day_to}; swap the dates")


def _rows(rt, day_from: date, day_to: date) -> list[dict[str, Any]]:
    return store.select_tickets(rt.db, "business_day BETWEEN ? AND ? ORDER BY business_day,"
                                       " issued_ms, id",
                                [day_from.isoformat(), day_to.isoformat()])


def _wait_s(row: dict) -> float | None:
    return None if row["called_ms"] is None else (row["called_ms"] - row["issued_ms"]) / 1000


def _service_s(row: dict) -> float | None:
    if row["status"] != "done" or row["started_ms"] is None or row["finished_ms"] is None:
        return None
    return (row["finished_ms"] - row["started_ms"]) / 1000


def stats(rt, day_from: date, day_to: date) -> dict:
    """Counts and waiting/service times (mean, 90th percentile, in seconds) per service and
    per counter over business days ``day_from``..``day_to`` (inclusive)."""
    _check_range(day_from, day_to)
    rows = _rows(rt, day_from, day_to)
    services = rt.db.execute("SELECT id, prefix, name_id FROM services ORDER BY sort_order,"
                             " prefix").fetchall()
    per_service = []
    for sid, prefix, name in services:
        mine = [r for r in rows if r["service_id"] == sid]
        waits = [w for r in mine if (w := _wait_s(r)) is not None]
        times = [s for r in mine if (s := _service_s(r)) is not None]
        per_service.append({
            "service_id": sid, "prefix": prefix, "name": name,
            "issued": sum(1 for r in mine if r["transferred_from"] is None),
            "transferred_in": sum(1 for r in mine if r["transferred_from"] is not None),
            "served": sum(1 for r in mine if r["status"] == "done"),
            "no_show": sum(1 for r in mine if r["status"] == "no_show"),
            "wait_mean_s": _mean(waits), "wait_p90_s": _p90(waits),
            "service_mean_s": _mean(times), "service_p90_s": _p90(times)})
    per_counter = []
    for number in sorted({r["counter_number"] for r in rows if r["counter_number"] is not None}):
        mine = [r for r in rows if r["counter_number"] == number]
        times = [s for r in mine if (s := _service_s(r)) is not None]
        per_counter.append({"counter_number": number,
                            "served": sum(1 for r in mine if r["status"] == "done"),
                            "no_show": sum(1 for r in mine if r["status"] == "no_show"),
                            "service_mean_s": _mean(times), "service_p90_s": _p90(times)})
    today = store.today(rt)
    waiting_now = rt.db.execute("SELECT count(*) FROM tickets WHERE business_day = ? AND"
                                " status = 'waiting'", [today]).fetchone()[0]
    return {"from": day_from.isoformat(), "to": day_to.isoformat(),
            "per_service": per_service, "per_counter": per_counter, "waiting_now": waiting_now}


def export_csv(rt, day_from: date, day_to: date, out: TextIO) -> int:
    """One CSV row per ticket row (a transfer shows as two rows) with local times in the
    office's time zone; returns the number of data rows written."""
    _check_range(day_from, day_to)
    tz = rt.office_tz
    names = {r[0]: (r[1], r[2]) for r in rt.db.execute("SELECT id, prefix, name_id FROM services")}

    def when(ms: int | None) -> str:
        if ms is None:
            return ""
        return local_time(Stamp(ms, 0, ""), tz).strftime("%Y-%m-%d %H:%M:%S")

    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for r in _rows(rt, day_from, day_to):
        prefix, name = names.get(r["service_id"], (r["prefix"], ""))
        wait, service = _wait_s(r), _service_s(r)
        writer.writerow([r["business_day"], r["number"], prefix, name, r["priority"] or "",
                         r["status"], r["counter_number"] if r["counter_number"] is not None else "",
                         r["staff_id"] or "", when(r["issued_ms"]), when(r["called_ms"]),
                         when(r["started_ms"]), when(r["finished_ms"]),
                         "" if wait is None else f"{wait:.0f}",
                         "" if service is None else f"{service:.0f}",
                         r["recalls"], r["transferred_from"] or "", r["id"]])
        count += 1
    return count


def export_text(rt, day_from: date, day_to: date) -> dict:
    """The export as ``{"rows": n, "csv": text}``: what the admin screen saves to a file."""
    out = io.StringIO()
    rows = export_csv(rt, day_from, day_to, out)
    return {"rows": rows, "csv": out.getvalue()}
