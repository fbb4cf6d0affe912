"""Instructions per request: what one request costs through the app, counted by callgrind on the
request path's threads, the model's kernels included, for each graph kind (`bench.harness.instructions`:
the app called in-process, no server, TensorFlow's single-threaded executor, runtime threads 1/1,
jemalloc, ASLR off, hash seed 0, warm-up uncounted). The figure for "did my change add work": it
repeats within 0.1 % from run to run (0.004 % in one checkout) where wall clocks here spread 2-4 %. Counted before any wall-clock
question (two valgrind processes at once would disturb those, not each other). Its benchmark:
bench/test_instructions.py."""
from __future__ import annotations

from bench.harness import callgrind_profile, instructions
from bench.harness.callgrind_profile import where_between
from bench.method import headlines
from bench.method.cases import IN_PROCESS, Case
from bench.method.paired import Rotation
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, GRAPH_PAIRS, SWEEP_GRAPHS, kind_policy
from bench.method.rotations import Measured
from bench.questions.question import Gating, Question
from bench.results.comparison import Comparison
from bench.results.formatting import section
from serving import graphs

RECORD = "instructions"
SCENARIO = "instructions per request in-process"
# pytest-benchmark stores times: an instruction figure is handed over as one nanosecond per
# instruction, so its tables and --benchmark-compare read counts (1 ms = 1 M instructions).
SECONDS_PER_INSTRUCTION = 1e-9


# Its own figures: callgrind's count per request through the app in-process on the request path's
# threads (compared and gated), the request thread's share of it, TensorFlow's executor in the counting process
# ("single": repeats; "default": one of two paths per process, see bench.harness.instructions), and
# how many requests were counted.
# Runs saved before (no "executor") hold the request thread's count in per_request and all threads' in
# all_threads_per_request (on the default executor): read, shown as such, never compared with these.
# "profile": the TOP_KEPT largest functions of each kind (Count.profile), so --benchmark-compare can say
# where a count that changed went.
PART = ("per_request", "request_thread_per_request", "executor", "calls", "profile", "all_threads_per_request")


def request_path_and_thread(figure) -> tuple[float, float]:
    """(request path or, saved before, all threads; request thread) per request of a stored figure."""
    if figure.get("executor") is None:
        return figure.get("all_threads_per_request") or 0.0, figure.get("per_request")
    return figure.get("per_request"), figure.get("request_thread_per_request") or 0.0


def cases(plan: Plan) -> list[Case]:
    """The seed's two kinds, counted side by side (38-47 s each under valgrind here, two at a time;
    a third kind, onnx's 51 s, would be a second turn, and a default run has 5 minutes); every kind
    with --bench-extended; a quick run: the kinds off TensorFlow. The gate counts its own cases
    (`GATING.cases`), whatever a run counts."""
    if plan.quick:
        kinds = [kind for kind in ALL_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow"]
    else:
        kinds = ALL_GRAPHS if plan.extended else SWEEP_GRAPHS
    return [Case(kind, IN_PROCESS) for kind in kinds]


def ratios(counts: dict[str, float]) -> list[Comparison]:
    """Exact ratios of the counts between kinds (GRAPH_PAIRS) whose counts repeat (a kind on
    TensorFlow's default executor is left out): no interval; judged between runs by the counts'
    own threshold."""
    return [Comparison(f"{SCENARIO}: {top} / {bottom}", top, bottom, ratio, ratio, ratio, confidence=1.0,
                       measure="instructions")
            for top, bottom in GRAPH_PAIRS if top in counts and bottom in counts
            for ratio in [counts[top] / counts[bottom]]]


def measure_instructions(cases: list[Case], run) -> Measured:
    """Each case (a kind in-process, of the checkout `run.root_of(case)`) counted in a process of
    its own, the longest first, two at a time. Its one "sample" is the count per request, as
    seconds of one nanosecond per instruction."""
    if reason := instructions.missing_tools():
        return Measured(SCENARIO, cases, Rotation({}, {}), {}, method=f"not counted: {reason}")
    # the longest first (TensorFlow's import under valgrind, XLA's compile), so both slots end together
    longest_first = sorted(cases, key=lambda case: (graphs.KINDS[case.graph].runtime != "tensorflow",
                                                    not kind_policy(case.graph).fast))
    counted = dict(zip(map(str, longest_first), instructions.count_all(
        [(run.root_of(case), run.artifacts_of(case), case.graph) for case in longest_first],
        run.texts[:instructions.CALLS])))
    samples = {name: [count.per_request * SECONDS_PER_INSTRUCTION] for name, count in counted.items()}
    faults = {str(case): judged_answers(counted[str(case)], run.judge(case)) for case in cases}
    server_setups = {name: {"server": IN_PROCESS.server, "graph": count.graph, "runtime_threads": [1, 1],
                     "counted_calls": count.calls, "valgrind_seconds": round(count.seconds, 1)}
              for name, count in counted.items()}
    method = (f"callgrind instructions, {instructions.CALLS} requests after {instructions.WARMUP} uncounted, "
              "WSGI app in-process, the request path's threads (runtime helpers apart), TensorFlow's "
              "single-threaded executor, runtime threads 1/1, jemalloc without time-based purging, ASLR off, "
              "PYTHONHASHSEED=0, fair scheduling")
    measured = Measured(SCENARIO, cases, Rotation(samples, samples), server_setups, faults, method=method)
    measured.parts = {name: {"per_request": round(count.per_request, 1),
                             "request_thread_per_request": round(count.request_thread_per_request, 1),
                             "executor": count.executor, "calls": count.calls, "profile": count.profile(TOP_KEPT)}
                      for name, count in counted.items()}
    measured.profiles = dict(counted)  # each case's Count, for where_it_went
    measured.comparisons = ratios({case.graph: counted[str(case)].per_request for case in cases
                                   if not faults[str(case)] and case.config == IN_PROCESS
                                   and counted[str(case)].repeatable})
    return measured


TOP_KEPT = 50  # functions kept in a saved run's record, by instructions (C) and by calls (Python)


def where_it_went(base: instructions.Count, candidate: instructions.Count, top: int = 8) -> list[str]:
    """The gate's: where the candidate's count grew against the base's, every function compared."""
    return callgrind_profile.where_between(base.profile(), candidate.profile(), top)


def request_time_note(case, run) -> str:
    """The kind's request timed without valgrind (the hooks then do nothing), for the gate's output:
    what the counted request is worth in time on this machine."""
    seconds = instructions.seconds_per_request(run.root_of(case), run.artifacts_of(case), case.graph,
                                               run.texts[:instructions.CALLS])
    return (f"a request of {case.graph} takes {seconds * 1e3:.3f} ms in-process here without valgrind, on the "
            "executor the servers use; the count covers the same request, the graph's thread included")


def judged_answers(count: instructions.Count, judge) -> list[str]:
    return [fault for text, status, body in count.answers if (fault := judge(text, status, body.encode()))]


def report(rows) -> list[str]:
    """Its report section: each kind's count per request (the request path's threads), fewest first."""
    found = sorted(((r.figure, *request_path_and_thread(r.figure)) for r in rows if r.figure.question == RECORD),
                   key=lambda row: row[1])
    table = ["| graph | request path | ÷ fewest | request thread alone | executor |", "|---|---:|---:|---:|---|"]
    table += [f"| {f.graph} | {every / 1e6:.3f} M | {every / found[0][1]:.2f} | {request / 1e6:.3f} M | "
              f"{f.get('executor') or 'default (saved before the single-threaded count)'} |" for f, every, request in found]
    return section("Instructions per request", table if found else [],
                   "Counted by callgrind on the request path's threads (the request's and the one TensorFlow runs "
                   "the graph on; a runtime's helper threads, under a tenth of the request thread's count, apart): "
                   "one request through the WSGI app in-process (routing, parsing, encoding, the model's kernels, the JSON answer), the mean of "
                   f"{instructions.CALLS} after {instructions.WARMUP} uncounted, TensorFlow's single-threaded "
                   "executor (it runs the kernels one after another; the servers' executor picks threads by "
                   "timing, and its count takes one of two paths per process), runtime threads 1/1, jemalloc "
                   "without time-based purging, ASLR off, PYTHONHASHSEED=0, fair scheduling. A kind counted on the "
                   "default executor (`saved_model`: its stored loops need it) is shown, not compared exactly. "
                   "Times say how fast. (These rows are counts, not times: they are left out of the table of all "
                   "benchmarks.)")


# no sweep: a model file's forms, someone else's server: nothing of ours to run under valgrind
def counts_of(benchmarks: list[dict]) -> dict[str, float]:
    """name -> instructions per request (the request path's threads), of the figures that
    have one; a run saved before that count (its part has no "executor") has none to compare."""
    return {b["name"]: part["per_request"] for b in benchmarks
            if (part := (b.get("extra_info") or {}).get("part") or {}).get("per_request") and part.get("executor")}


def _where_counts_went(now: dict[str, float], before: dict[str, float], current: list[dict], compared: list[dict],
                       limit: float) -> list[str]:
    """For each count that CHANGED: the functions that grew, among the largest each run kept."""
    profiles = [{b["name"]: b["extra_info"]["part"].get("profile") or {} for b in runs
                 if ((b.get("extra_info") or {}).get("part") or {}).get("executor")} for runs in (compared, current)]
    return [f"  {name}: where it grew, per request: {line}" for name, count in now.items()
            if name in before and abs(count / before[name] - 1) > limit
            for line in where_between(profiles[0].get(name, {}), profiles[1].get(name, {}), top=5)]


def since(current: list[dict], compared: list[dict], thresholds) -> tuple[str, list[str]] | None:
    """The summary's section on the counts since the compared run: which CHANGED, and where they grew."""
    now, before = counts_of(current), counts_of(compared)
    if not now:
        return None
    limit = thresholds.instructions
    return ("instructions per request", headlines.instruction_changes(now, before, limit)
            + _where_counts_went(now, before, current, compared, limit))


def gated_words(rows) -> str:
    """The gated count in the report's words, with the counts of this run."""
    counts = [f"{row.graph} {row.figure.get('per_request') / 1e6:.3f} M" for row in rows
              if row.figure.question == RECORD and row.figure.get("per_request") is not None and row.figure.get("executor")]
    return ("instructions per request (the request path's threads, the model's kernels included"
            + (f"; this run counted {', '.join(counts)}" if counts else "") + ") up")


QUESTION = Question(RECORD, "instructions_case", "instructions per request (callgrind)", cases=cases,
                    case_id=lambda case: case.graph, measure=measure_instructions,
                    gate=Gating(lambda graphs, _server: [Case(graph, IN_PROCESS) for graph in graphs], measure_instructions,
                                threshold="exact", note=request_time_note, where=where_it_went, what=gated_words),
                    report=report, first=True, part=PART, in_benchmark_table=False, since=since)
