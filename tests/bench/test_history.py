"""The history across commits (bench.history): steps are found where a series steps beyond its
noise and nowhere else, bad input is one line and exit 2, and a real range of commits is recorded,
reported and bisected (the last with valgrind, about 4 minutes)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.harness import instructions
from bench.harness.supervisor import PROJECT_ROOT, ROOT_ENV
from bench.history import steps
from bench.history.__main__ import main, threshold
from bench.history.store import Record, Store
from tests.required_tools import require


def points(values, intervals=None, series="instructions static") -> list[Record]:
    return [Record(series, f"{index:040x}", f"2026-12-02T10:{index:02d}:00", f"commit {index}", value, "instructions",
                   low=intervals[index][0] if intervals else None, high=intervals[index][1] if intervals else None)
            for index, value in enumerate(values)]


def test_steps_of_one_and_three_percent_are_found_and_a_wobble_is_not():
    wobble = [1.0, 1.00004, 0.99997, 1.00002]  # within 0.01 %, as counts repeat here
    values = [10e6 * w for w in wobble] + [10.1e6 * w for w in wobble] + [10.1e6 * 1.03 * w for w in wobble]
    found = steps.find_steps(points(values))
    assert [step.index for step in found] == [4, 8]
    assert [round(step.size, 3) for step in found] == [0.01, 0.03]
    assert found[0].commit == f"{4:040x}" and found[0].previous == f"{3:040x}"


def test_a_step_at_the_last_commit_is_found():
    assert [step.index for step in steps.find_steps(points([10e6, 10e6, 10e6, 10.2e6]))] == [3]


def test_a_wall_clock_step_within_the_intervals_is_not_one():
    values = [1.00, 1.005, 0.995, 1.10, 1.095, 1.105]
    overlapping = [(v * 0.9, v * 1.1) for v in values]
    assert steps.find_steps(points(values, overlapping, "answer: x"), noise=0.001) == []
    narrow = [(v * 0.99, v * 1.01) for v in values]  # the wobble within them, the step beyond
    assert [step.index for step in steps.find_steps(points(values, narrow, "answer: x"), noise=0.001)] == [3]


def test_thresholds_read_as_fractions():
    assert threshold("1%") == 0.01 and threshold("0.005") == 0.005
    with pytest.raises(Exception, match="not a threshold"):
        threshold("one")


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["report", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    if instructions.missing_tools() is None:
        assert main(["record", "not-a-commit..HEAD", "--store", str(tmp_path / "s")]) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("error: 'not-a-commit..HEAD' is not a commit or a range") and "\n" not in error


def throwaway_branch(tmp_path):
    """A clone whose last 3 commits are: unrelated, ~1 % more work in the request path, ~3 % more work
    (each commit counted costs a minute under valgrind)."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(repo)], check=True)
    app = repo / "serving" / "app.py"
    line = "            results, timings = classifier.classify(texts)\n"
    for number, (name, change) in enumerate([
            ("unrelated: a comment", None), ("one percent more work", 40), ("three percent more work", 115)]):
        if change:
            app.write_text(app.read_text().replace(line, line + f'            timings["busy{number}"] = sum(i * i for i in range({change}))\n'))
        else:
            (repo / "docs" / "method.md").write_text((repo / "docs" / "method.md").read_text() + f"\n<!-- {name} -->\n")
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", name], cwd=repo, check=True,
                       env={**ROOT_ENV, "GIT_COMMITTER_DATE": f"2030-01-01T00:00:0{number}"})
    return repo


def history(repo, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.history", *args], cwd=repo, env={**ROOT_ENV, "PYTHONPATH": str(repo)},
                          capture_output=True, text=True, timeout=1200)


def test_a_range_is_recorded_its_steps_named_and_bisected(tmp_path):
    require("valgrind", instructions.missing_tools() is None, "Debian: apt-get install valgrind libjemalloc2")
    repo = throwaway_branch(tmp_path)
    store = tmp_path / "store"
    recorded = history(repo, "record", "HEAD~3..HEAD", "--graph", "onnx", "--store", str(store))
    assert recorded.returncode == 0, recorded.stderr
    report = history(repo, "report", "--store", str(store), "--out", str(tmp_path / "page"))
    assert report.returncode == 0, report.stderr
    subjects = [line for line in report.stdout.splitlines() if line.startswith("- **")]
    assert len(subjects) == 2 and "one percent more work" in subjects[0] and "three percent more work" in subjects[1], report.stdout
    assert "serving/app.py" in report.stdout and "<genexpr>" in report.stdout  # the added loops, named
    assert (tmp_path / "page" / "index.html").is_file() and (tmp_path / "page" / "series-00.png").is_file()
    # the counts recorded above are looked up, not made again (a fresh store counts: see docs/ci-gating.md)
    found = history(repo, "bisect", "HEAD~3", "HEAD", "--graph", "onnx", "--threshold", "0.5%", "--store", str(store))
    assert found.returncode == 0, found.stderr
    assert "first over the threshold" in found.stdout and "one percent more work" in found.stdout.splitlines()[-1]
    assert len([line for line in found.stdout.splitlines() if "instructions a request" in line]) <= 3  # ⌈log2 3⌉ + 1
    records = Store(store).records()
    assert all(json.dumps(r.environment) for r in records) and {r.series for r in records} == {"instructions onnx"}
