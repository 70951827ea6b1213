"""Printer URIs, as written in ``printer.uri`` of config.toml.

    usb://04b8:0e15                     USB vendor:product id (hex), optional ?in_ep=0x82&out_ep=0x01
    tcp://192.168.1.50:9100             network printer (port 9100 when left out)
    serial:///dev/ttyUSB0?baudrate=9600 serial port (baudrate 9600 when left out)
    file:///dev/usb/lp0                 a device file or a plain file (appended to)
    dummy://                            keeps the bytes in memory (no printer attached)

Every URI may add ``profile=NAME`` (a python-escpos capability profile, e.g. TM-T20II or
POS-5890) and ``qr=native|image`` to force how QR codes are printed. Each mistake is a
ConfigError naming ``printer.uri`` and saying what a correct URI looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from kiosk.errors import ConfigError

KEY = "printer.uri"
EXAMPLES = ("use usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=9600, "
            "file:///path or dummy://")
_COMMON = {"profile", "qr"}
_ALLOWED = {
    "usb": _COMMON | {"in_ep", "out_ep"},
    "tcp": _COMMON,
    "serial": _COMMON | {"baudrate"},
    "file": _COMMON,
    "dummy": _COMMON,
}


@dataclass(frozen=True)
class PrinterURI:
    raw: str
    scheme: str
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    path: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> str | None:
        return self.options.get("profile")

    @property
    def qr_mode(self) -> str | None:
        return self.options.get("qr")


def _bad(uri: str, problem: str) -> ConfigError:
    return ConfigError(KEY, f"{uri!r}: {problem}")


def _int(uri: str, name: str, text: str, base: int = 10) -> int:
    try:
        return int(text, base)
    except ValueError:
        raise _bad(uri, f"{name} {text!r} is not a number") from None


def parse_uri(uri: str) -> PrinterURI:
    if not isinstance(uri, str) or "://" not in uri:
        raise _bad(str(uri), f"is not a printer URI; {EXAMPLES}")
    scheme = uri.split("://", 1)[0].lower()
    if scheme not in _ALLOWED:
        raise _bad(uri, f"unknown scheme {scheme!r}; {EXAMPLES}")
    parts = urlsplit(uri)
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _bad(uri, f"the query {parts.query!r} is not key=value&key=value") from None
    options = dict(pairs)
    unknown = set(options) - _ALLOWED[scheme]
    if unknown:
        raise _bad(uri, f"unknown option(s) {', '.join(sorted(unknown))} for {scheme}://; "
                        f"allowed: {', '.join(sorted(_ALLOWED[scheme]))}")
    if options.get("qr", "native") not in ("native", "image"):
        raise _bad(uri, f"qr={options['qr']!r}: use qr=native or qr=image")
    if "profile" in options:
        from escpos.capabilities import get_profile

        try:
            get_profile(options["profile"])
        except Exception:  # python-escpos raises its own NotSupported/KeyError variants
            raise _bad(uri, f"profile {options['profile']!r} is not a python-escpos printer "
                            "profile (e.g. default, TM-T20II, TM-T88V, POS-5890)") from None

    if scheme == "tcp":
        if not parts.hostname:
            raise _bad(uri, "no host; write tcp://HOST:9100, e.g. tcp://192.168.1.50:9100")
        try:
            port = parts.port or 9100
        except ValueError:
            raise _bad(uri, "the port is not a number between 1 and 65535") from None
        return PrinterURI(uri, scheme, host=parts.hostname, port=port, options=options)
    if scheme == "usb":
        ids = parts.netloc or parts.path.lstrip("/")
        if ids.count(":") != 1:
            raise _bad(uri, "write usb://VID:PID in hex, e.g. usb://04b8:0e15 (see lsusb)")
        vid, pid = ids.split(":")
        vendor, product = _int(uri, "vendor id", vid, 16), _int(uri, "product id", pid, 16)
        if not (0 < vendor <= 0xFFFF and 0 < product <= 0xFFFF):
            raise _bad(uri, "vendor and product ids are 4 hex digits each, e.g. usb://04b8:0e15")
        for ep in ("in_ep", "out_ep"):
            if ep in options:
                _int(uri, ep, options[ep], 0)
        return PrinterURI(uri, scheme, vendor_id=vendor, product_id=product, options=options)
    if scheme in ("serial", "file"):
        if parts.netloc:
            raise _bad(uri, f"use three slashes and an absolute path, e.g. {scheme}:///dev/ttyUSB0")
        if not parts.path.startswith("/") or parts.path == "/":
            raise _bad(uri, f"needs an absolute path, e.g. {scheme}:///dev/ttyUSB0")
        if "baudrate" in options and _int(uri, "baudrate", options["baudrate"]) <= 0:
            raise _bad(uri, "baudrate must be positive, e.g. 9600 or 115200")
        return PrinterURI(uri, scheme, path=parts.path, options=options)
    if parts.netloc or parts.path:
        raise _bad(uri, "dummy:// takes no host or path")
    return PrinterURI(uri, scheme, options=options)
