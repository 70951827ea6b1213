"""Is this kiosk well, and what a technician needs to know about it, without secrets.

    health(data_dir)       -> {"status": "ok"|"degraded", "reasons": ["code: words", ...],
                               "codes": ["code", ...]}
    diagnostics(data_dir)  -> version, uptime, boot, disk, printer, camera, sync, clock,
                              roles, office, the configuration: everything passed through
                              :func:`redact` (ESPHome-style diagnostics).
    redact(value)          -> a copy with every secret replaced by "<redacted>"

Both read only local facts: files in the data directory, the database (opened without
creating it, never written), ``/proc`` and the file system. No network call and no device
is opened (a camera is "present" when its device node or replay folder exists), so the
unauthenticated ``GET /health`` of the setup service and the sync worker can ask often.
Neither ever raises: a missing or broken configuration or database is a *reason*, since a
sick kiosk is exactly when a technician asks.

A reason is one string, ``"<code>: <words>"``; the codes (:data:`CODES`) are stable, so
the fleet view and scripts match on them, while the words say what to do. The words are
English: they are for the technician's laptop and the city's fleet view, not for citizens.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import shutil
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk import config as config_mod
from kiosk.clock import SystemClock, read_boot_id
from provisioning import RESET_MARKER

#: Reason codes, stable across versions (the city's fleet view and scripts read them).
CODES = {
    "not_provisioned": "no config.toml: the device waits on its setup page",
    "reset_pending": "a factory reset was interrupted; it finishes at the next start",
    "config_invalid": "config.toml cannot be used",
    "database_missing": "no kiosk.db yet",
    "database_unreadable": "kiosk.db cannot be read",
    "printer_paper_out": "receipt printer out of paper",
    "printer_paper_near_end": "receipt printer paper nearly used up",
    "printer_cover_open": "receipt printer cover open",
    "printer_offline": "receipt printer offline",
    "printer_no_answer": "receipt printer does not answer",
    "sync_not_enrolled": "sync server set but the device is not enrolled",
    "sync_backlog_old": "records wait long for the city server",
    "sync_dead_letters": "the city server refused some records",
    "clock_unsynced": "the clock is not confirmed by the city server",
    "disk_nearly_full": "the data disk is nearly full",
    "camera_missing": "the camera this role needs is missing",
}

#: A backlog whose oldest record waits longer than this is worth a technician's look.
BACKLOG_OLD_S = 3600
#: "Nearly full": less free than this, or less than DISK_MIN_FREE_FRACTION of the disk.
DISK_MIN_FREE_BYTES = 256 * 1024 * 1024
DISK_MIN_FREE_FRACTION = 0.05
#: Roles that cannot work without their camera (the citizen kiosk can have codes typed).
#: Only for a device configured with its roles: the default, every role, says nothing.
CAMERA_ROLES = ("attendance",)
#: systemd-timesyncd touches this file once the system clock is synchronised.
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")

REDACTED = "<redacted>"
#: Words that make a key secret, matched against the parts of a key split at _ - . and
#: camelCase: token, lan_token, pin_hash, enroll-token, secret, apiKey, password...
SECRET_WORDS = frozenset({"token", "pin", "hash", "secret", "key", "password", "passwd",
                          "credential", "credentials", "seed", "private", "signature",
                          "nonce", "authorization", "cookie"})
_STARTED = time.monotonic()
_WORD_SPLIT = re.compile(r"[_\-.\s]+|(?<=[a-z])(?=[A-Z])")
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<userinfo>[^/@\s]*)@")


@functools.cache
def software_version() -> str:
    try:
        return importlib.metadata.version("kelurahan-kiosk")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


# -- redaction ------------------------------------------------------------------------------

def is_secret_key(key: str) -> bool:
    return any(word.lower() in SECRET_WORDS for word in _WORD_SPLIT.split(str(key)) if word)


def redact_url(url: str) -> str:
    """``https://user:pw@host/x`` -> ``https://<redacted>@host/x``; other text unchanged."""
    return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", url)


def redact(value: Any, secrets: tuple[str, ...] | list[str] = ()) -> Any:
    """A copy of ``value`` (dicts, lists, strings, numbers) fit to show or send.

    - a value under a secret-sounding key (:func:`is_secret_key`) becomes "<redacted>" (an
      empty one stays empty, so "no LAN token set" still shows);
    - any URL's userinfo (``user:password@``) is cut out of every string;
    - every occurrence of a known secret (``secrets``: e.g. the LAN token) in any string is
      replaced, so one quoted in an error message does not leak either.
    """
    known = tuple(s for s in secrets if isinstance(s, str) and len(s) >= 4)
    return _redact(value, known)


def _redact(value: Any, known: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if is_secret_key(k) and v not in (None, "", [], {}):
                out[k] = REDACTED if not isinstance(v, (dict, list)) else _all_redacted(v)
            else:
                out[k] = _redact(v, known)
        return out
    if isinstance(value, (list, tuple)):
        return [_redact(v, known) for v in value]
    if isinstance(value, str):
        text = redact_url(value)
        for secret in known:
            text = text.replace(secret, REDACTED)
        return text
    return value


def _all_redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _all_redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_all_redacted(v) for v in value]
    return REDACTED


# -- reading the device ---------------------------------------------------------------------

def _reason(code: str, words: str) -> str:
    return f"{code}: {words}"


def _load_config(data_dir: Path) -> tuple[config_mod.Config | None, str | None]:
    """(config, None), or (None, the problem) for a missing or unusable config.toml."""
    if not config_mod.config_path(data_dir).exists():
        return None, None
    try:
        return config_mod.load(data_dir), None
    except Exception as exc:  # noqa: BLE001 - ConfigError, or worse: a reason, never a raise
        return None, str(exc)


def _open_db(data_dir: Path) -> sqlite3.Connection | None:
    """The kiosk database, never created and never written here (None when there is none)."""
    path = config_mod.db_path(data_dir)
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=2.0,
                           check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=2000")
    conn.execute("PRAGMA query_only=ON")
    return conn


def disk(data_dir: Path) -> dict[str, Any]:
    """Free and total bytes of the file system holding the data directory."""
    path = Path(data_dir)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"free_bytes": None, "total_bytes": None, "error": str(exc)}
    return {"free_bytes": usage.free, "total_bytes": usage.total}


def camera_state(cfg: config_mod.Config | None) -> dict[str, Any]:
    """Whether the configured camera is there, judged from the file system only: a V4L2
    node or a replay folder exists (a network stream is not dialled: "unchecked")."""
    if cfg is None:
        return {"source": None, "state": "not_configured", "needed": False}
    source = cfg.camera.source
    roles = list(cfg.device.roles)
    # All roles is the default ("not said"); a device configured for attendance needs it.
    needed = sorted(roles) != sorted(config_mod.ROLES) and any(r in roles for r in CAMERA_ROLES)
    path: str | None
    if source.isdigit():
        path = f"/dev/video{source}"
    elif source.startswith("replay:"):
        path = source[len("replay:"):].split("?", 1)[0]
    elif source.startswith("/"):
        path = source
    else:
        return {"source": redact_url(source), "state": "unchecked", "needed": needed,
                "detail": "a network camera is not dialled by a health check"}
    present = os.path.exists(path)
    return {"source": redact_url(source), "path": path, "needed": needed,
            "state": "present" if present else "missing"}


def _printer(db: sqlite3.Connection) -> dict[str, Any]:
    row = db.execute("SELECT state, detail, checked_ms FROM printer_state"
                     " ORDER BY checked_ms DESC LIMIT 1").fetchone()
    pending = db.execute("SELECT count(*) FROM print_jobs WHERE status = 'pending'").fetchone()[0]
    if row is None:
        return {"state": "unknown", "detail": "the printer has not been checked yet",
                "checked_ms": None, "pending_jobs": pending}
    return {"state": row[0], "detail": row[1], "checked_ms": row[2], "pending_jobs": pending}


def _sync(db: sqlite3.Connection, cfg: config_mod.Config | None) -> dict[str, Any]:
    """The backlog and the last good push, read as sync.client.status reads them."""
    import sqlite_utils

    from sync.client import clock_check, state

    sdb = sqlite_utils.Database(db)
    now = SystemClock().now()
    backlog, oldest_ms = db.execute(
        "SELECT count(*), min(wall_ms) FROM outbox WHERE acked_ms IS NULL").fetchone()
    oldest = db.execute("SELECT wall_ms, mono_ns, boot_id FROM outbox WHERE acked_ms IS NULL"
                        " ORDER BY seq LIMIT 1").fetchone()
    age_s = None
    if oldest:
        age_s = ((now.mono_ns - oldest[1]) / 1e9 if oldest[2] == now.boot_id
                 else max(0.0, (now.wall_ms - oldest[0]) / 1000))
    creds = state.credentials(sdb)
    dead = db.execute("SELECT count(*) FROM sync_dead_letters").fetchone()[0] \
        if _has_table(db, "sync_dead_letters") else 0
    return {
        "server": (cfg.sync.server if cfg else "") or (creds.server if creds else ""),
        "enrolled": creds is not None,
        "backlog": backlog,
        "oldest_pending_ms": oldest[0] if oldest else None,
        "oldest_pending_age_s": round(age_s, 3) if age_s is not None else None,
        "last_good_push_ms": state.get_int(sdb, state.LAST_PUSH_MS),
        "last_pull_ms": state.get_int(sdb, state.LAST_PULL_MS),
        "last_error": state.get_json(sdb, state.LAST_ERROR),
        "dead_letters": dead,
        "clock": clock_check.clock_state(sdb, now),
    }


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (name,)).fetchone() is not None


def _clock(sync: dict[str, Any] | None, cfg: config_mod.Config | None) -> dict[str, Any]:
    """``synced`` (the city server confirmed it this boot or it agrees with the last good
    time), ``unsynced`` (it did not: records are flagged time_uncertain) or ``unknown`` (no
    city server to ask; systemd-timesyncd's flag says ``synced`` where it exists)."""
    judged = (sync or {}).get("clock")
    if cfg is not None and cfg.sync.server and judged is not None:
        return {"state": "unsynced" if judged["time_uncertain"] else "synced",
                "offset_ms": judged.get("offset_ms"), "reason": judged.get("reason"),
                "last_good_ms": judged.get("last_good_ms"), "source": "city server"}
    if TIMESYNC_FLAG.exists():
        return {"state": "synced", "offset_ms": None, "reason": None, "source": "ntp"}
    return {"state": "unknown", "offset_ms": None, "reason": "no city server to compare with",
            "source": None}


def _uptime_s() -> float | None:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# -- the two answers ------------------------------------------------------------------------

def _facts(data_dir: Path) -> dict[str, Any]:
    """Everything both answers use, with the problems found on the way as reasons."""
    data_dir = Path(data_dir)
    reasons: list[str] = []
    facts: dict[str, Any] = {"reasons": reasons}
    if (data_dir / RESET_MARKER).exists():
        reasons.append(_reason("reset_pending", "a factory reset was interrupted; restart "
                               "the kiosk to finish it"))
    cfg, problem = _load_config(data_dir)
    facts["config"] = cfg
    if problem is not None:
        reasons.append(_reason("config_invalid", f"{problem}; fix config.toml or configure "
                               "the device again with 'kiosk provision configure'"))
    elif cfg is None:
        reasons.append(_reason("not_provisioned", "no config.toml: pair and configure this "
                               "device with 'kiosk provision pair' and 'configure'"))
    facts["disk"] = disk(data_dir)
    free, total = facts["disk"]["free_bytes"], facts["disk"]["total_bytes"]
    if free is not None and total and (free < DISK_MIN_FREE_BYTES
                                       or free < DISK_MIN_FREE_FRACTION * total):
        reasons.append(_reason("disk_nearly_full", f"only {free // (1024 * 1024)} MB free of "
                               f"{total // (1024 * 1024)} MB; free space on the SD card"))
    facts["camera"] = camera_state(cfg)
    if facts["camera"]["needed"] and facts["camera"]["state"] == "missing":
        reasons.append(_reason("camera_missing", f"{facts['camera']['path']} is missing; the "
                               "attendance role needs its camera: check the USB cable"))
    facts["printer"] = facts["sync"] = None
    is_edge = cfg is not None and not cfg.lan.edge_url
    if cfg is not None and not is_edge:
        facts["database"] = "on the edge"   # a LAN client's queue and outbox are the edge's
    else:
        _read_database(data_dir, cfg, facts, reasons)
    facts["clock"] = _clock(facts["sync"], cfg)
    if facts["clock"]["state"] == "unsynced":
        reasons.append(_reason("clock_unsynced", f"{facts['clock']['reason']}; records are "
                               "marked time-uncertain until the next sync"))
    return facts


def _read_database(data_dir: Path, cfg: config_mod.Config | None, facts: dict[str, Any],
                   reasons: list[str]) -> None:
    try:
        db = _open_db(data_dir)
    except Exception as exc:  # noqa: BLE001 - a reason, never a raise
        facts["database"] = "unreadable"
        reasons.append(_reason("database_unreadable", f"{exc}; restore kiosk.db from a backup "
                               "or factory-reset the device"))
        return
    if db is None:
        facts["database"] = "missing"
        if cfg is not None:
            reasons.append(_reason("database_missing", "no kiosk.db yet: it is made when the "
                                   "kiosk first starts ('kiosk run' or 'kiosk edge serve')"))
        return
    try:
        facts["database"] = "ok"
        facts["printer"] = _printer(db)
        facts["sync"] = _sync(db, cfg)
    except Exception as exc:  # noqa: BLE001 - corrupt, not a database, or an old schema
        facts["database"] = "unreadable"
        reasons.append(_reason("database_unreadable", f"kiosk.db: {exc}; restore it from a "
                               "backup or factory-reset the device"))
        return
    finally:
        db.close()
    state = facts["printer"]["state"]
    if f"printer_{state}" in CODES:
        reasons.append(_reason(f"printer_{state}", f"{facts['printer']['detail']}; "
                               f"{facts['printer']['pending_jobs']} receipts wait"))
    sync = facts["sync"]
    if cfg is not None and cfg.sync.server:
        if not sync["enrolled"]:
            reasons.append(_reason("sync_not_enrolled", "enroll the device: 'kiosk enroll "
                                   "--server URL --token T' with a token from the city office"))
        age = sync["oldest_pending_age_s"]
        if age is not None and age > BACKLOG_OLD_S:
            reasons.append(_reason("sync_backlog_old", f"{sync['backlog']} records not sent, "
                                   f"the oldest for {age / 3600:.1f} h; check the network and "
                                   "'kiosk sync status'"))
        if sync["dead_letters"]:
            reasons.append(_reason("sync_dead_letters", f"{sync['dead_letters']} records "
                                   "refused by the city server; see 'kiosk sync dead-letters'"))


def known_secrets(data_dir: Path) -> list[str]:
    """The secret values of config.toml (the LAN token, the PIN hash...), read as plain
    TOML so that even a config.toml too broken to load cannot leak them through a reason
    that quotes it. Empty when there is no readable file."""
    import tomllib

    try:
        raw = tomllib.loads(config_mod.config_path(data_dir).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - nothing readable, nothing to hide
        return []
    found: list[str] = []

    def walk(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, secret or is_secret_key(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, secret)
        elif secret and isinstance(value, str) and value:
            found.append(value)

    walk(raw, False)
    return found


def health(data_dir: Path) -> dict[str, Any]:
    """ok, or degraded with the reasons (see :data:`CODES`). Never raises. The answer of an
    unauthenticated endpoint: reasons are redacted as diagnostics are."""
    try:
        reasons = _facts(Path(data_dir))["reasons"]
    except Exception as exc:  # noqa: BLE001 - the last resort: still an answer
        reasons = [_reason("database_unreadable", f"the health check itself failed: {exc}")]
    reasons = redact(list(reasons), known_secrets(Path(data_dir)))
    return {"status": "degraded" if reasons else "ok", "reasons": reasons,
            "codes": [r.split(":", 1)[0] for r in reasons]}


def diagnostics(data_dir: Path) -> dict[str, Any]:
    """What a technician (and the city's fleet view) needs to know, secrets redacted."""
    data_dir = Path(data_dir)
    try:
        facts = _facts(data_dir)
    except Exception as exc:  # noqa: BLE001
        facts = {"reasons": [_reason("database_unreadable", f"the check failed: {exc}")],
                 "config": None, "disk": disk(data_dir), "camera": None, "printer": None,
                 "sync": None, "clock": None, "database": "unknown"}
    cfg: config_mod.Config | None = facts["config"]
    reasons = facts["reasons"]
    sync = facts["sync"]
    clock = facts["clock"] or {}
    report = {
        "version": software_version(),
        "uptime_s": _uptime_s(),
        "process_uptime_s": round(time.monotonic() - _STARTED, 3),
        "boot_id": read_boot_id(),
        "provisioned": cfg is not None,
        "office_code": cfg.office.code if cfg else None,
        "device_id": cfg.device.id if cfg else None,
        "roles": list(cfg.device.roles) if cfg else [],
        "edge": (not cfg.lan.edge_url) if cfg else None,
        "health": {"status": "degraded" if reasons else "ok", "reasons": list(reasons),
                   "codes": [r.split(":", 1)[0] for r in reasons]},
        "disk_free_bytes": facts["disk"].get("free_bytes"),
        "disk_total_bytes": facts["disk"].get("total_bytes"),
        "database": facts.get("database"),
        "printer": facts["printer"],
        "camera": facts["camera"],
        "sync": None if sync is None else {k: v for k, v in sync.items() if k != "clock"},
        "clock": {"state": clock.get("state"), "offset": clock.get("offset_ms"),
                  "offset_ms": clock.get("offset_ms"), "reason": clock.get("reason"),
                  "source": clock.get("source")},
        "config": asdict(cfg) if cfg else None,
    }
    known = [cfg.lan.token, cfg.admin.pin_hash] if cfg else []
    return redact(report, known + known_secrets(data_dir))


def report(data_dir: Path) -> dict[str, Any]:
    """The health report the sync worker sends to the city (``POST /devices/health``):
    ``{"status", "reasons", "diagnostics"}``, redacted like :func:`diagnostics`."""
    diag = diagnostics(data_dir)
    return {"status": diag["health"]["status"], "reasons": diag["health"]["reasons"],
            "diagnostics": diag}
