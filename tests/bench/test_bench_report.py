"""The report, from a run saved by pytest-benchmark itself (not a hand-written JSON)."""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench import report
from bench.results import pages, saved_runs

FAKE_SUITE = textwrap.dedent('''
    import pytest
    from bench.questions import bursts, single_requests
    from bench.results.records import Figure

    DELAY = {"dynamic": 0.004, "static": 0.002}

    class FakeClock:
        """pytest-benchmark's timer: the "work" moves it on by exactly its delay, so every figure is exact."""
        now = 0.0

        def __call__(self):
            return FakeClock.now

    def work(seconds):
        FakeClock.now += seconds

    clock = FakeClock()
    SETUP = {"workers": 1, "cpu_count": 2, "tensorflow_version": "2.x"}

    # Group names say nothing the report relies on: it reads each figure's record.
    @pytest.mark.parametrize("graph", ["dynamic", "static"])
    @pytest.mark.parametrize("setup", ["in-process", "gunicorn-w1"])
    @pytest.mark.benchmark(timer=clock)
    def test_single_request(benchmark, graph, setup):
        benchmark.group = f"one at a time: {setup}"
        benchmark.pedantic(work, args=(DELAY[graph] * (1 if setup == "in-process" else 2),), rounds=3)
        p50 = benchmark.stats.stats.median * 1000
        record = Figure(question=single_requests.RECORD, graph=graph, setup=setup,
                        server_setup={**SETUP, "server": setup.split("-w")[0]}, p50_ms=p50, p90_ms=p50, p99_ms=p50,
                        max_ms=p50, requests=3, requests_per_second=1.0)
        benchmark.extra_info.update(record.as_extra_info())

    @pytest.mark.parametrize("graph", ["dynamic", "static"])
    @pytest.mark.parametrize("workers", [1, 2])
    @pytest.mark.benchmark(timer=clock)
    def test_burst(benchmark, graph, workers):
        benchmark.group = "twenty together"
        benchmark.pedantic(work, args=(DELAY[graph] / workers,), rounds=3)
        record = Figure(question=bursts.RECORD, graph=graph, setup=f"gunicorn-w{workers}",
                        server_setup={**SETUP, "server": "gunicorn", "workers": workers}, p50_ms=1.0,
                        part={"threads": 20, "latency_by_rank_ms": [float(i) for i in range(20)]})
        benchmark.extra_info.update(record.as_extra_info())
''')


# The suite's answers go into the saved run through the same documented hook, made by the same engine
# (each unit "takes" exactly its seconds: no clock, so the figures are exact).
FAKE_CONFTEST = textwrap.dedent('''
    from bench.method.paired import Stream, rotate

    def pytest_benchmark_update_json(config, benchmarks, output_json):
        streams = [Stream(g, lambda s=s: s) for g, s in (("static", 0.002), ("dynamic", 0.004))]
        rotation = rotate(streams, rounds=5, per_round=3)
        output_json["comparisons"] = [rotation.compare("request sleep: static / dynamic", "static", "dynamic").as_json()]
''')


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suite")
    (folder / "test_fake.py").write_text(FAKE_SUITE)
    (folder / "conftest.py").write_text(FAKE_CONFTEST)
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "/dev/null",
                    f"--rootdir={folder}", "--benchmark-storage", str(folder / "storage"), "--benchmark-autosave",
                    str(folder / "test_fake.py")], check=True, capture_output=True, cwd=folder,
                   env={**os.environ, "PYTHONPATH": str(root)})
    return saved_runs.latest_run(folder / "storage")


def test_latest_run_needs_a_saved_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved runs"):
        saved_runs.latest_run(tmp_path)


def test_report_writes_markdown_and_plots(saved_run, tmp_path):
    written = report.write_report(saved_run, tmp_path / "out")
    names = sorted(path.name for path in written)
    assert names == ["answers.png", "burst_latency_by_rank.png", "report.md", "static_vs_dynamic.png"]
    for png in (tmp_path / "out").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = (tmp_path / "out" / "report.md").read_text()
    assert text.index("## Answers") < text.index("## Burst against the cores' ideal") < text.index("## All benchmarks")
    # the ideal: 20 requests x in-process p50 (2 ms for static) / 2 cores
    assert re.search(r"\| static \| gunicorn-w1 \| [0-9.]+ \| 20\.0 \|", text), text
    # static takes half as long as dynamic: the stored ratio is 0.5, and said in words
    found = re.search(r"\| request sleep: static / dynamic \| ([0-9.]+) \| .* \| static is ([0-9.]+)x faster", text)
    assert found and float(found[1]) == 0.5 and float(found[2]) == 2.0, text


def test_invalid_figures_are_marked(saved_run, tmp_path):
    run = json.loads(saved_run.read_text())
    for bench in run["benchmarks"]:
        bench["extra_info"].update(valid=bench["extra_info"]["graph"] != "static", validity_reason="12 requests < minimum 200")
    changed = tmp_path / "run.json"
    changed.write_text(json.dumps(run))
    text = (report.write_report(changed, tmp_path / "out")[0]).read_text()
    short, table = text.split("## All benchmarks")
    assert table.count("**INVALID**: 12 requests < minimum 200") == 4
    # the fastest set-ups (static here) say so where the report starts
    assert short.split("## Answers")[0].count("(**INVALID**: 12 requests < minimum 200)") == 2


def test_a_record_the_report_does_not_know_is_refused_in_one_line(saved_run, tmp_path, capsys):
    run = json.loads(saved_run.read_text())
    run["benchmarks"][0]["extra_info"]["p50"] = 1.0  # a renamed field would otherwise drop from the report
    changed = tmp_path / "run.json"
    changed.write_text(json.dumps(run))
    assert report.main(["--run", str(changed), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().endswith("fields this version does not know: p50 (a run saved before "
                                                    "typed records, or by a newer version)")


def test_cli_reports_missing_storage_in_one_line(tmp_path, capsys):
    assert report.main(["--storage", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    assert "no saved runs" in capsys.readouterr().err


def test_a_run_is_found_by_its_number(saved_run):
    storage = saved_run.parent.parent
    number = saved_run.name.split("_")[0]
    assert saved_runs.find_run(storage, number) == saved_run
    assert saved_runs.find_run(storage, str(saved_run)) == saved_run
    with pytest.raises(FileNotFoundError, match="no single saved run '9999'"):
        saved_runs.find_run(storage, "9999")


REFERENCE = pages.REFERENCE_RUN_FOLDER


def test_the_committed_reference_report_is_the_rendering_of_its_committed_run(tmp_path):
    """The README's figures come from one saved run: re-rendering it gives the committed report."""
    runs = sorted(REFERENCE.glob("*.json"))
    assert len(runs) == 1, runs
    report.write_report(runs[0], tmp_path)
    assert (tmp_path / "report.md").read_text() == (REFERENCE / "report.md").read_text()
    assert runs[0].name.split("_")[0] in (Path(__file__).resolve().parents[2] / "README.md").read_text()
