"""``kiosk queue ...``: the queue driven and inspected without a screen."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main

KIOSK = Path(sys.executable).parent / "kiosk"


def _run(demo_dir, *args) -> dict:
    result = CliRunner().invoke(main, ["--data-dir", str(demo_dir), "queue", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.output)


def _start(demo_dir, ticket_id: str) -> None:
    from kiosk import queue as q
    from kiosk.runtime import open_runtime

    rt = open_runtime(demo_dir)
    try:
        q.start_service(rt, ticket_id)
    finally:
        rt.close()


def _current(demo_dir, counter: str) -> str:
    from kiosk import queue as q
    from kiosk.runtime import open_runtime

    rt = open_runtime(demo_dir)
    try:
        return q.current_ticket(rt, counter).id
    finally:
        rt.close()


def test_issue_call_status(demo_dir):
    first = _run(demo_dir, "issue", "A")
    assert first["ticket"]["number"] == "A-001" and first["people_ahead"] == 0
    assert first["print_job_id"]
    second = _run(demo_dir, "issue", "svc-a", "--priority", "lansia")
    assert (second["ticket"]["number"], second["ticket"]["priority"]) == ("A-002", "lansia")
    assert second["people_ahead"] == 0   # a priority ticket is due at the start of the day
    status = _run(demo_dir, "status")
    assert [w["number"] for w in status["waiting"]] == ["A-002", "A-001"]
    called = _run(demo_dir, "call", "2")
    assert (called["number"], called["counter_number"], called["status"]) == ("A-002", 2, "called")
    _start(demo_dir, called["id"])   # "next" never closes a ticket that was only called
    assert _run(demo_dir, "call", "counter-2")["number"] == "A-001"
    status = _run(demo_dir, "status")
    assert status["waiting"] == [] and status["current_call"]["number"] == "A-001"
    assert status["serving"] == {"2": "A-001"}
    _start(demo_dir, _current(demo_dir, "counter-2"))
    assert _run(demo_dir, "call", "2") is None     # nobody left; A-001 is finished
    assert _run(demo_dir, "status")["serving"] == {}


def test_stats_with_csv(demo_dir, tmp_path):
    _run(demo_dir, "issue", "B")
    today = _run(demo_dir, "status")["business_day"]
    out = tmp_path / "stats.csv"
    result = _run(demo_dir, "stats", "--from", today, "--to", today, "--csv", str(out))
    assert result["per_service"][1]["issued"] == 1
    assert result["csv"]["rows"] == 1
    assert [r["number"] for r in csv.DictReader(out.open())] == ["B-001"]


def test_bad_input_is_a_clear_error(demo_dir):
    runner = CliRunner()
    bad_date = runner.invoke(main, ["--data-dir", str(demo_dir), "queue", "stats", "--from",
                                    "23-11-2026", "--to", "2026-11-23"])
    assert bad_date.exit_code == 2 and "is not a date like" in bad_date.output
    bad_priority = runner.invoke(main, ["--data-dir", str(demo_dir), "queue", "issue", "A",
                                        "--priority", "vip"])
    assert bad_priority.exit_code == 2 and "lansia" in bad_priority.output


@pytest.mark.skipif(not KIOSK.exists(), reason="the kiosk console script is not installed in this venv")
def test_console_script_reports_unknown_service_and_counter(demo_dir):
    for args, words in ((["issue", "Z"], "layanan 'Z' tidak ada"), (["call", "9"], "loket '9' tidak ada")):
        proc = subprocess.run([str(KIOSK), "--data-dir", str(demo_dir), "queue", *args],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert words in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("command", ["issue", "call", "status", "stats"])
def test_every_queue_command_has_help(command):
    result = CliRunner().invoke(main, ["queue", command, "--help"])
    assert result.exit_code == 0
    own_help = main.commands["queue"].commands[command].help
    assert own_help and own_help.split("\n")[0] in result.output


def test_a_bare_priority_flag_means_lansia(demo_dir):
    """The issue's own form, `kiosk queue issue SERVICE --priority`, works as written."""
    issued = _run(demo_dir, "issue", "B", "--priority")
    assert (issued["ticket"]["number"], issued["ticket"]["priority"]) == ("B-001", "lansia")
