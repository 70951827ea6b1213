"""The month's attendance per employee, in the office's time zone (docs/ATTENDANCE.md).

Per working day (``attendance.working_days``): the first clock-in and the last clock-out
(each scan's kind after its newest correction). Late: the first in after work start plus
the grace minutes. Early leave: the last out before work end. Absent: no scan at all on a
working day that has passed (today and later days are not judged). A day whose scans were
recorded under a wall clock that was not believed is marked ``time_uncertain`` and its
times are shown as recorded, never shifted.
"""

from __future__ import annotations

import calendar
import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.attendance import settings as settings_mod
from kiosk.clock import zone
from kiosk.errors import ValidationError

CSV_COLUMNS = ("employee_id", "name", "date", "status", "first_in", "last_out", "late",
               "early_leave", "time_uncertain")


def _month(month: str) -> tuple[date, date]:
    try:
        first = datetime.strptime(month, "%Y-%m").date()
    except (ValueError, TypeError):
        raise ValidationError("month", f"{month!r} is not a month like 2026-12",
                              code="attendance_month") from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def report(rt, month: str) -> dict[str, Any]:
    """``{"month", "timezone", "employees": [{employee_id, name, days: [...], totals}]}``."""
    first, last = _month(month)
    tz = zone(rt.office_tz)
    conf = settings_mod.load(rt.db)
    today = datetime.fromtimestamp(rt.now().wall_ms / 1000, tz).date()
    start_ms = int(datetime.combine(first, datetime.min.time(), tz).timestamp() * 1000)
    end_ms = int(datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
                 .timestamp() * 1000)
    rows = rt.db.execute(
        "SELECT a.id, a.employee_id, a.kind, a.wall_ms, a.time_uncertain,"
        " (SELECT c.kind FROM attendance c WHERE c.corrects_id = a.id"
        "  ORDER BY c.wall_ms DESC, c.rowid DESC LIMIT 1)"
        " FROM attendance a WHERE a.source = 'badge' AND a.wall_ms >= ? AND a.wall_ms < ?"
        " ORDER BY a.wall_ms", [start_ms, end_ms]).fetchall()
    names = {r[0]: r[1] for r in rt.db.execute("SELECT id, name FROM employees WHERE active = 1")}
    by_day: dict[tuple[str, date], list[tuple[str, datetime, bool]]] = {}
    for _id, employee_id, kind, wall_ms, uncertain, corrected in rows:
        at = datetime.fromtimestamp(wall_ms / 1000, tz)
        by_day.setdefault((employee_id, at.date()), []).append(
            (corrected or kind, at, bool(uncertain)))
        names.setdefault(employee_id, None)
    employees = []
    for employee_id in sorted(names, key=lambda e: (names[e] or "", e)):
        days, totals = [], {"working_days": 0, "present": 0, "on_time": 0, "late": 0,
                            "early_leave": 0, "absent": 0, "time_uncertain": 0}
        day = first
        while day <= last:
            scans = by_day.get((employee_id, day), [])
            working = day.isoweekday() in conf.working_days
            if working or scans:
                row = _day(day, scans, conf, working, today)
                days.append(row)
                if working and day < today:
                    totals["working_days"] += 1
                for name in ("late", "early_leave", "time_uncertain"):
                    totals[name] += int(row[name])
                totals["present"] += int(row["status"] != "absent" and bool(scans))
                totals["on_time"] += int(row["status"] == "on_time")
                totals["absent"] += int(row["status"] == "absent")
            day += timedelta(days=1)
        employees.append({"employee_id": employee_id, "name": names[employee_id],
                          "days": days, "totals": totals})
    return {"month": first.strftime("%Y-%m"), "timezone": rt.office_tz, "employees": employees}


def _day(day: date, scans, conf, working: bool, today: date) -> dict[str, Any]:
    ins = [at for kind, at, _ in scans if kind == "in"]
    outs = [at for kind, at, _ in scans if kind == "out"]
    first_in = min(ins) if ins else None
    last_out = max(outs) if outs else None
    late_after = (datetime.combine(day, conf.work_start) + timedelta(minutes=conf.grace_minutes)
                  ).time()
    late = bool(working and first_in is not None and first_in.time() > late_after)
    early = bool(working and last_out is not None and last_out.time() < conf.work_end)
    if not scans:
        status = "absent" if working and day < today else "none"
    elif first_in is None:
        status = "no_clock_in"
    else:
        status = "late" if late else "on_time"
    return {"date": day.isoformat(), "status": status,
            "first_in": first_in.strftime("%H:%M") if first_in else None,
            "last_out": last_out.strftime("%H:%M") if last_out else None,
            "late": late, "early_leave": early,
            "time_uncertain": any(u for _, _, u in scans)}


def to_csv(data: dict[str, Any]) -> str:
    """One line per employee and day (the columns of :data:`CSV_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for emp in data["employees"]:
        for day in emp["days"]:
            writer.writerow([emp["employee_id"], emp["name"] or "", day["date"], day["status"],
                             day["first_in"] or "", day["last_out"] or "", int(day["late"]),
                             int(day["early_leave"]), int(day["time_uncertain"])])
    return out.getvalue()
