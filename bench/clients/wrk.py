"""Run `wrk` (an outside load generator) in short windows and read its latency percentiles."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np

from bench.clients.http import SequentialClient
from bench.clients.protocol import NothingToManage
from bench.method.oracle import Answers, JsonRequest
from bench.method.paired import Stream, rotate


def available() -> bool:
    return shutil.which("wrk") is not None


WINDOW_SCRIPT = Path(__file__).with_name("wrk_window.lua")


def window(url: str, requests: int, timeout_s: float = 60.0, texts: list[str] | None = None,
           body: bytes | None = None) -> dict[str, int]:
    """wrk for exactly `requests` answers on one connection (`wrk_window.lua`): its counts and
    latency percentiles in microseconds. wrk's shortest run is a whole second and it waits out
    its duration even when its thread stops, so it is interrupted (SIGINT: it then reports) as
    soon as the script says the count is reached: windows as short as ours, to alternate finely.
    `texts`: sent in turn as `GET <url's path>?text=...`, as the suite's client sends them; `body`:
    POSTed as JSON to the url every time (a protocol that takes a JSON body)."""
    command = ["wrk", "-t1", "-c1", f"-d{int(timeout_s)}s", "-s", str(WINDOW_SCRIPT), url, "--", str(requests)]
    if body is not None:
        with tempfile.NamedTemporaryFile("wb", suffix=".json") as sent:
            sent.write(body)
            sent.flush()
            return _run_window(command + ["-", sent.name], requests)
    if not texts:
        return _run_window(command, requests)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as targets:
        path = urlsplit(url).path
        targets.write("".join(f"{path}?{urlencode({'text': text})}\n" for text in texts))
        targets.flush()
        return _run_window(command + [targets.name], requests)


def _run_window(command: list[str], requests: int) -> dict[str, int]:
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


class WrkClient(NothingToManage):
    """wrk as a client of the rotation (`bench.clients.protocol`): one unit is a window of `requests`
    requests, its figure wrk's own p50 (seconds). wrk judges statuses itself: a non-2xx answer or a
    socket error fails the window (`window`), so `answers` stays empty and nothing is judged here."""

    def __init__(self, url: str, requests: int, texts: list[str] | None = None, body: bytes | None = None):
        self.url, self.requests, self.texts, self.body = url, requests, texts, body
        self.answers, self.errors = Answers(), []

    def timed_unit(self) -> float:
        return window(self.url, self.requests, texts=self.texts, body=self.body)["p50_us"] / 1e6


def alternate_p50s(url: str, text: str | JsonRequest, windows: int = 20,
                   requests: int = 100) -> tuple[list[float], list[float], Answers]:
    """(our p50s, wrk's p50s, our answers), in ms: windows of `requests` requests, ours and wrk's
    taking turns on the same request (bench.method.paired), so a shared machine's drift hits both alike.
    wrk's list is empty without wrk. Ours are timed as the suite times a request, as wrk times
    its own: from the first byte sent, the connection opened before. A text is sent as `GET ?text=`,
    a `JsonRequest` POSTed, by both."""
    client = SequentialClient(url, [text])
    timed_unit = client.timed_unit

    def our_window() -> float:
        return float(np.median([timed_unit() for _ in range(requests)])) * 1000

    theirs = (WrkClient(url, requests, body=text.body) if isinstance(text, JsonRequest)
              else WrkClient(f"{url}?{urlencode({'text': text})}", requests))

    def wrk_window() -> float:
        return theirs.timed_unit() * 1000

    streams = [Stream("ours", our_window)] + ([Stream("wrk", wrk_window)] if available() else [])
    try:
        rotation = rotate(streams, rounds=windows)
    finally:
        client.close()
    if client.errors:
        raise RuntimeError(f"our client against {url}: {client.errors[0]}")
    return rotation.samples["ours"], rotation.samples.get("wrk", []), client.answers
