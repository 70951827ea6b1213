"""Real processes for sync tests and the benchmark: the city server under uvicorn (via
``kiosk server``), kiosks driven through the ``kiosk`` command, and a fresh PostgreSQL schema."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
KIOSK = [sys.executable, "-c",
         "import sys; from kiosk.cli import entry; sys.argv[0] = 'kiosk'; entry()"]
ADMIN = "admin-secret"
PG_BASE = "postgresql://{user}@127.0.0.1:5432/test"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = f"{ROOT}{os.pathsep}{e.get('PYTHONPATH', '')}"
    e.pop("KIOSK_DATA_DIR", None)
    return e


def pg_url() -> str | None:
    """A URL that reaches the local PostgreSQL, or None."""
    try:
        import psycopg
    except ImportError:
        return None
    for user in ("postgres", "root"):
        url = PG_BASE.format(user=user)
        try:
            with psycopg.connect(url, connect_timeout=2):
                return url
        except Exception:
            continue
    return None


@contextlib.contextmanager
def pg_schema(base: str) -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    import psycopg

    schema = f"sync_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``kiosk server --db URL`` as a child process; restartable on the same port."""

    def __init__(self, db_url: str, data_dir: Path, port: int | None = None,
                 workers: int = 1) -> None:
        self.db_url = db_url
        self.data_dir = data_dir
        self.port = port or free_port()
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.log = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*KIOSK, "--data-dir", str(self.data_dir), "server", "--db", self.db_url,
                 "--port", str(self.port), "--admin-token", ADMIN, "--log-level", "warning",
                 "--workers", str(self.workers)],
                stdout=log, stderr=subprocess.STDOUT, env=env(), start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/sync/meta", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def admin(self, method: str, path: str, body=None) -> dict:
        resp = httpx.request(method, f"{self.url}{path}", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {ADMIN}"})
        resp.raise_for_status()
        return resp.json()

    def enroll_token(self, office: str) -> str:
        return self.admin("POST", "/admin/enroll-tokens", {"office_code": office})["token"]


def kiosk(data_dir: Path, *args: str, timeout: float = 300, check: bool = True) -> dict:
    """Run one ``kiosk`` command for a kiosk data directory; its JSON output, parsed."""
    res = subprocess.run([*KIOSK, "--data-dir", str(data_dir), *args], capture_output=True,
                         text=True, env=env(), timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"kiosk {' '.join(args)} -> {res.returncode}\n{res.stdout}\n{res.stderr}")
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
    out = json.loads(lines[-1]) if lines else {}
    out["_returncode"] = res.returncode
    return out


def kiosk_popen(data_dir: Path, *args: str, log: Path | None = None) -> subprocess.Popen:
    """A ``kiosk`` command in the background; a long-running one writes to ``log`` (a pipe
    nobody reads would fill up and stall it)."""
    out = open(log, "ab") if log else subprocess.PIPE  # noqa: SIM115 (closed with the process)
    return subprocess.Popen([*KIOSK, "--data-dir", str(data_dir), *args], env=env(),
                            stdout=out, stderr=subprocess.STDOUT if log else subprocess.PIPE,
                            text=not log, start_new_session=True)


def write(data_dir: Path, n: int, size: int = 40) -> None:
    subprocess.run([sys.executable, "-m", "tests.sync_support.writer", str(data_dir), str(n),
                    str(size)], check=True, env=env(), cwd=ROOT, timeout=300)


def new_kiosk(root: Path, name: str, server: ServerProcess, office: str, *,
              records: int = 0, size: int = 40, via_cli: bool = False) -> Path:
    """An enrolled kiosk data directory with ``records`` committed print jobs.

    ``via_cli``: init and enroll through the ``kiosk`` command (slower: a process each);
    otherwise through the same library calls in this process.
    """
    data_dir = root / name
    if via_cli:
        kiosk(data_dir, "init", "--office-code", office)
        kiosk(data_dir, "enroll", "--server", server.url, "--token", server.enroll_token(office))
        if records:
            write(data_dir, records, size)
        return data_dir
    from kiosk.config import load
    from kiosk.db import open_db
    from kiosk.demo import init_empty
    from sync.client import enroll
    from tests.sync_support.records import write_jobs

    init_empty(data_dir, office)
    db = open_db(data_dir / "kiosk.db")
    try:
        enroll(db, data_dir, server.url, server.enroll_token(office), load(data_dir).device.id)
        from kiosk.clock import SystemClock

        clock = SystemClock()
        for start in range(0, records, 5000):
            write_jobs(db, clock, min(5000, records - start), size=size)
    finally:
        db.close()
    return data_dir


def local_status(data_dir: Path) -> dict:
    """Pending and dead-letter counts straight from the kiosk's file (no process start)."""
    conn = sqlite3.connect(data_dir / "kiosk.db")
    try:
        pending = conn.execute("SELECT count(*) FROM outbox WHERE acked_ms IS NULL").fetchone()[0]
        dead = conn.execute("SELECT count(*) FROM sync_dead_letters").fetchone()[0]
    finally:
        conn.close()
    return {"pending": pending, "dead_letters": dead}


def _canon(payload) -> str:
    value = json.loads(payload) if isinstance(payload, str) else payload
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def kiosk_side(data_dir: Path) -> tuple[str, int, str]:
    """(device_id, count, checksum) of every change the kiosk committed."""
    conn = sqlite3.connect(data_dir / "kiosk.db")
    try:
        device = conn.execute("SELECT device_id FROM sync_credentials").fetchone()[0]
        rows = conn.execute("SELECT seq, payload FROM outbox").fetchall()
    finally:
        conn.close()
    return device, len(rows), _checksum(rows)


def server_side(db_url: str, device_id: str) -> tuple[int, str]:
    """(count, checksum) of what the server stores for one device."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split("sqlite:///", 1)[1])
        try:
            rows = conn.execute("SELECT device_seq, payload FROM changes WHERE device_id = ?",
                                (device_id,)).fetchall()
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(db_url) as conn:
            rows = conn.execute("SELECT device_seq, payload FROM changes WHERE device_id = %s",
                                (device_id,)).fetchall()
    return len(rows), _checksum(rows)


def _checksum(rows) -> str:
    lines = sorted(f"{seq}\t{_canon(p)}" for seq, p in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# -- processes as /proc shows them (psutil is not a dependency) ------------------------------

def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (e.g. the server's workers)."""
    parents: dict[int, int] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                parents[int(p.name)] = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [c for c, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """The PostgreSQL processes on this machine (the cluster's, not only ours)."""
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if (p / "comm").read_text().startswith("postgres"):
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids
