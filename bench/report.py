"""`python -m bench.report`: a saved pytest-benchmark run → markdown tables and PNG plots.

Reads pytest-benchmark's own JSON (under `.benchmarks/`), so any saved run can be
reported later, on any machine. Writes `report.md`, `answers.png` (every answer's
ratio with its interval), `static_vs_dynamic.png` and each question's own plots
(`burst_latency_by_rank.png`, the seed's comparison.png per graph kind; `capacity_curves.png`,
each set-up's throughput-latency curve).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.method.verdicts import GATE_THRESHOLDS
from bench.questions import QUESTIONS, parts
from bench.results import pages, plots
from bench.results.formatting import fmt, section
from bench.results.rows import Row, verdict
from bench.results.rows import load_rows as rows_of
from bench.results.saved_runs import DEFAULT_STORAGE, find_run

PARTS = parts()  # each question's own figures, by its record
DEFAULT_OUT = Path("reports")


def load_rows(run: dict) -> list[Row]:
    return rows_of(run, PARTS)


def answers_table(comparisons: list[dict]) -> list[str]:
    """The run's stored `comparisons` (bench.method.paired.Comparison) as a markdown table, in the
    registry's order of questions (after idle, the longest and least certain, last)."""
    from bench.results.comparison import Comparison

    if not comparisons:
        return ["This run stored no paired ratios (it was made before paired measurement, or measured one case)."]
    order = list(QUESTIONS)

    def question_index(entry: dict) -> int:
        return next((index for index, record in enumerate(order) if entry["name"].startswith(record)), len(order))

    lines = ["| question | ratio | interval | answer |", "|---|---:|---|---|"]
    for entry in sorted(comparisons, key=question_index):
        c = Comparison.from_json(entry)
        lines.append(f"| {c.name} | {c.ratio:.3f} | [{c.low:.3f}, {c.high:.3f}] ({c.confidence:.0%}) | {c.words()} |")
    return lines


SERVER_MEMORY = {record for record, question in QUESTIONS.items() if question.server_memory}


def memory_table(rows: list[Row]) -> list[str]:
    """A markdown table: one row per measured server (kind and set-up), its processes' memory."""
    servers: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row.figure.memory and row.figure.question in SERVER_MEMORY:
            servers.setdefault((row.setup, row.graph), row.figure.memory)
    if not servers:
        return []
    lines = ["| set-up | graph | processes | RSS | PSS | USS | PSS per worker | PSS ÷ static |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for (setup, graph), memory in sorted(servers.items()):
        static = servers.get((setup, "static"))
        ratio = f"{memory['pss_mb'] / static['pss_mb']:.2f}" if static and static["pss_mb"] else "–"
        lines.append(f"| {setup} | {graph} | {memory['processes']} | {memory['rss_mb']:.0f} | {memory['pss_mb']:.0f} | "
                     f"{memory['uss_mb']:.0f} | {fmt(memory.get('worker_pss_mb'), 0)} | {ratio} |")
    return lines


def headline(run: dict, rows: list[Row]) -> list[str]:
    """The report's first lines: what a newcomer came for, each figure from this run."""
    comparisons = {c["name"]: c for c in run.get("comparisons", [])}
    seed = [f"{words} **{c['ratio']:.3f}** [{c['low']:.3f}, {c['high']:.3f}]"
            for question in QUESTIONS.values() for words, name in question.seed_ratios if (c := comparisons.get(name))]
    lines = ["## In short", ""]
    model = run.get("model")
    if model:  # a run on a model file (`--model`): which, and what became of each form
        unavailable = [f"`{name}` ({reason})" for name, reason in model["forms"].items() if reason != "measured"]
        lines.append(f"- **Model**: `{model['path']}` ({model['format']}, sha256 {model['sha256'][:12]}), as given: "
                     f"`{model['given']}`; measured: "
                     + ", ".join(f"`{name}`" for name, reason in model["forms"].items() if reason == "measured")
                     + (f"; unavailable: {'; '.join(unavailable)}" if unavailable else "") + ".")
    if seed:
        lines.append(("- **What freezing did**: the frozen graph's time ÷ the model as given's" if model else
                      "- **The seed's question**: the frozen graph's time ÷ model code + checkpoint's")
                     + " (below 1: the frozen graph is faster), with 95 % intervals: " + "; ".join(seed) + ".")
    for question in QUESTIONS.values():  # the answers questions put in words themselves (bench.questions)
        if question.headline:
            lines += question.headline(rows, run)
    if model:  # the gate gates the suite's own code, not a model file
        return lines
    gated = [f"{question.gate.what(rows) if callable(question.gate.what) else question.gate.what} by more than "
             f"{GATE_THRESHOLDS[question.gate.threshold]:.0%}" for question in QUESTIONS.values()
             if question.gate and question.gate.what]
    lines.append("- **What `python -m bench.gate` fails a change for** (it measures the change and its base side by side): "
                 + "; ".join(gated) + "; each only when its interval is wholly beyond the threshold.")
    return lines


def page_blocks(run: dict, run_path: Path) -> dict[str, str]:
    """Every block a page may quote (bench.results.pages), rendered from the saved run."""
    rows = load_rows(run)
    commit = run.get("commit_info", {})
    memory = run.get("peak_memory") or {}
    return {
        "in-short": "\n".join(headline(run, rows)[2:]),  # without its heading
        "run": (f"Run `{Path(run_path).name.split('_')[0]}` of commit `{commit.get('id', '?')[:7]}`"
                f"{' (with uncommitted changes)' if commit.get('dirty') else ''}, {run.get('datetime', '?')[:10]}; "
                + (f"{run['run_seconds']:.0f} s from pytest's start to the saved run{_beyond_default(run)}; "
                   if "run_seconds" in run else "")
                + f"{memory.get('machine_used_peak_mb', '?')} MB used on the machine at its peak, "
                f"{memory.get('run_peak_mb', '?')} MB more than before it."),
        "cases": "\n".join(cases_measured(rows)),
    }


def _beyond_default(run: dict) -> str:
    """What a run's seconds were spent on, question by question, and the flags it ran with beyond a
    default run's (a run saved before they were kept: nothing)."""
    flags = [flag for flag, given in (run.get("options") or {}).items() if given]
    spent = ", ".join(f"{record} {seconds:.0f} s" for record, seconds in (run.get("question_seconds") or {}).items())
    return (f" (`{' '.join(flags)}`)" if flags else "") + (f", of which {spent}" if spent else "")


def cases_measured(rows: list) -> list[str]:
    """What the run measured, question by question, in the registry's order."""
    lines = []
    for record in QUESTIONS:
        cases = sorted({f"{row.graph or '–'} {row.setup}".strip() for row in rows if row.figure.question == record})
        if cases:
            lines.append(f"- {record}: " + ", ".join(f"`{case}`" for case in cases))
    return lines


def markdown(run: dict, source: Path) -> str:
    rows = load_rows(run)
    machine = run.get("machine_info", {})
    # the first figure a server reported for (instruction counts have no server, onnx no TensorFlow)
    first = next((row.figure for row in rows if row.figure.cpu_count), None)
    tensorflow = next((row.figure.tensorflow_version for row in rows if row.figure.tensorflow_version), "?")
    lines = [
        "# tfserve-bench report",
        "",
        f"Run `{source.name}`, {run.get('datetime', '?')}, commit `{run.get('commit_info', {}).get('id', '?')[:10]}`"
        f"{' (uncommitted changes)' if run.get('commit_info', {}).get('dirty') else ''}.",
        f"Machine: {machine.get('cpu', {}).get('brand_raw', machine.get('processor', '?'))}, "
        f"{first.cpu_count if first else '?'} CPUs, Python {machine.get('python_version', '?')}, "
        f"TensorFlow {tensorflow} (as the servers report it), "
        f"gunicorn {machine.get('client', {}).get('packages', {}).get('gunicorn', '?')}.",
        *([f"Peak memory: {memory['machine_used_peak_mb']} MB used on the machine, "
           f"{memory['run_peak_mb']} MB more than before the run."] if (memory := run.get("peak_memory")) else []),
        "",
        *headline(run, rows),
        "",
        "## Answers",
        "",
        "Paired ratios of times, numerator ÷ denominator (below 1: the numerator is faster), every case of a",
        "group measured in one rotation (`bench.method.paired`); median of per-round ratios, bootstrap interval.",
        "",
    ]
    lines += answers_table(run.get("comparisons", []))
    lines += section("Memory by kind and server", memory_table(rows),
                     "Each measured server's processes (master and workers, or the in-process worker) after warm-up, "
                     "MB: RSS counts shared pages once per process, PSS shares them out (the processes' PSS adds up "
                     "to what they hold together), USS is what each holds alone. PSS ÷ static: the same set-up's "
                     "static server.")
    for question in QUESTIONS.values():  # the sections questions bring themselves (bench.questions)
        if question.report:
            lines += question.report(rows)
    lines += ["", "## All benchmarks", "",
              "Latency percentiles are per request, client side; for bursts the median is the burst's wall clock.", "",
              "| group | case | median (ms) | p50 | p90 | p99 | max | req/s | requests | verdict |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in sorted(rows, key=lambda r: (r.group, r.case)):
        f = row.figure
        if f.question in QUESTIONS and not QUESTIONS[f.question].in_benchmark_table:  # e.g. counts, in their own section
            continue
        lines.append(
            f"| {row.group} | {row.case} | {row.median_ms:.2f} | {fmt(f.p50_ms)} | {fmt(f.p90_ms)} | "
            f"{fmt(f.p99_ms)} | {fmt(f.max_ms)} | {fmt(f.requests_per_second, 1)} | "
            f"{f.requests if f.requests is not None else '–'} | {verdict(f)} |"
        )
    return "\n".join(lines) + "\n"


def answers_panel(name: str) -> str:
    """The answers.png panel of a ratio: its question's (the one whose record begins its name)."""
    return next((question.answers_panel for record, question in QUESTIONS.items() if name.startswith(record)),
                QUESTIONS[next(iter(QUESTIONS))].answers_panel)


def write_report(run_path: Path, out: Path) -> list[Path]:
    run = json.loads(Path(run_path).read_text())
    out.mkdir(parents=True, exist_ok=True)
    rows = load_rows(run)
    written = [out / "report.md"]
    written[0].write_text(markdown(run, Path(run_path)))
    if plots.plot_answers(run.get("comparisons", []), out / "answers.png", answers_panel):
        written.append(out / "answers.png")
    own = [plot for question in QUESTIONS.values() for plot in question.plots]  # the questions' own, in their order
    for name, plot in (("static_vs_dynamic.png", plots.plot_static_vs_dynamic), *own):
        if plot(rows, out / name):
            written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="a saved run: its JSON file or its number (e.g. 0006); default: the newest")
    parser.add_argument("--storage", type=Path, default=DEFAULT_STORAGE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pages", action="store_true",
                        help="also rewrite the README's and docs' marked blocks from this run (bench.results.pages): "
                             "for the reference run, `--storage docs/reference-run --out docs/reference-run --pages`")
    args = parser.parse_args(argv)
    try:
        run_path = find_run(args.storage, args.run)
        written = write_report(run_path, args.out)
        if args.pages:
            written += pages.write_pages(pages.ROOT, page_blocks(json.loads(run_path.read_text()), run_path))
    except (OSError, ValueError, KeyError) as error:  # RecordError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
