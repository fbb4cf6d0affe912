"""Find processes by a marker in their environment: how tests prove nothing is left behind."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

MARKER_VARIABLE = "TFSERVE_TEST_MARKER"


def new_marker() -> dict[str, str]:
    return {MARKER_VARIABLE: uuid.uuid4().hex}


def marked_pids(marker: dict[str, str]) -> list[int]:
    needle = f"{MARKER_VARIABLE}={marker[MARKER_VARIABLE]}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:  # a zombie is gone, just not reaped yet
                    pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def wait_no_marked(marker: dict[str, str], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := marked_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []
