"""The CPU time a server's processes have used (its process and every descendant), from /proc via psutil:
what the server itself costs per answer, apart from the load generator on the same cores."""
from __future__ import annotations

import psutil


def process_tree_cpu_s(pid: int) -> float:
    """User and system CPU seconds of `pid` and its living descendants (a server's master and workers;
    workers that stay up for the run, so nothing is lost to exited children)."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
