"""Run `wrk` (an outside load generator) and read its latency percentiles."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
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


WINDOW_SCRIPT = Path(__file__).with_name("wrk_window.lua")


def run(url: str, seconds: int = 3, connections: int = 1, threads: int = 1) -> dict[float, float]:
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 30,
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
    return parse_latency_percentiles(result.stdout)


def window(url: str, requests: int, timeout_s: float = 60.0) -> dict[str, int]:
    """wrk for exactly `requests` answers on one connection (`wrk_window.lua`): its counts and
    latency percentiles in microseconds. wrk's shortest run is a whole second and it waits out
    its duration even when its thread stops, so it is interrupted (SIGINT: it then reports) as
    soon as the script says the count is reached: windows as short as ours, to alternate finely."""
    command = ["wrk", "-t1", "-c1", f"-d{int(timeout_s)}s", "-s", str(WINDOW_SCRIPT), url, "--", str(requests)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.strip() == "reached":
                process.send_signal(signal.SIGINT)
                break
        output, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    found = dict(line.split() for line in output.splitlines() if re.fullmatch(r"[a-z0-9_]+ \d+", line))
    counts = {key: int(value) for key, value in found.items()}
    if counts.get("requests", 0) < requests or counts.get("non_2xx") or counts.get("socket_errors"):
        raise RuntimeError(f"wrk window failed ({process.returncode}): {counts} {errors.strip()}")
    return counts


def alternate_p50s(url: str, text: str, windows: int = 20, requests: int = 100) -> tuple[list[float], list[float], Answers]:
    """(our p50s, wrk's p50s, our answers), in ms: windows of `requests` requests, ours and wrk's
    taking turns on the same request (bench.paired), so a shared machine's drift hits both alike.
    wrk's list is empty without wrk. Ours are timed as the suite times a request, as wrk times
    its own: from the first byte sent, the connection opened before."""
    client = SequentialClient(url, [text])

    def our_window() -> float:
        latencies = []
        for _ in range(requests):
            client.connect()
            started = time.perf_counter()
            client.one_request()
            latencies.append(time.perf_counter() - started)
        return float(np.median(latencies)) * 1000

    def wrk_window() -> float:
        return window(f"{url}?{urlencode({'text': text})}", requests)["p50_us"] / 1000

    streams = [Stream("ours", our_window)] + ([Stream("wrk", wrk_window)] if available() else [])
    try:
        rotation = rotate(streams, rounds=windows)
    finally:
        client.close()
    return rotation.samples["ours"], rotation.samples.get("wrk", []), client.answers
