"""Instructions per request, counted by callgrind: the figure that repeats on a noisy machine.

Each count is one process of a checkout's code (`side_scripts/count_instructions.py`, the app
called in-process) under `valgrind --tool=callgrind --instr-atstart=no`; the script switches
counting on around the requests only (pytest-codspeed's instrument hooks, CodSpeed's method).
What else makes it repeat is set here: ASLR off (`setarch -R`), `PYTHONHASHSEED=0`, the same
texts, `--fair-sched=yes` (valgrind runs one thread at a time; by default which takes the lock next
is the kernel's timing), and **the count of the request's own thread** (`--separate-threads=yes`,
valgrind's thread 1, which calls the app): routing, parsing, encoding, the Python side of the
runtime's call, the JSON answer, and for ONNX Runtime (one thread) the model itself. TensorFlow
runs a graph on its inter-op thread, and that thread's count has two modes, one process to the
next: the executor times its kernels with the CPU's cycle counter and picks its path from those
times, so the count follows the machine's load (dynamic, all threads: 16.5 or 18.1 M a request;
static 16.4 or 17.7 M; one no-op gate read 1.097 for static). The request thread's count repeats:
24.37 and 24.36 M for 20 dynamic requests in the two modes. The all-threads count is kept beside
it, as what a request costs in all; the request thread's is the one compared and gated. Counts
are not disturbed by load otherwise (a loaded machine runs them slower), so two run at once.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.harness import side_scripts

CALLS = 20  # requests counted per kind (texts in turn)
WARMUP = 5  # requests first, uncounted
AT_ONCE = 2  # valgrind processes at a time (2 cores; 1.1-1.4 GB each)
TIMEOUT_S = 600  # a TensorFlow kind takes 35-70 s under valgrind here


class CountError(RuntimeError):
    """A count could not be made (valgrind missing or failing, the app not starting)."""


def missing_tools() -> str | None:
    """Why instructions cannot be counted on this machine, or None."""
    for tool in ("valgrind", "setarch"):
        if shutil.which(tool) is None:
            return f"{tool} not found (Debian: apt-get install valgrind)"
    return None


@dataclass(frozen=True)
class Count:
    graph: str
    request_thread: int  # over all counted calls, on the thread that called the app: the figure to compare
    instructions: int  # over all counted calls, all threads (with TensorFlow's inter-op thread: two modes)
    calls: int
    answers: list  # [text, HTTP status, body] per counted call, for the caller's judge
    seconds: float  # wall clock of the whole valgrind process (start-up included)

    @property
    def per_request(self) -> float:
        """The request thread's count per request."""
        return self.request_thread / self.calls

    @property
    def all_threads_per_request(self) -> float:
        return self.instructions / self.calls


def command(out_file: Path, artifacts: Path, graph: str, texts: list[str], calls: int = CALLS,
            warmup: int = WARMUP) -> list[str]:
    return ["setarch", "-R", "valgrind", "--tool=callgrind", "--fair-sched=yes", "--separate-threads=yes",
            "--instr-atstart=no", f"--callgrind-out-file={out_file}",
            *side_scripts.command("count_instructions", str(artifacts), graph, json.dumps(texts), str(calls), str(warmup))]


def count(root: Path, artifacts: Path, graph: str, texts: list[str], calls: int = CALLS, env: dict | None = None) -> Count:
    """Instructions of `calls` requests to `graph` through the app of the checkout at `root`."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as scratch:
        out_file = Path(scratch) / "callgrind.out"
        started = time.monotonic()
        # PYTHONPATH ".", run from the checkout: the environment is the same bytes for every checkout.
        # Two checkouts of one commit (the gate's no-op) counted static's request thread 0.40-0.46 %
        # apart with their paths in PYTHONPATH, 0.18-0.22 % with "." (the paths left in module names
        # and the working directory still move memory layout a little).
        side_env = {**(env or os.environ), "PYTHONPATH": ".", "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
        process = subprocess.Popen(command(out_file, artifacts, graph, texts, calls), cwd=root, env=side_env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _running.add(process)
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise CountError(f"{graph}: no count within {TIMEOUT_S} s under valgrind") from None
        finally:
            _stop(process)
        per_thread = {path.name.rsplit("-", 1)[-1]: _totals(path) for path in Path(scratch).glob("callgrind.out-*")}
        if process.returncode != 0 or "01" not in per_thread:
            last = (stderr.strip().splitlines() or ["?"])[-1]
            raise CountError(f"{graph}: the counting process failed (exit {process.returncode}): {last}")
        answers = json.loads(stdout.strip().splitlines()[-1])["answers"]
        return Count(graph, per_thread["01"], sum(per_thread.values()), calls, answers, time.monotonic() - started)


def _totals(path: Path) -> int:
    found = re.search(r"^totals:\s+(\d+)", path.read_text(), re.MULTILINE)
    if not found:
        raise CountError(f"callgrind wrote no totals line in {path.name}")
    return int(found.group(1))


def seconds_per_request(root: Path, artifacts: Path, graph: str, texts: list[str], calls: int = 100) -> float:
    """The same requests without valgrind (the hooks then do nothing): the wall clock of one, to say
    what a change in instructions means in time for this kind."""
    result = subprocess.run(side_scripts.command("count_instructions", str(artifacts), graph, json.dumps(texts),
                                                 str(calls), str(WARMUP)), cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(root), "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=TIMEOUT_S)
    if result.returncode != 0:
        raise CountError(f"{graph}: the timing process failed: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds_per_call"]


def count_all(jobs: list[tuple[Path, Path, str]], texts: list[str], calls: int = CALLS,
              at_once: int = AT_ONCE) -> list[Count]:
    """Counts for (root, artifacts, graph) jobs, `at_once` valgrind processes at a time, in job order.
    Interrupted (Ctrl-C, SIGTERM) or failed: the jobs not started are dropped and the running
    valgrind processes killed, rather than left to finish (up to 70 s) or to outlive the run."""
    pool = ThreadPoolExecutor(max_workers=at_once)
    futures = [pool.submit(count, root, artifacts, graph, texts, calls) for root, artifacts, graph in jobs]
    try:
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list(_running):
            _stop(process)
        pool.shutdown(wait=True)


_running: set[subprocess.Popen] = set()  # valgrind processes alive, to stop on an interrupt


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    _running.discard(process)
