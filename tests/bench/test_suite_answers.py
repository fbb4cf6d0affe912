"""The suite's answers, end to end: a real `pytest bench` run (in-process single requests, quick
mode) with one stream tampered with, read back from its summary and its JSON `comparisons`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = "request in-process: static / dynamic"


def run_suite(tmp_path: Path, tamper: str, quick: bool = True) -> tuple[dict, str, dict]:
    report = tmp_path / f"{tamper}.json"
    env = {**os.environ, "TAMPER": tamper,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "plugins")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "bench", *(["--bench-quick"] if quick else []), "-k", "single_request and in-process",
         "-p", "tamper_inprocess", "-p", "no:cacheprovider", "--benchmark-storage", str(tmp_path / "storage"),
         "--benchmark-json", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stored = json.loads(report.read_text())
    comparisons = {c["name"]: c for c in stored["comparisons"]}
    return comparisons[NAME], result.stdout, stored


def test_a_ten_percent_slower_stream_is_reported_slower_with_an_interval_that_excludes_one(tmp_path):
    # static against static, one side 10 % slower inside its timed call: the size of change the gate
    # and --benchmark-compare are asked to see, not a wiring check. At the default rounds (quick mode's
    # interval is too wide for 10 %).
    found, summary, stored = run_suite(tmp_path, "static-twice,slow-static", quick=False)
    # each stream on two worker processes, the interval holding their launch floor (pooled over two
    # cases only, so Student's t with its few degrees of freedom makes it wide): it must hold the
    # injected 10 % and the ratio must read it
    assert 1.03 < found["ratio"] < 1.3 and found["low"] <= 1.10 <= found["high"] and found["high"] > 1.05, found
    # the run's peak memory is stored (what it measures is tested in tests/bench/test_memory.py: other
    # processes on the machine can free memory meanwhile, so no size is asserted here)
    assert {"machine_used_peak_mb", "machine_used_before_mb", "run_peak_mb"} <= set(stored["peak_memory"])
    line = next(line for line in summary.splitlines() if line.startswith(NAME))
    assert ("static is" in line and "x slower than dynamic" in line) or "not decided at ±5%" in line, line
    assert "faster" not in line and "the same within" not in line, line


def test_two_identical_streams_give_an_interval_that_includes_one(tmp_path):
    # Identical streams: a 95 % interval misses 1 about once in 20 runs by design, so a second,
    # independent run is allowed before failing (a false failure about 1 in 400).
    for _attempt in range(2):
        found, summary, _ = run_suite(tmp_path, "static-twice")
        if found["low"] <= 1.0 <= found["high"]:
            break
    assert found["low"] <= 1.0 <= found["high"], found
    line = next(line for line in summary.splitlines() if line.startswith(NAME))
    assert "the same within" in line or "not decided at ±5%" in line, line  # never faster or slower
