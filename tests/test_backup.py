"""``kiosk backup`` and ``kiosk server backup``: a consistent copy of a database that is
being written to, checked with integrity_check, never overwriting without --force."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main

WRITER = textwrap.dedent("""
    import sys
    from kiosk import queue as q
    from kiosk.runtime import open_runtime
    rt = open_runtime(sys.argv[1])
    while True:
        issued = q.issue_ticket(rt, "A", None)
        print(issued.ticket.id, flush=True)   # printed after the commit
""")


def _init(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "init", "--demo"])
    assert result.exit_code == 0, result.output


def _ticket_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT id FROM tickets")}
    finally:
        conn.close()


def test_backup_while_another_process_issues_tickets(tmp_path):
    data_dir = tmp_path / "data"
    _init(data_dir)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir)],
                              stdout=subprocess.PIPE, text=True)
    try:
        committed = [writer.stdout.readline().strip() for _ in range(30)]
        copies = []
        for n in range(3):
            dest = tmp_path / f"copy{n}.db"
            result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "backup", str(dest),
                                               "--json"])
            assert result.exit_code == 0, result.output
            assert json.loads(result.output)["integrity"] == "ok"
            copies.append((list(committed), dest))
            committed += [writer.stdout.readline().strip() for _ in range(20)]
    finally:
        writer.kill()
        writer.wait()
    for before, dest in copies:
        assert set(before) <= _ticket_ids(dest)


def test_backup_refuses_to_overwrite_without_force(tmp_path):
    data_dir = tmp_path / "data"
    _init(data_dir)
    dest = tmp_path / "copy.db"
    dest.write_text("keep me")
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "backup", str(dest)])
    assert result.exit_code != 0 and "--force" in str(result.exception)
    assert dest.read_text() == "keep me"
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "backup", str(dest), "--force"])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    _ticket_ids(dest)


def test_server_backup_sqlite_and_postgresql(tmp_path):
    db = f"sqlite:///{tmp_path}/server.db"
    runner = CliRunner()
    assert runner.invoke(main, ["server", "office", "add", "K1", "Satu", "--db", db]).exit_code == 0
    dest = tmp_path / "server-copy.db"
    result = runner.invoke(main, ["server", "backup", str(dest), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["integrity"] == "ok"
    conn = sqlite3.connect(dest)
    assert [r[0] for r in conn.execute("SELECT code FROM offices")] == ["K1"]
    conn.close()
    result = runner.invoke(main, ["server", "backup", str(dest), "--db", db])
    assert result.exit_code == 2 and "--force" in result.output
    result = runner.invoke(main, ["server", "backup", str(tmp_path / "x.db"),
                                  "--db", "postgresql://u@127.0.0.1/x"])
    assert result.exit_code == 2 and "pg_dump" in result.output
