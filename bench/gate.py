"""`python -m bench.gate --base REF`: is the candidate slower than the base? An A/B test in one job.

The base commit is checked out in a temporary git worktree; each side trains (or reuses) its
model. Each gated question (`bench.questions`, its `gate` entry) is measured as the suite
measures it, base and candidate as two sides of every case in one rotation, each side's
servers, probes and counts running its own code (`bench.questions.gating`): instructions per
request (callgrind, exact), single requests, bursts of 20 on 2 workers, load + first prediction.
A time figure's verdict uses the per-round medians: the median of the paired ratios candidate ÷
base with a bootstrap interval, each side's servers two processes (a launch's own speed averaged);
a count's is its ratio. With static and dynamic gated, their single-request ratio (static ÷
dynamic) is shown beside them, not judged (`bench.method.verdicts`).

Exit 0: no figure significantly slower than its threshold (each interval at the confidence corrected
for every gated time figure and every look: `bench.method.verdicts.family_confidence`), printing
the smallest slowdown the run could have shown; exit 1: a figure slower (its interval's bottom above
the threshold), with the table, or a candidate that cannot serve or answers wrongly;
exit 2: only when the base cannot be compared (it cannot run, or a tool is missing).
An intended slowdown is accepted on record: a `Perf-Accepted: <reason>` trailer in the
candidate's commit message turns a FAIL into exit 0, printing the reason and the ratio.
Every answer is judged against that side's own model.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.harness import checkouts
from bench.harness.checkouts import CheckoutError, Side, checkout, git
from bench.harness.instructions import CountError, missing_tools
from bench.harness.interrupts import sigterm_as_ctrl_c
from bench.harness.line_process import LineProcessError
from bench.harness.memory import PeakMemory
from bench.harness.supervisor import PROJECT_ROOT, ServerError
from bench.method.plan import Plan
from bench.method.policy import SWEEP_GRAPHS
from bench.method.subject import request_texts
from bench.method.verdicts import (
    CANNOT_DECIDE,
    GATE_THRESHOLDS,
    LOOKS,
    GateComparison,
    compare,
    family_confidence,
    outcome,
)
from bench.questions import QUESTIONS, gating, knobs
from bench.results.gate_report import markdown, table
from serving import servers

TEXTS = request_texts()  # the suite's texts: held-out sentences, sent in turn
ACCEPT_TRAILER = "Perf-Accepted"
GROUPS = tuple(record for record, question in QUESTIONS.items() if question.gate)  # instructions first
# the group names before the registry ("requests")
ALIASES = {question.gate.alias: record for record, question in QUESTIONS.items() if question.gate and question.gate.alias}


GateError = CheckoutError  # the gate cannot run one side; exit 2 with this message


def prepare_side(name: str, root: Path, cache: Path) -> Side:
    return checkouts.prepare_side(name, root, cache, TEXTS)


def accepted_reason(candidate_root: Path) -> str | None:
    """The `Perf-Accepted:` trailer of the candidate's commit message, if any."""
    try:
        value = git("log", "-1", f"--format=%(trailers:key={ACCEPT_TRAILER},valueonly)", cwd=candidate_root)
    except GateError:
        return None
    return value.strip() or None


def run_gate(base_ref: str, candidate_root: Path, args, plan: Plan, phases: dict[str, float]) -> list[GateComparison]:
    """Base and candidate, each with its own code and model, measured side by side and compared:
    the gated questions in the registry's order (instructions first, on a machine no server shares).
    Each phase's seconds go into `phases` and to stderr as it ends, so a slow gate says where."""
    thresholds = {"fine": args.threshold, "coarse": args.coarse_threshold, "exact": args.instructions_threshold,
                  gating.INFO_KIND: args.coarse_threshold}
    questions = gating.gated([group for group in GROUPS if group in args.groups])
    # one confidence for every time figure's interval at every look: the whole gate's false-FAIL rate
    figures = sum(len(q.gate.cases(tuple(args.graphs), args.server)) for q in questions if q.gate.threshold != "exact")
    each = family_confidence(args.confidence, figures, args.looks)
    if "instructions" in args.groups and (reason := missing_tools()):
        raise GateError(f"cannot count instructions: {reason}")
    found = []
    clock = time.monotonic()

    def phase_done(name: str) -> None:
        nonlocal clock
        phases[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()
        print(f"gate: {name} took {phases[name]:.0f} s", file=sys.stderr, flush=True)

    with checkout(base_ref, candidate_root) as base_root:
        cache = candidate_root / ".cache" / "artifacts"
        base = prepare_side("base", base_root, cache)  # a base that cannot be prepared: cannot decide (exit 2)
        try:
            candidate = prepare_side("candidate", candidate_root, cache)
        except CheckoutError as error:  # its own code cannot train or load its model: it fails
            raise gating.SideFailed("candidate", f"candidate: {error}") from None
        run = gating.SidesRun([base, candidate], plan, TEXTS)
        phase_done("preparing both sides")
        try:
            gating.check_sides_serve(run, tuple(args.graphs), args.server)
            phase_done("checking both sides serve")
            by_question = []
            for question in questions:
                by_question.append(gating.measure_question(question, tuple(args.graphs), args.server, run,
                                                           args.extra_budget, thresholds, each, args.looks))
                phase_done(question.record)
            figures = [figure for question in by_question for figure in question]
            # the launch floor of every verdict pooled over all questions' spreads: more degrees of freedom
            spreads = tuple(spread for question in by_question if question for spread in question[0].spreads)
            for figure in figures:
                variance, df = figure.launch_floor(spreads) if figure.spreads else (0.0, 0)
                found.append(compare(figure.label, figure.base, figure.candidate, each, thresholds[figure.kind],
                                     figure.kind == "exact", figure.note, tuple(figure.where),
                                     judged=figure.kind != gating.INFO_KIND,
                                     launch_variance=variance, launch_offsets=df))
        except (ServerError, LineProcessError, CountError) as error:
            raise GateError(f"a side could not be measured: {error}") from None
        finally:
            run.stop_all()
    return found


def write_outputs(args, found: list[GateComparison], status: int, words: str, seconds: float, peak: dict,
                  phases: dict[str, float]) -> None:
    if args.json:
        args.json.write_text(json.dumps({"status": status, "outcome": words, "duration_s": round(seconds, 1),
                                         "phases_s": phases, "peak_memory": peak,
                                         "comparisons": [c.as_json() for c in found]}, indent=2))
    if args.markdown:
        args.markdown.write_text(markdown(found, words, seconds))


def gate_flags() -> list:
    """(flag, the question's gate rounds) of every gated question's flags (bench.questions.question.GateFlag)."""
    return [(flag, question.knobs.gate) for question in QUESTIONS.values() if question.gate for flag in question.gate.flags]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.gate", description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="git ref of the base (default: the previous commit)")
    parser.add_argument("--candidate", type=Path, default=PROJECT_ROOT, help="checkout to test (default: this one)")
    parser.add_argument("--graph", dest="graphs", action="append", help="graph kind(s) to gate (default: the seed's two, dynamic and static)")
    parser.add_argument("--server", default=servers.DEFAULT, choices=list(servers.SERVERS),
                        help="the server single requests and bursts go through (default: %(default)s)")
    parser.add_argument("--group", dest="groups", action="append", choices=GROUPS + tuple(ALIASES),
                        help=f"gated question(s) to compare (default: all: {', '.join(GROUPS)})")
    parser.add_argument("--instructions-threshold", type=float, default=GATE_THRESHOLDS["exact"],
                        help="allowed growth of instructions per request, a fraction (default %(default)s)")
    parser.add_argument("--threshold", type=float, default=GATE_THRESHOLDS["fine"],
                        help="allowed slowdown of single requests, a fraction (default %(default)s)")
    parser.add_argument("--coarse-threshold", type=float, default=GATE_THRESHOLDS["coarse"],
                        help="allowed slowdown of bursts and loads, whose intervals are wider (default %(default)s)")
    parser.add_argument("--looks", type=int, default=LOOKS, metavar="N",
                        help="judge each wall-clock question up to N times, rotating again while a figure looks slower than "
                             "its threshold without its interval showing it; every interval's confidence pays for the N looks "
                             "(default %(default)s)")
    parser.add_argument("--extra-budget", type=float, default=60.0, metavar="S",
                        help="with --looks above 1: seconds the looks after the first may take per wall-clock question "
                             "(default %(default)s)")
    for flag, rounds in gate_flags():  # the gated questions' own gate rounds are the defaults (their KNOBS)
        parser.add_argument(flag.flag, type=int, default=getattr(rounds, flag.field), help=f"{flag.help} (default %(default)s)")
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="the whole gate's: a change that slows nothing FAILs with chance under 1 - this, every "
                             "figure and look together (default %(default)s)")
    parser.add_argument("--json", type=Path, help="write every comparison and the outcome as JSON here")
    parser.add_argument("--markdown", type=Path, help="write a table for a CI job summary here")
    args = parser.parse_args(argv)
    if (any(getattr(args, flag.dest) < flag.least for flag, _ in gate_flags()) or not 0 < args.confidence < 1
            or min(args.threshold, args.coarse_threshold, args.instructions_threshold) <= 0 or args.looks < 1):
        parser.error("need at least 3 rounds of each, --requests >= 1, --looks >= 1, 0 < --confidence < 1 and thresholds > 0")
    args.graphs = tuple(args.graphs or SWEEP_GRAPHS)  # the seed's two kinds (bench.method.policy)
    args.groups = tuple(ALIASES.get(group, group) for group in (args.groups or GROUPS))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = Plan.for_gate(knobs(), {record: replace(question.knobs.gate, **{
        flag.field: getattr(args, flag.dest) for flag in question.gate.flags}) for record, question in QUESTIONS.items()
        if question.gate and question.gate.flags})
    # SIGTERM (a CI runner cancelling the job) takes Ctrl-C's path, so the servers, probes and the
    # base's worktree are stopped and removed by the same `finally` blocks.
    sigterm_as_ctrl_c()
    started, memory = time.monotonic(), PeakMemory().start()
    found: list[GateComparison] = []
    phases: dict[str, float] = {}
    try:
        found = run_gate(args.base, args.candidate.resolve(), args, plan, phases)
        for comparison in found:
            print(table(comparison))
        status, words = outcome(found, accepted_reason(args.candidate.resolve()), ACCEPT_TRAILER)
    except gating.SideFailed as error:  # a candidate that cannot serve or answers wrongly is never accepted
        status, words = (1, f"FAIL: {error}") if error.side == "candidate" else (CANNOT_DECIDE, f"cannot decide: {error}")
    except GateError as error:
        status, words = CANNOT_DECIDE, f"cannot decide: {error}"
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: everything is stopped by now
        memory.stop()
        print(f"gate interrupted ({interrupt or 'Ctrl-C'}): servers, probes and the worktree were stopped", file=sys.stderr)
        return 130
    seconds = time.monotonic() - started
    memory.stop()
    peak = memory.as_json()
    print(f"gate took {seconds:.0f} s; peak memory {peak['machine_used_peak_mb']} MB used on the machine "
          f"({peak['run_peak_mb']} MB more than before the gate)")
    print(words, file=sys.stdout if status == 0 else sys.stderr)
    write_outputs(args, found, status, words, seconds, peak, phases)
    return status


if __name__ == "__main__":
    sys.exit(main())
