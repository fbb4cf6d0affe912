"""Run `wrk` (an outside load generator) and read its latency percentiles."""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from urllib.parse import urlencode

import numpy as np

from bench.load import Answers, SequentialClient
from bench.paired import Stream, rotate

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
_PERCENTILE_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+(\d+(?:\.\d+)?)(us|ms|s)\s*$")


def available() -> bool:
    return shutil.which("wrk") is not None


def parse_latency_percentiles(output: str) -> dict[float, float]:
    """{50.0: ms, 75.0: ms, ...} from the `--latency` distribution block of wrk's output."""
    found = {}
    for line in output.splitlines():
        match = _PERCENTILE_LINE.match(line)
        if match:
            found[float(match.group(1))] = float(match.group(2)) * _UNITS[match.group(3)]
    if 50.0 not in found:
        raise ValueError(f"no latency distribution in wrk output:\n{output[-1000:]}")
    return found


def run(url: str, seconds: int = 3, connections: int = 1, threads: int = 1) -> dict[float, float]:
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 30,
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
    return parse_latency_percentiles(result.stdout)


def alternate_p50s(url: str, text: str, windows: int = 3, seconds: int = 1) -> tuple[list[float], list[float], Answers]:
    """(our p50s, wrk's p50s, our answers), in ms: one window of our client and one of wrk per round
    on the same request, taking turns (bench.paired), so a shared machine's drift hits both alike.
    wrk's list is empty without wrk. Ours are timed as the suite times a request: from its first
    byte, the connection opened before."""
    client = SequentialClient(url, [text])

    def our_window() -> float:
        latencies, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            client.connect()
            started = time.perf_counter()
            client.one_request()
            latencies.append(time.perf_counter() - started)
        return float(np.median(latencies)) * 1000

    def wrk_window() -> float:
        return run(f"{url}?{urlencode({'text': text})}", seconds=seconds)[50.0]

    streams = [Stream("ours", our_window)] + ([Stream("wrk", wrk_window)] if available() else [])
    try:
        rotation = rotate(streams, rounds=windows)
    finally:
        client.close()
    return rotation.samples["ours"], rotation.samples.get("wrk", []), client.answers
