"""Find processes by a marker in their environment: how tests prove nothing is left behind."""
from __future__ import annotations

import os
import time
import uuid

import psutil

MARKER_VARIABLE = "TFSERVE_TEST_MARKER"


def new_marker() -> dict[str, str]:
    return {MARKER_VARIABLE: uuid.uuid4().hex}


def marked_pids(marker: dict[str, str]) -> list[int]:
    """Live processes (zombies are gone, just not reaped) carrying `marker` in their environment."""
    wanted, me, pids = marker[MARKER_VARIABLE], os.getpid(), []
    for process in psutil.process_iter():
        try:
            if (process.pid != me and process.environ().get(MARKER_VARIABLE) == wanted
                    and process.status() != psutil.STATUS_ZOMBIE):
                pids.append(process.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return pids


def wait_no_marked(marker: dict[str, str], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := marked_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def children(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []
