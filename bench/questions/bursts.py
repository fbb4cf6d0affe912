"""Bursts of 20 requests released together (the seed's stress test), per worker count and server:
each case fires a window of bursts back to back, cases taking turns. Its benchmark: bench/test_burst.py."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.clients.http import BurstClient
from bench.harness.server_pool import ServerPool
from bench.method.cases import (
    IN_PROCESS,
    MICRO_BATCHING,
    OTHER_SEED_SERVERS,
    OTHER_SERVERS,
    Case,
    ServerConfig,
    default_server,
)
from bench.method.launches import launches_of, of_case
from bench.method.oracle import judged
from bench.method.paired import Stream
from bench.method.plan import Plan
from bench.method.policy import FAST_GRAPHS, FAST_KIND_SERVERS, SWEEP_GRAPHS
from bench.method.rotations import Measured, rotate_toward_precision, timed_units, windows_method
from bench.method.rounds import Knobs, Rounds
from bench.method.subject import Sweep
from bench.method.validity import Rules
from bench.questions import single_requests
from bench.questions.question import GateFlag, Gating, Question
from bench.results import plots
from bench.results.formatting import section
from bench.results.rows import fastest
from serving import graphs, servers

RECORD = "burst"
THREADS = 20  # requests released together (the seed's stress test)
# Windows of 2 bursts after 1 untimed: a burst varies with how 20 requests meet the workers, so a
# round keeps the median of 2; the gate takes more rounds. A full run: on two servers per case
# (bench.method.launches), fewer rounds for the same time.
KNOBS = Knobs(quick=Rounds(4, 2, 1), full=Rounds(14, 2, 1, launches=2, extra_s=30), gate=Rounds(16, 2, 1, launches=2))
# A default run's fast kinds in bursts: the ones off TensorFlow (onnx). static-xla's two set-ups cost
# four XLA launches and their turns (~20 s of a 5-minute run), and onnx beat them (0.775 [0.682, 0.875]
# of static-xla's burst on granian-w2 in the reference run of 901ea09): they come with --bench-extended.
OFF_TENSORFLOW_FAST_GRAPHS = tuple(kind for kind in FAST_GRAPHS if graphs.KINDS[kind].runtime != "tensorflow")


def rules(plan: Plan) -> Rules:
    """Rules count requests: 10 bursts of 20 at least in a full run; a burst varies with how 20
    requests meet the workers, so ±10 %."""
    return Rules(60, 0.1, 0.20) if plan.quick else Rules(200, 0.5, 0.10)


def cases(plan: Plan) -> list[Case]:
    configs = [default_server(w) for w in plan.workers]
    if plan.extended:  # the seed's threaded dev server; the question here is worker counts
        configs[:0] = OTHER_SEED_SERVERS
    cases = [Case(graph, config) for config in configs for graph in SWEEP_GRAPHS]
    if not plan.quick:  # the fast kinds (TensorFlow's with --bench-extended), and micro-batching where it wins
        fast = FAST_GRAPHS if plan.extended else OFF_TENSORFLOW_FAST_GRAPHS
        cases += [Case(graph, ServerConfig(server, 2)) for server in (servers.DEFAULT, *FAST_KIND_SERVERS)
                  for graph in fast]
        cases += [Case("static", MICRO_BATCHING)]
    if plan.extended:  # and where they were measured to lose or tie; waitress's thread pool
        cases += [Case("saved_model", default_server(2)), Case("static-xla", MICRO_BATCHING)]
        cases += [Case(graph, config) for config in OTHER_SERVERS for graph in SWEEP_GRAPHS]
    return cases


def measure_bursts(cases: list[Case], plan: Plan, pool: ServerPool, texts: list | Callable, judge, record: str = RECORD,
                   name: str = f"burst of {THREADS}") -> Measured:
    """Bursts of `THREADS` requests released together: each case fires a window of bursts back to
    back (the first few judged but not timed), cases taking turns window by window; each case on its
    rounds' `launches` servers, its intervals holding the spread between them (bench.method.launches).
    `record`, `name`: the question measuring them (its rounds) and its figures' name (the peers' too);
    `texts`: what every case sends, or case -> what it sends (the peers': each its protocol's)."""
    size = plan.rounds_of(record)
    sent = texts if callable(texts) else lambda case: texts
    processes = launches_of(cases, size.launches)
    clients = {str(process): BurstClient(pool.endpoint(process), sent(process), THREADS) for process in processes}
    rotation, added = rotate_toward_precision([Stream(name, client.timed_unit) for name, client in clients.items()],
                                              size, cases, rules(plan), size.extra_s)
    server_setups = {str(case): pool.server_setup_of(case) for case in cases}
    memory = {str(case): pool.memory_of(case) for case in cases}
    faults, latencies = {}, {}
    for case in cases:
        faults[str(case)], latencies[str(case)] = [], []
        for process in of_case(case, processes):
            client = clients[str(process)]  # every burst's answers judged, the warm-up's too
            faults[str(case)] += client.errors + judged(client.answers, judge(case))
            latencies[str(case)] += timed_units(client.bursts, rotation.rounds, size.per_round, size.discard)
    method = windows_method(size.per_round, size.discard, "bursts", size.launches, added)
    return Measured(name, cases, rotation, server_setups, faults, latencies,
                    method=method, memory=memory).finish()


def measure(cases: list[Case], run) -> Measured:
    return measure_bursts(cases, run.plan, run.pool, run.texts, run.judge)


def efficiency(rows) -> list[tuple[str, str, float, float, float]]:
    """(graph, set-up, burst wall ms, ideal ms, ratio): ideal = threads × in-process p50 ÷ CPU cores.

    The ideal is what the cores need if requests cost only their graph call and
    run perfectly in parallel; the ratio says how far HTTP, queueing and workers
    are from that.
    """
    floor = {r.graph: r.figure.p50_ms for r in rows
             if r.figure.question == single_requests.RECORD and r.figure.server == IN_PROCESS.server and r.figure.p50_ms}
    result = []
    for row in rows:
        if row.figure.question == RECORD and row.graph in floor:
            ideal = row.figure.get("threads") * floor[row.graph] / max(1, int(row.figure.cpu_count or 1))
            result.append((row.graph, row.setup, row.median_ms, ideal, row.median_ms / ideal))
    return sorted(result, key=lambda item: item[4])


def report(rows) -> list[str]:
    """Its report section: each burst against what the cores would need."""
    table = ["| graph | set-up | burst (ms) | ideal (ms) | ratio |", "|---|---|---:|---:|---:|"]
    table += [f"| {g} | {s} | {b:.1f} | {i:.1f} | {r:.2f} |" for g, s, b, i, r in efficiency(rows)]
    return section("Burst against the cores' ideal", table if len(table) > 2 else [],
                   "Wall clock of a burst ÷ (threads × in-process p50 ÷ CPU cores), best first.")


# Its own figures: requests released together, and each rank's latency (the i-th fastest request of
# a burst), the median over bursts, ms.
PART = ("threads", "latency_by_rank_ms")

def plot_burst_by_rank(rows: list, path: Path) -> bool:
    """Per-request latency by rank within a burst, a line per server set-up, a panel per graph kind."""
    bursts = [r for r in rows if r.figure.question == RECORD and r.figure.get("latency_by_rank_ms")]
    if not bursts:
        return False
    plt = plots.pyplot()

    graphs = sorted({r.graph for r in bursts})
    figure, axes = plt.subplots(1, len(graphs), figsize=(6 * len(graphs), 4.5), sharey=True, squeeze=False)
    for axis, graph in zip(axes[0], graphs):
        for row in sorted((r for r in bursts if r.graph == graph), key=lambda r: (r.figure.server, r.figure.workers)):
            axis.plot(row.figure.get("latency_by_rank_ms"), marker="o", markersize=3, label=row.setup)
        axis.set_title(f"{graph} graph: burst of {bursts[0].figure.get('threads')} requests")
        axis.set_xlabel("request, fastest to slowest (median over bursts)")
        axis.set_ylabel("client latency (ms)")
        axis.grid(alpha=0.3)
        axis.legend()
    plots.save(figure, path)
    return True


QUESTION = Question(RECORD, "burst_case", "bursts", cases=cases, server_case=lambda case: case, measure=measure, part=PART,
                    report=report, sweep=Sweep(2), server_memory=True,
                    headline=lambda rows, run: fastest(rows, RECORD, "a burst of 20 requests", "burst time", "gunicorn-w2", run),
                    seed_ratios=(("a burst of 20 on 1 worker", "burst of 20 gunicorn-w1: static / dynamic"),
                                 ("on 2 workers", "burst of 20 gunicorn-w2: static / dynamic")),
                    plots=(("burst_latency_by_rank.png", plot_burst_by_rank),),
                    gate=Gating(lambda graphs, server: [Case(graph, default_server(2, server)) for graph in graphs], measure,
                                threshold="coarse", what="bursts slower", alias="bursts",
                                flags=(GateFlag("--burst-rounds", "rounds", "rounds of bursts"),)),
                    knobs=KNOBS)
