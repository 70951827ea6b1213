"""Configuration: one TOML file, ``config.toml``, in the data directory.

The data directory is platformdirs' user data dir for ``kelurahan-kiosk`` unless
``--data-dir`` (or ``KIOSK_DATA_DIR``) says otherwise; it holds ``config.toml``,
``kiosk.db`` and the device's identity key. Every problem is reported as
:class:`~kiosk.errors.ConfigError` naming the key, e.g.
``config: office.timezone: 'CET' is not WIB, WITA or WIT``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
import tomli_w

from kiosk.clock import ZONES
from kiosk.errors import ConfigError
from kiosk.ids import new_id

ROLES = ("citizen", "display", "counter", "attendance", "admin")
LANGUAGES = ("id", "en")
PRINTER_SCHEMES = ("usb", "tcp", "serial", "file", "dummy")
QR_BACKENDS = ("zxing", "pyzbar")
CAMERA_SOURCES = ('"0" (/dev/video0), "/dev/video2", "rtsp://HOST/stream" or '
                  '"replay:/path/to/images"')
CONFIG_NAME = "config.toml"
DB_NAME = "kiosk.db"
#: Ten years: more is a typo (and a huge number overflows the date arithmetic).
MAX_KEEP_ACKED_DAYS = 3650


def default_data_dir() -> Path:
    env = os.environ.get("KIOSK_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("kelurahan-kiosk"))


@dataclass
class Office:
    code: str = "DEMO"
    name: str = "Kelurahan Contoh"
    timezone: str = "WIB"


@dataclass
class Device:
    id: str = field(default_factory=new_id)
    roles: list[str] = field(default_factory=lambda: list(ROLES))


@dataclass
class Printer:
    uri: str = "dummy://"
    paper_width_mm: int = 80
    a4_uri: str = ""      # the A4 printer for letters: cups://QUEUE or file:///DIR ("": none)


@dataclass
class Camera:
    source: str = "0"             # "0" = /dev/video0; a device path, rtsp:// URL or replay:DIR
    qr_backend: str = "zxing"     # zxing (zxing-cpp) or pyzbar (needs libzbar0)
    width: int = 640
    height: int = 480


@dataclass
class UI:
    language: str = "id"
    fullscreen: bool = True
    idle_seconds: int = 60


@dataclass
class Admin:
    pin_hash: str = ""


@dataclass
class Sync:
    server: str = ""
    keep_acked_days: int = 14


@dataclass
class Lan:
    """The office LAN API (sync/lan): the edge serves it, counters and boards use it."""

    token: str = ""       # shared secret set at provisioning; the same on every device of the office
    port: int = 8765
    edge_url: str = ""    # "": this device is the edge; "auto": find it with zeroconf; or its URL


@dataclass
class FaceConfig:
    """The attendance terminal's face check (devices.face); whether it is asked for is the
    office setting attendance.face, sent down by the city."""

    detector_model: str = ""      # the YuNet .onnx file; "" = the one shipped with the kiosk


@dataclass
class Config:
    office: Office = field(default_factory=Office)
    device: Device = field(default_factory=Device)
    printer: Printer = field(default_factory=Printer)
    camera: Camera = field(default_factory=Camera)
    ui: UI = field(default_factory=UI)
    admin: Admin = field(default_factory=Admin)
    sync: Sync = field(default_factory=Sync)
    lan: Lan = field(default_factory=Lan)
    face: FaceConfig = field(default_factory=FaceConfig)

    def check_pin(self, pin: str) -> bool:
        return bool(self.admin.pin_hash) and verify_pin(pin, self.admin.pin_hash)


_SECTIONS = {"office": Office, "device": Device, "printer": Printer, "camera": Camera,
             "ui": UI, "admin": Admin, "sync": Sync, "lan": Lan,
             "face": FaceConfig}


def hash_pin(pin: str) -> str:
    """scrypt (stdlib hashlib) with a random salt: a stolen SD card does not reveal the PIN."""
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ConfigError("admin.pin", "the PIN must be 4 to 8 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def load(data_dir: Path) -> Config:
    path = Path(data_dir) / CONFIG_NAME
    if not path.exists():
        raise ConfigError("(file)", f"{path} does not exist; run 'kiosk init' or 'kiosk init --demo'")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(file)", f"{path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("(file)", f"{path} is not UTF-8 text (byte {exc.start}); save it as "
                          "UTF-8 in an editor") from exc
    except IsADirectoryError as exc:
        raise ConfigError("(file)", f"{path} is a directory, not a file; remove it and run "
                          "'kiosk init'") from exc
    except OSError as exc:
        raise ConfigError("(file)", f"{path} cannot be read: {exc.strerror or exc}") from exc
    return from_dict(raw)


def from_dict(raw: dict[str, Any]) -> Config:
    config = Config()
    for section, value in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(section, f"unknown section; known: {', '.join(_SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(section, "must be a table ([section])")
        target = getattr(config, section)
        for key, item in value.items():
            if not hasattr(target, key):
                known = ", ".join(asdict(target))
                raise ConfigError(f"{section}.{key}", f"unknown key; known: {known}")
            expected = type(getattr(target, key))
            if expected is int and isinstance(item, bool) or not isinstance(item, expected):
                raise ConfigError(f"{section}.{key}",
                                  f"must be {expected.__name__}, got {type(item).__name__} {item!r}")
            setattr(target, key, item)
    validate(config)
    return config


def validate(config: Config) -> None:
    o = config.office
    if o.timezone.upper() not in ZONES:
        raise ConfigError("office.timezone", f"{o.timezone!r} is not WIB, WITA or WIT")
    if not o.code or not o.code.replace("-", "").isalnum():
        raise ConfigError("office.code", f"{o.code!r} must be letters and digits, e.g. DEMO or 6472011001")
    for role in config.device.roles:
        if role not in ROLES:
            raise ConfigError("device.roles", f"{role!r} is not a role; roles: {', '.join(ROLES)}")
    scheme = config.printer.uri.split("://", 1)[0] if "://" in config.printer.uri else ""
    if scheme not in PRINTER_SCHEMES:
        raise ConfigError("printer.uri", f"{config.printer.uri!r} is not a printer URI; use usb://VID:PID, "
                          "tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=9600, file:///path or dummy://")
    if config.printer.paper_width_mm not in (58, 80):
        raise ConfigError("printer.paper_width_mm", "must be 58 or 80")
    _check_camera(config.camera)
    if config.ui.language not in LANGUAGES:
        raise ConfigError("ui.language", f"{config.ui.language!r}: use 'id' or 'en'")
    if not 10 <= config.ui.idle_seconds <= 3600:
        raise ConfigError("ui.idle_seconds", "must be between 10 and 3600")
    if config.sync.server:
        _check_url("sync.server", config.sync.server)
    if not 1 <= config.sync.keep_acked_days <= MAX_KEEP_ACKED_DAYS:
        raise ConfigError("sync.keep_acked_days",
                          f"{config.sync.keep_acked_days} must be from 1 to {MAX_KEEP_ACKED_DAYS} days")
    if not 1 <= config.lan.port <= 65535:
        raise ConfigError("lan.port", f"{config.lan.port} is not a TCP port (1 to 65535)")
    if config.lan.edge_url not in ("", "auto") and not config.lan.edge_url.startswith(("http://", "https://")):
        raise ConfigError("lan.edge_url", f"{config.lan.edge_url!r} must be empty (this device is the edge), "
                          "'auto' (find the edge with zeroconf) or a URL such as http://192.168.1.10:8765")
    if config.lan.edge_url not in ("", "auto"):
        _check_url("lan.edge_url", config.lan.edge_url)


def _check_camera(camera: Camera) -> None:
    """The form of the source (devices.camera.source reads its replay options); the camera
    itself may be unplugged now: that is its status at run time, not a config mistake."""
    source = camera.source
    if not (source.isdigit() or source.startswith(("/", "rtsp://", "http://", "https://"))
            or (source.startswith("replay:") and len(source) > len("replay:"))):
        raise ConfigError("camera.source", f"{source!r} is not a camera source; use {CAMERA_SOURCES}")
    if camera.qr_backend not in QR_BACKENDS:
        raise ConfigError("camera.qr_backend", f"{camera.qr_backend!r}: use \"zxing\" or \"pyzbar\"")
    if not 160 <= camera.width <= 4096:
        raise ConfigError("camera.width", f"{camera.width} must be from 160 to 4096 pixels, e.g. 640")
    if not 120 <= camera.height <= 4096:
        raise ConfigError("camera.height", f"{camera.height} must be from 120 to 4096 pixels, e.g. 480")


def _check_url(key: str, url: str) -> None:
    """An http(s) URL whose host and port parse, e.g. not ``http://[::1`` (an unclosed bracket)."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(key, f"{url!r} must start with http:// or https://")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or too big
    except ValueError as exc:
        raise ConfigError(key, f"{url!r} is not a valid URL ({exc}); e.g. https://sync.kota.go.id") from exc
    if not parts.hostname:
        raise ConfigError(key, f"{url!r} has no host name; e.g. https://sync.kota.go.id")


def save(config: Config, data_dir: Path) -> Path:
    """Write atomically (temp file + rename), so a power cut never leaves half a config.
    Mode 0600 from the first byte: it holds the office LAN token and the PIN's hash."""
    validate(config)
    path = Path(data_dir) / CONFIG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()               # a leftover of a power cut, maybe with a looser mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as fh:
        tomli_w.dump(asdict(config), fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def config_path(data_dir: Path) -> Path:
    return Path(data_dir) / CONFIG_NAME


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME
