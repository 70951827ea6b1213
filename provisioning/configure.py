"""Configuring a kiosk from a paired laptop: the laptop's payload and the kiosk's handling.

The laptop (``kiosk provision configure``) sends, over the paired channel, the settings a
technician chooses (office, city server, printer, role, LAN token, edge URL), the admin PIN
and the city's single-use enrollment token. The kiosk, in :func:`apply`:

1. builds the configuration on top of its current one and validates it
   (kiosk.config.from_dict: a bad value is a 422 naming the key, and nothing is written);
2. enrolls with the city server when one is set and a token came (sync.client.enroll).
   A refused token is a 422 (``enroll_token``) and nothing is written; no answer from the
   server (offline office) keeps the token in ``pending-enrollment.json`` (0600) for
   :func:`retry_pending_enrollment`, which the edge runs at start and the sync worker may run;
3. writes ``config.toml`` atomically (the PIN only as its scrypt hash);
4. queues a test receipt (real ESC/POS through the print queue and the edge's print worker;
   on a device that is not the edge, straight to its printer);
5. calls ``on_configured`` (the app leaves the setup page, the headless edge starts serving)
   and waits briefly for the receipt to print, so the technician hears how it went.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from provisioning.channel import write_private

if TYPE_CHECKING:
    from provisioning.service import SetupState

log = logging.getLogger(__name__)

PENDING_FILE = "pending-enrollment.json"
#: How long the kiosk waits for the test receipt before answering "queued".
PRINT_WAIT_S = 20.0
#: Sections a laptop may set (admin only through ``admin_pin``, hashed here).
SECTIONS = ("office", "device", "printer", "camera", "ui", "sync", "lan")


def payload(*, office: str, server: str, printer: str, role: str, admin_pin: str | None,
            name: str | None = None, timezone: str | None = None, lan_token: str | None = None,
            edge_url: str | None = None, enroll_token: str | None = None) -> dict[str, Any]:
    """What ``kiosk provision configure`` sends."""
    office_section: dict[str, Any] = {"code": office}
    if name:
        office_section["name"] = name
    if timezone:
        office_section["timezone"] = timezone.upper()
    lan: dict[str, Any] = {}
    if lan_token:
        lan["token"] = lan_token
    if edge_url is not None:
        lan["edge_url"] = edge_url
    return {"config": {"office": office_section, "sync": {"server": server},
                       "printer": {"uri": printer}, "device": {"roles": [role]}, "lan": lan},
            "admin_pin": admin_pin, "enroll_token": enroll_token}


def _refused(key: str, detail: str) -> tuple[int, dict]:
    return 422, {"error": "ConfigError", "field": key, "detail": f"{key}: {detail}"}


def build_config(data_dir: Path, body: dict[str, Any]) -> config_mod.Config:
    """The new configuration (validated), from the current one and the laptop's settings."""
    sections = body.get("config")
    if not isinstance(sections, dict):
        raise ConfigError("config", "must be a table of sections")
    current = (config_mod.load(data_dir) if config_mod.config_path(data_dir).exists()
               else config_mod.Config())
    merged = asdict(current)
    for section, values in sections.items():
        if section not in SECTIONS:
            raise ConfigError(str(section), f"cannot be set from the laptop; sections: "
                              f"{', '.join(SECTIONS)}")
        if not isinstance(values, dict):
            raise ConfigError(section, "must be a table ([section])")
        merged[section] = {**merged[section], **values}
    if not merged["office"].get("name") or (merged["office"]["name"] == config_mod.Office().name
                                            and "name" not in sections.get("office", {})):
        merged["office"]["name"] = f"Kelurahan {merged['office'].get('code', '')}".strip()
    config = config_mod.from_dict(merged)
    if not config.lan.token:
        config.lan.token = secrets.token_urlsafe(24)
    elif len(config.lan.token) < 16:
        raise ConfigError("lan.token", "must be at least 16 characters (the same on every "
                          "device of the office)")
    pin = body.get("admin_pin")
    if pin is not None and not isinstance(pin, str):
        raise ConfigError("admin.pin", "must be 4 to 8 digits")
    if pin:
        config.admin.pin_hash = config_mod.hash_pin(pin)
    elif not config.admin.pin_hash:
        raise ConfigError("admin.pin", "a new kiosk needs an admin PIN (4 to 8 digits)")
    return config


def apply(state: SetupState, body: dict[str, Any]) -> tuple[int, dict]:
    """The configure request on the kiosk; (HTTP status, answer)."""
    started = time.monotonic()
    data_dir = Path(state.data_dir)
    try:
        config = build_config(data_dir, body)
    except ConfigError as exc:
        return _refused(exc.key, exc.problem)
    sent_token = (body.get("config", {}).get("lan") or {}).get("token")
    token = body.get("enroll_token")
    if token is not None and not isinstance(token, str):
        return _refused("enroll_token", "must be text")
    enrollment = enroll_now(data_dir, config, token or "")
    if enrollment.get("refused"):
        return _refused("enroll_token", enrollment["detail"])
    config_mod.save(config, data_dir)
    log.info("configured: office %s, roles %s", config.office.code, config.device.roles)
    try:
        receipt = queue_test_receipt(data_dir, config)
    except Exception as exc:  # noqa: BLE001 - configured all the same; the technician is told
        log.exception("test receipt not queued")
        receipt = {"printer": config.printer.uri, "status": "failed", "detail": str(exc)}
    try:
        state.on_configured()
    except Exception as exc:  # noqa: BLE001 - configured all the same; say so
        log.exception("on_configured failed")
        receipt["warning"] = f"the kiosk did not restart its services: {exc}"
    if receipt.get("job_id"):
        receipt["status"] = wait_for_print(data_dir, receipt["job_id"], PRINT_WAIT_S)
    answer: dict[str, Any] = {
        "configured": True, "id": state.identity.short_id, "device_id": config.device.id,
        "office": config.office.code, "roles": config.device.roles,
        "config_file": str(config_mod.config_path(data_dir)), "enrollment": enrollment,
        "test_receipt": receipt, "seconds": round(time.monotonic() - started, 2)}
    if not sent_token:
        answer["lan_token"] = config.lan.token   # made here: the other devices need it
    return 200, answer


def enroll_now(data_dir: Path, config: config_mod.Config, token: str) -> dict[str, Any]:
    """Enroll with ``[sync] server`` using ``token``: ``enrolled``, ``pending`` (no answer:
    the token is kept for :func:`retry_pending_enrollment`), ``refused`` or ``skipped``."""
    from kiosk.db import open_db
    from sync.client.enroll import enroll
    from sync.client.errors import SyncError
    from sync.client.state import credentials

    server = config.sync.server
    if not server:
        return {"status": "skipped", "detail": "no [sync] server: this kiosk works alone"}
    if config.lan.edge_url:
        return {"status": "skipped", "detail": "not the office's edge: the edge syncs the "
                "office's records (keep the token for the edge)"}
    db = open_db(config_mod.db_path(data_dir))
    try:
        creds = credentials(db)
        if (creds is not None and creds.server.rstrip("/") == server.rstrip("/")
                and creds.office_code == config.office.code):
            # e.g. the laptop retried a configure whose answer it lost: the token is spent
            return {"status": "enrolled", "detail": "already enrolled with this server",
                    "office_code": creds.office_code, "device_id": creds.device_id}
        if not token:
            return {"status": "skipped", "detail": "no enrollment token given: run configure "
                    "again with --token T ('kiosk server enroll-token --office CODE')"}
        try:
            result = enroll(db, data_dir, server, token, config.device.id, timeout=10.0)
        except SyncError as exc:
            if exc.retry:
                write_private(Path(data_dir) / PENDING_FILE,
                              {"server": server, "token": token, "device_id": config.device.id})
                return {"status": "pending", "detail": f"{exc}; the kiosk enrolls when the "
                        "city server answers"}
            return {"status": "refused", "refused": True, "detail": str(exc)}
        (Path(data_dir) / PENDING_FILE).unlink(missing_ok=True)
        return {"status": "enrolled", "office_code": result.get("office_code"),
                "device_id": result.get("device_id")}
    finally:
        db.close()


def retry_pending_enrollment(data_dir: Path) -> dict[str, Any] | None:
    """Enroll with the token a configure left when the city server did not answer; None
    when there is none. Safe to call often: the file goes once enrolled or refused."""
    from kiosk.db import open_db
    from sync.client.enroll import enroll
    from sync.client.errors import SyncError

    path = Path(data_dir) / PENDING_FILE
    try:
        pending = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return {"status": "refused", "detail": f"{path} was damaged and is removed; "
                "configure the kiosk again with a new token"}
    db = open_db(config_mod.db_path(data_dir))
    try:
        enroll(db, data_dir, pending["server"], pending["token"], pending["device_id"],
               timeout=10.0)
    except SyncError as exc:
        if exc.retry:
            return {"status": "pending", "detail": str(exc)}
        path.unlink(missing_ok=True)
        log.error("enrollment refused: %s", exc)
        return {"status": "refused", "detail": str(exc)}
    finally:
        db.close()
    path.unlink(missing_ok=True)
    return {"status": "enrolled"}


def _test_receipt(config: config_mod.Config):
    from kiosk.clock import SystemClock, local_time
    from kiosk.receipt import Receipt

    when = local_time(SystemClock().now(), config.office.timezone)
    return Receipt(office_name=config.office.name, title="CETAK UJI",
                   big_number=config.office.code,
                   local_time=f"{when:%d-%m-%Y %H:%M} {config.office.timezone.upper()}",
                   qr=f"UJI-{config.device.id}",
                   lines=["Kios sudah dipasang dan siap digunakan.",
                          "The kiosk is set up and ready.",
                          f"Peran/role: {', '.join(config.device.roles)}"],
                   footer=["Terima kasih"])


def queue_test_receipt(data_dir: Path, config: config_mod.Config) -> dict[str, Any]:
    """On the edge: a job in the print queue (its print worker prints it, the outbox takes it
    to the city). Elsewhere: straight to this device's printer."""
    receipt = _test_receipt(config)
    if not config.lan.edge_url:
        from kiosk import print_queue
        from kiosk.db import write_tx
        from kiosk.runtime import open_runtime

        rt = open_runtime(data_dir)
        try:
            with write_tx(rt.db):
                job_id = print_queue.enqueue(rt.db, receipt, rt.now(), kind="test")
        finally:
            rt.close()
        return {"job_id": job_id, "printer": config.printer.uri, "status": "pending"}
    try:
        from devices.printer import open_printer

        printer = open_printer(config.printer.uri, paper_width_mm=config.printer.paper_width_mm)
        try:
            printer.print(printer.render(receipt))
        finally:
            printer.close()
    except Exception as exc:  # noqa: BLE001 - configured all the same; the technician is told
        return {"printer": config.printer.uri, "status": "failed", "detail": str(exc)}
    return {"printer": config.printer.uri, "status": "done"}


def wait_for_print(data_dir: Path, job_id: str, timeout_s: float) -> str:
    from kiosk import print_queue
    from kiosk.db import open_db

    deadline = time.monotonic() + timeout_s
    db = open_db(config_mod.db_path(data_dir), migrate=False)
    try:
        while True:
            status = print_queue.job_status(db, job_id)
            if status != "pending" or time.monotonic() > deadline:
                return status
            time.sleep(0.2)
    finally:
        db.close()
