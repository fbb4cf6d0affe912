"""Instructions per request: what one request costs through the app, counted by callgrind, for
each graph kind (`bench.harness.instructions`: the app called in-process, no server, runtime
threads 1/1, ASLR off, hash seed 0, warm-up uncounted). The figure for "did my change add work":
it repeats within 0.1 % where wall clocks here spread 2-4 %. Counted before any wall-clock
question (two valgrind processes at once would disturb those, not each other). Its benchmark:
bench/test_instructions.py."""
from __future__ import annotations

from bench.harness import instructions
from bench.method.paired import Rotation
from bench.method.plan import ALL_GRAPHS, GRAPH_PAIRS, IN_PROCESS, SEED_AND_OTHER_RUNTIMES, Case, Plan, kind_policy
from bench.method.rotations import Measured
from bench.questions.question import Gating, Question
from bench.results.comparison import Comparison
from bench.results.formatting import section
from serving import graphs

RECORD = "instructions"
SCENARIO = "instructions per request in-process (request thread)"
ALL_THREADS = "instructions per request in-process, all threads"
# pytest-benchmark stores times: an instruction figure is handed over as one nanosecond per
# instruction, so its tables and --benchmark-compare read counts (1 ms = 1 M instructions).
SECONDS_PER_INSTRUCTION = 1e-9


# Its own figures: callgrind's count per request through the app in-process on the request's thread
# (compared and gated) and on all threads (with TensorFlow's inter-op thread: two modes, see
# bench.harness.instructions), and how many requests were counted.
PART = ("per_request", "all_threads_per_request", "calls")


def cases(plan: Plan) -> list[str]:
    """The seed's two kinds and the other runtimes' (static-xla takes 72 s under valgrind here, the
    other TensorFlow kinds 38-39 s, onnx 12 s, two at a time; a run has 5 minutes), every kind with
    --bench-extended; a quick run: the kinds off TensorFlow."""
    if plan.remote_url or plan.model:
        return []  # someone else's server, a model file: nothing of ours to run under valgrind
    if plan.quick:
        return [kind for kind in ALL_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow"]
    return list(ALL_GRAPHS) if plan.extended else list(SEED_AND_OTHER_RUNTIMES)


def ratios(counts: dict[str, float]) -> list[Comparison]:
    """Exact ratios of all threads' counts between kinds (GRAPH_PAIRS), what a request costs in all:
    no interval; not judged between runs (TensorFlow's inter-op thread has two modes)."""
    return [Comparison(f"{ALL_THREADS}: {top} / {bottom}", top, bottom, ratio, ratio, ratio, confidence=1.0,
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
              "WSGI app in-process, runtime threads 1/1, ASLR off, PYTHONHASHSEED=0, fair scheduling; "
              "the request's thread (all threads beside it)")
    measured = Measured(SCENARIO, cases, Rotation(samples, samples), server_setups, faults, method=method)
    measured.parts = {name: {"per_request": round(count.per_request, 1),
                             "all_threads_per_request": round(count.all_threads_per_request, 1), "calls": count.calls}
                      for name, count in counted.items()}
    measured.comparisons = ratios({case.graph: counted[str(case)].all_threads_per_request for case in cases
                                   if not faults[str(case)] and case.config == IN_PROCESS})
    return measured


def request_time_note(case, run) -> str:
    """The kind's request timed without valgrind (the hooks then do nothing), for the gate's output:
    what the counted request is worth in time on this machine."""
    seconds = instructions.seconds_per_request(run.root_of(case), run.artifacts_of(case), case.graph,
                                               run.texts[:instructions.CALLS])
    return (f"a request of {case.graph} takes {seconds * 1e3:.3f} ms in-process here without valgrind, "
            "the runtime's threads included")


def judged_answers(count: instructions.Count, judge) -> list[str]:
    return [fault for text, status, body in count.answers if (fault := judge(text, status, body.encode()))]


def report(rows) -> list[str]:
    """Its report section: each kind's count per request, fewest first."""
    found = sorted((r.figure for r in rows if r.figure.question == RECORD), key=lambda f: f.get("per_request"))
    table = ["| graph | request thread | ÷ fewest | all threads |", "|---|---:|---:|---:|"]
    table += [f"| {f.graph} | {f.get('per_request') / 1e6:.3f} M | {f.get('per_request') / found[0].get('per_request'):.2f} | "
              f"{(f.get('all_threads_per_request') or 0) / 1e6:.3f} M |" for f in found]
    return section("Instructions per request", table if found else [],
                   "Counted by callgrind: one request through the WSGI app in-process (routing, parsing, encoding, "
                   f"prediction, the JSON answer), the mean of {instructions.CALLS} after {instructions.WARMUP} "
                   "uncounted, runtime threads 1/1, ASLR off, PYTHONHASHSEED=0, fair scheduling. The request "
                   "thread's count (the app, the Python side of the runtime's call; ONNX Runtime's model too) is "
                   "the figure to compare commits on; all threads add TensorFlow's inter-op thread, which runs "
                   "its graphs and whose count takes one of two paths per process. Times say how fast. (These "
                   "rows are counts, not times: they are left out of the table of all benchmarks.)")


QUESTION = Question(RECORD, "instructions_graph", "instructions per request (callgrind)", cases=cases,
                    measure=lambda kinds, run: measure_instructions([Case(kind, IN_PROCESS) for kind in kinds], run),
                    gate=Gating(lambda graphs, _server: [Case(graph, IN_PROCESS) for graph in graphs], measure_instructions,
                                threshold="exact", note=request_time_note),
                    report=report, first=True, part=PART)
