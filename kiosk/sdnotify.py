"""systemd's notify protocol: READY, STATUS and the service watchdog, with the standard library.

Why: on a Raspberry Pi the kiosk runs as a systemd service (deploy/kiosk.service) with
``WatchdogSec``; a hung app (a blocked Qt event loop, a stuck LAN server) stops pinging and
systemd restarts it, where a crash alone would not be noticed. The protocol is one datagram
to the Unix socket in ``$NOTIFY_SOCKET``, so no dependency (python-systemd / sdnotify) is
needed. Outside systemd (``$NOTIFY_SOCKET`` unset: development, tests) every call is a no-op.

``WATCHDOG_PID`` is deliberately not compared with our pid: under the ``cage`` compositor
the main process of the unit is cage and the kiosk is its child, so the unit sets
``NotifyAccess=all`` and the child's pings are the ones that count.
"""

from __future__ import annotations

import os
import socket
import threading
import urllib.error
import urllib.request


def notify(state: str, environ: dict[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``) to systemd. Returns False when not under systemd
    or when the socket refused it (a notification is never worth crashing the app)."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode("utf-8"))
        return True
    except OSError:
        return False


def ready(status: str = "") -> bool:
    """The service is up (for ``Type=notify``); an optional human STATUS line."""
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def status(text: str) -> bool:
    """The line ``systemctl status`` shows."""
    return notify(f"STATUS={text}")


def stopping() -> bool:
    return notify("STOPPING=1")


def watchdog() -> bool:
    """One watchdog ping: the caller has just proved it is alive."""
    return notify("WATCHDOG=1")


def watchdog_interval_ms(environ: dict[str, str] | None = None) -> int:
    """How often to ping (half of ``WatchdogSec``, as systemd recommends), in milliseconds;
    0 when no watchdog is asked for."""
    env = os.environ if environ is None else environ
    if not env.get("NOTIFY_SOCKET"):
        return 0
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return 0
    return max(usec // 2000, 1) if usec > 0 else 0


def start_http_heartbeat(url: str, environ: dict[str, str] | None = None,
                         timeout: float = 5.0) -> threading.Event | None:
    """Ping the watchdog from a daemon thread only while ``url`` answers HTTP (any status:
    a 401 still proves the server's event loop runs). For ``kiosk edge serve``, whose
    uvicorn loop is not ours to hook. Returns an event that stops the thread, or None when
    no watchdog is asked for."""
    interval_ms = watchdog_interval_ms(environ)
    if not interval_ms:
        return None
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval_ms / 1000):
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    resp.read(1)
                alive = True
            except urllib.error.HTTPError:
                alive = True
            except (urllib.error.URLError, OSError):
                alive = False
            if alive:
                notify("WATCHDOG=1", environ)

    threading.Thread(target=beat, name="sd-watchdog", daemon=True).start()
    return stop
