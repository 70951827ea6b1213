"""Running the city server's processes: uvicorn, one process per worker, each worker with a
listening socket of its own in one ``SO_REUSEPORT`` group.

Why not uvicorn's own ``workers=N``: its workers share one listening socket, and the worker
that wakes first accepts everything queued on it (asyncio and uvloop accept in a loop, up to
the backlog), so when hundreds of kiosks connect at once most connections land on one worker
while the other has little to do. Measured with bench/sync.py's 500 kiosks on 2 workers:
0.5-0.7 s of CPU in one worker against 0.2-0.4 s in the other, and the burst lasts as long
as the busier one. With one socket per worker in a ``SO_REUSEPORT`` group, Linux hashes each
new connection to one of the sockets, so the workers get even shares (nginx does the same
with ``reuseport``). Behind a load balancer this spreads each host's share the same way.

The supervisor here is small on purpose: start the workers, restart one that dies, stop
them all on SIGINT/SIGTERM. Every worker runs :class:`uvicorn.Server` unchanged.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import signal
import socket
import threading
from typing import Any

#: A worker that exits with this code could not start (uvicorn's STARTUP_FAILURE, e.g. the
#: database is unreachable); restarting it would only repeat the failure, so all stop.
STARTUP_FAILURE = 3
#: How long stopping workers get to finish the requests they have before they are killed.
STOP_GRACE_S = 15.0

log = logging.getLogger("kiosk.server")


class PortInUse(RuntimeError):
    """The address is taken by another process (perhaps another city server)."""


def serve(factory: str, host: str, port: int, workers: int, **options: Any) -> int:
    """Serve ``factory`` (a uvicorn app factory, "module:function") until SIGINT/SIGTERM.

    ``options`` go to :class:`uvicorn.Config` unchanged. Returns the exit code.
    """
    import uvicorn

    if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, **options)
        return 0
    check_free(host, port)
    ctx = multiprocessing.get_context("spawn")

    def start() -> multiprocessing.process.BaseProcess:
        proc = ctx.Process(target=_worker, args=(factory, host, port, options),
                           name="kiosk-server-worker")
        proc.start()
        return proc

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(workers)]
    code = 0
    try:
        while not stop.wait(0.5):
            for i, proc in enumerate(procs):
                if proc.is_alive():
                    continue
                if proc.exitcode == STARTUP_FAILURE:
                    log.error("a worker could not start (see its message above); stopping")
                    stop.set()
                    code = STARTUP_FAILURE
                    break
                log.warning("worker %s exited with %s; starting another", proc.pid,
                            proc.exitcode)
                procs[i] = start()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: uvicorn finishes what it has, then exits
        for proc in procs:
            proc.join(STOP_GRACE_S)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def check_free(host: str, port: int) -> None:
    """Refuse to start on an address that something else listens on.

    Binding without ``SO_REUSEPORT`` fails while any socket holds the port, also another
    server's reuse-port group, which the workers would otherwise silently join.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"{host}:{port} is already in use (another city server?); "
                                "stop it or choose another --port") from exc
            raise


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A bound socket in the address's ``SO_REUSEPORT`` group (uvicorn listens on it)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _worker(factory: str, host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    try:
        sock = reuse_port_socket(host, port)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", host, port, exc)
        raise SystemExit(STARTUP_FAILURE) from exc
    config = uvicorn.Config(factory, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])
