"""A fresh kiosk's setup mode (provisioning.first_boot) in its own process, on loopback, for
the discovery tests: it prints one JSON line (its code, names, port) and then obeys lines on
stdin: ``configure`` (writes config.toml and calls ``configured()``, as the setup service
does) and ``quit``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, sys
from pathlib import Path
from kiosk import config
from provisioning.first_boot import run_setup_mode

data, port = Path(sys.argv[1]), int(sys.argv[2])
mode = run_setup_mode(data, interfaces=["127.0.0.1"], port=port)
print(json.dumps({"code": mode.code.current(), "name": mode.advertisement.name,
                  "host": mode.advertisement.host_name, "port": mode.port,
                  "address": mode.address, "short_id": mode.identity.short_id,
                  "fingerprint": mode.identity.fingerprint,
                  "service": mode.service is not None}), flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "configure":
        config.save(config.Config(), data)
        mode.configured()
        print(json.dumps({"state": mode.advertisement.state}), flush=True)
    elif command == "quit":
        break
mode.stop()
"""


def start_setup_process(data_dir: Path, port: int) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(data_dir), str(port)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise AssertionError(f"the setup process did not start: {proc.stderr.read()}")
    return proc, json.loads(line)


def tell(proc: subprocess.Popen, command: str) -> dict:
    proc.stdin.write(command + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def stop_setup_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.stdin.write("quit\n")
            proc.stdin.flush()
            proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream:
            stream.close()
