"""Statistics and the CSV export for a date range."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from kiosk import queue as q
from kiosk.errors import ValidationError
from kiosk.queue.stats import percentile


def _serve(rt, clock, counter, wait_s, service_s, service_id="svc-a"):
    t = q.issue_ticket(rt, service_id).ticket
    clock.advance(wait_s)
    q.call_next(rt, counter, [service_id])
    q.start_service(rt, t.id)
    clock.advance(service_s)
    q.finish(rt, t.id)
    return t


def test_percentile_nearest_rank():
    assert percentile([], 90) is None
    assert percentile([7], 90) == 7
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile(list(range(1, 11)), 50) == 5


def test_stats_per_service_and_counter(runtime, clock):
    clock.set_wall(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))   # 09:00 WITA
    for wait, service in ((60, 120), (120, 240), (180, 360)):
        _serve(runtime, clock, "counter-1", wait, service)
    _serve(runtime, clock, "counter-2", 30, 600, "svc-b")
    gone = q.issue_ticket(runtime, "svc-b").ticket
    q.call_next(runtime, "counter-2", ["svc-b"])
    q.recall(runtime, gone.id)
    q.no_show(runtime, gone.id)
    q.issue_ticket(runtime, "svc-c")
    # next day, out of range (time passes: a wall clock jump alone would not change the day)
    clock.advance(datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc).timestamp() - clock.wall_ms / 1000)
    _serve(runtime, clock, "counter-1", 999, 999)
    q.issue_ticket(runtime, "svc-c")

    result = q.stats(runtime, date(2026, 11, 23), date(2026, 11, 23))
    a, b, c = result["per_service"]
    assert (a["prefix"], a["issued"], a["served"], a["no_show"]) == ("A", 3, 3, 0)
    assert (a["wait_mean_s"], a["wait_p90_s"]) == (120.0, 180.0)
    assert (a["service_mean_s"], a["service_p90_s"]) == (240.0, 360.0)
    assert (b["issued"], b["served"], b["no_show"], b["service_mean_s"]) == (2, 1, 1, 600.0)
    assert (c["issued"], c["served"], c["wait_mean_s"], c["service_mean_s"]) == (1, 0, None, None)
    assert result["per_counter"] == [
        {"counter_number": 1, "served": 3, "no_show": 0, "service_mean_s": 240.0, "service_p90_s": 360.0},
        {"counter_number": 2, "served": 1, "no_show": 1, "service_mean_s": 600.0, "service_p90_s": 600.0}]
    assert result["waiting_now"] == 1      # today's (the 24th) C ticket
    both = q.stats(runtime, date(2026, 11, 23), date(2026, 11, 24))
    assert both["per_service"][0]["issued"] == 4


def test_export_csv_rows_and_local_times(runtime, clock):
    clock.set_wall(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))   # 09:00 WITA
    _serve(runtime, clock, "counter-3", 60, 300)
    q.issue_ticket(runtime, "svc-b", "lansia")
    out = io.StringIO()
    assert q.export_csv(runtime, date(2026, 11, 23), date(2026, 11, 23), out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["number"] for r in rows] == ["A-001", "B-001"]
    assert (rows[0]["issued_local"], rows[0]["called_local"], rows[0]["wait_s"],
            rows[0]["service_s"], rows[0]["counter_number"]) == (
        "2026-11-23 09:00:00", "2026-11-23 09:01:00", "60", "300", "3")
    assert (rows[1]["priority"], rows[1]["status"], rows[1]["called_local"]) == ("lansia", "waiting", "")


def test_reversed_range_is_refused(runtime):
    with pytest.raises(ValidationError, match="swap"):
        q.stats(runtime, date(2026, 11, 24), date(2026, 11, 23))
