"""Memory: the run's peak as the machine sees it, and each measured server's own processes.

The run's peak: every process, shared pages counted once.

A CI runner fails when the machine runs out, not when one process is big, so this
samples the machine's used memory (total minus available, as `free` shows it) and
keeps the peak. psutil reads it; a sample costs microseconds, so sampling four
times a second beside the measurements does not disturb them.
"""
from __future__ import annotations

import threading

import psutil

MB = 1024 * 1024


def used_mb() -> float:
    memory = psutil.virtual_memory()
    return (memory.total - memory.available) / MB


class PeakMemory:
    """Samples used memory in a daemon thread from `start()` to `stop()`."""

    def __init__(self, interval_s: float = 0.25):
        self.interval_s = interval_s
        self.before_mb: float | None = None  # used when the run started: other tenants, the OS
        self.peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> PeakMemory:
        self.before_mb = self.peak_mb = used_mb()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_mb = max(self.peak_mb, used_mb())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_mb = max(self.peak_mb, used_mb())

    def as_json(self) -> dict:
        """For the saved run: the peak, what was in use before, and the run's own share."""
        return {"machine_used_peak_mb": round(self.peak_mb), "machine_used_before_mb": round(self.before_mb),
                "run_peak_mb": round(self.peak_mb - self.before_mb), "total_mb": round(psutil.virtual_memory().total / MB)}


def process_tree_memory(pid: int) -> dict:
    """A server's memory (its process and every descendant: master and workers), in MB.

    RSS counts pages shared between processes once per process; PSS shares them out, so the
    processes' PSS adds up to what they hold together; USS is what each holds alone (freed if
    it exits). `worker_pss_mb` is the median worker's PSS, where there are workers.
    """
    root = psutil.Process(pid)
    processes = [root, *root.children(recursive=True)]
    found = []
    for process in processes:
        try:
            found.append(process.memory_full_info())
        except psutil.NoSuchProcess:
            continue
    workers = sorted(info.pss for info in found[1:])
    return {"processes": len(found),
            "rss_mb": round(sum(info.rss for info in found) / MB, 1),
            "pss_mb": round(sum(info.pss for info in found) / MB, 1),
            "uss_mb": round(sum(info.uss for info in found) / MB, 1),
            "worker_pss_mb": round(workers[len(workers) // 2] / MB, 1) if workers else None}
