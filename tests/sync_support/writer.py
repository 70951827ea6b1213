"""``python -m tests.sync_support.writer DATA_DIR N [SIZE]``: commit N print jobs in a kiosk's
database, as a separate process (the real-process tests' "kiosk in use")."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.runtime import open_runtime
from tests.sync_support.records import write_jobs


def main() -> None:
    data_dir, n = Path(sys.argv[1]), int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    rt = open_runtime(data_dir)
    try:
        for start in range(0, n, 1000):
            write_jobs(rt.db, rt.clock, min(1000, n - start), size=size)
    finally:
        rt.close()


if __name__ == "__main__":
    main()
