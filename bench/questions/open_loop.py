"""How much traffic each set-up holds: an open-loop sweep of offered rates per set-up, from light
load to past saturation (bench.clients.openloop.sweep), p50/p99 and the achieved rate at each;
the knee is the highest rate whose p99 stays under the bound (`--p99-bound-ms`), bracketed by the
rates tried around it. From the knees, the run's memory and its cold starts, a recommendation:
the set-up to deploy for the bound, and how much it beats the seed's. Its benchmark
(bench/test_openloop.py) sweeps each case itself."""
from __future__ import annotations

import os

from bench.clients.openloop import KEEP_UP
from bench.method import plan as plans
from bench.method.plan import Case, Plan, ServerConfig, remote_cases
from bench.questions import cold_starts
from bench.questions.question import Question
from bench.results.formatting import fmt, section
from serving import servers

RECORD = "open loop"
WORKERS = 2  # one worker process per core of this machine: the bursts' set-ups, so their servers serve both
CORES = len(os.sched_getaffinity(0))
# The seed's set-up: gunicorn and the frozen graph, a worker per core; the recommendation beats it or not.
SEED_SETUP = ("static", f"{servers.DEFAULT}-w{WORKERS}")
# --bench-extended sweeps worker counts too; a larger count is pruned when the previous step gained
# less than this over the one before it (Model Analyzer stops a sweep when throughput gains < 5 %).
MIN_GAIN = 0.05


START_RATE = 100.0  # requests/s of a sweep's first trial: light load for every set-up here (p50 within 1 ms of idle)
CEILING = 10_000.0  # no rate above: this machine's Python load generator tops out below it


def trial(plan: Plan) -> tuple[float, int]:
    """Seconds of one rate's trial (at the knees here, 550-3200 requests/s, 440 or more requests),
    and the bisection steps after the doubling (the knee's bracket: ±6 % after 3 steps)."""
    return (0.5, 2) if plan.quick else (0.8, 3)


def cases(plan: Plan) -> list[Case]:
    """The seed's two kinds and every fast kind on every server that serves them, a worker per core
    (each worker's runtime fitted to its share of the cores); with --bench-extended every kind, every
    worker count of the sweep, and the fast set-ups with the runtimes' own thread default; a quick run:
    one set-up."""
    if plan.remote_url:
        return remote_cases(plan)
    if plan.model:  # each form on each server, a worker per core; a quick run: the model as given on one
        return plans.model_cases(plan, WORKERS)[:1 if plan.quick else None]
    if plan.quick:
        return [Case("static", plans.default_server(1))]
    setups = [(graph, servers.DEFAULT) for graph in plans.SWEEP_GRAPHS]
    setups += [(graph, server) for graph in plans.FAST_GRAPHS for server in (servers.DEFAULT, *plans.FAST_KIND_SERVERS)]
    if not plan.extended:
        return [Case(graph, ServerConfig(server, WORKERS)) for graph, server in setups]
    fast = [Case(graph, ServerConfig(server, WORKERS, intra_op_threads=CORES)) for graph, server in setups
            if graph in plans.FAST_GRAPHS]  # the runtimes' own default: a thread per core in every worker
    setups += [(graph, servers.DEFAULT) for graph in plans.ALL_GRAPHS if (graph, servers.DEFAULT) not in setups]
    return [Case(graph, ServerConfig(server, workers)) for graph, server in setups
            for workers in sorted({*plan.workers, WORKERS})] + fast


def pruned(case: Case, knees: dict[str, float]) -> str | None:
    """Why `case` need not be swept (a worker count past where more workers stopped paying), or None.
    `knees`: the knees already found, by case name."""
    fewer = sorted(w for w in range(1, case.config.workers)
                   if str(Case(case.graph, case.config._replace(workers=w))) in knees)
    if len(fewer) < 2:
        return None
    before, last = (knees[str(Case(case.graph, case.config._replace(workers=w)))] for w in fewer[-2:])
    if before and last / before - 1 < MIN_GAIN:
        return (f"pruned: {fewer[-1]} workers held {last:.0f}/s, {last / before - 1:+.0%} over {fewer[-2]} "
                f"({before:.0f}/s), under the {MIN_GAIN:.0%} a step must gain")
    return None


def _sweeps(rows) -> list:
    return [row for row in rows if row.figure.question == RECORD and row.figure.get("trials")]


def recommendation(rows) -> list[dict]:
    """Each swept set-up's max rate under the bound, p50 at the lightest rate, PSS and its kind's cold
    start, best first (ties of rate: less memory first); `front`: on the rate-memory front (no other
    set-up holds more for less memory)."""
    launches = {row.graph: row.median_ms for row in rows if row.figure.question == cold_starts.RECORD}
    found = []
    for row in _sweeps(rows):
        figure, lightest = row.figure, min(row.figure.get("trials"), key=lambda t: t["rate"])
        found.append({"graph": row.graph, "setup": row.setup, "max_rate": figure.get("max_rate"),
                      "beyond_rate": figure.get("beyond_rate"), "light_p50_ms": lightest.get("p50_ms"),
                      "light_rate": lightest["rate"], "pss_mb": (figure.memory or {}).get("pss_mb"),
                      "cold_start_ms": launches.get(row.graph)})
    found.sort(key=lambda s: (-s["max_rate"], s["pss_mb"] if s["pss_mb"] is not None else float("inf")))
    for entry in found:
        entry["front"] = entry["pss_mb"] is not None and not any(_dominates(other, entry) for other in found)
    return found


def _dominates(one: dict, other: dict) -> bool:
    """`one` holds at least `other`'s rate for at most its memory, and is better in one of them."""
    if one["pss_mb"] is None or other["pss_mb"] is None:
        return False
    return (one["max_rate"] >= other["max_rate"] and one["pss_mb"] <= other["pss_mb"]
            and (one["max_rate"] > other["max_rate"] or one["pss_mb"] < other["pss_mb"]))


def headline(rows, run: dict | None = None) -> list[str]:
    """The report's first lines on capacity: the set-up to deploy for the bound, and against the seed's
    (a model file's run: against the model as given on the same server)."""
    found = recommendation(rows)
    if not found:
        return []
    best, bound = found[0], _sweeps(rows)[0].figure.get("p99_bound_ms")
    model = (run or {}).get("model")
    reference, words_for = ((model["given"], SEED_SETUP[1]), "the model as given") if model else (SEED_SETUP, "the seed's set-up")
    seed = next((s for s in found if (s["graph"], s["setup"]) == reference), None)
    words = (f"- **Deploy for p99 ≤ {bound:g} ms** (open loop, {len(found)} set-up{'s' if len(found) > 1 else ''} swept): `{best['graph']}` on "
             f"{best['setup']}, **{best['max_rate']:.0f} requests/s**"
             + (f" (failed at {best['beyond_rate']:.0f})" if best["beyond_rate"] else "")
             + f", p50 {fmt(best['light_p50_ms'])} ms at {best['light_rate']:.0f}/s, PSS {fmt(best['pss_mb'], 0)} MB"
             + (f", cold start {best['cold_start_ms'] / 1000:.1f} s" if best["cold_start_ms"] else ""))
    if seed is not None and seed is not best and seed["max_rate"]:
        words += (f"; **{best['max_rate'] / seed['max_rate'] - 1:.0%} more** than {words_for} (`{seed['graph']}` on "
                  f"{seed['setup']}, {seed['max_rate']:.0f}/s)")
    front = [f"`{s['graph']}` {s['setup']} ({s['max_rate']:.0f}/s, {s['pss_mb']:.0f} MB)" for s in found if s["front"]]
    return [words + ".", *([f"- **Rate–memory front** (none holds more for less): {', '.join(front)}."] if front else [])]


def report(rows) -> list[str]:
    """Its report sections: the recommendation table, then every set-up's curve."""
    found = recommendation(rows)
    table = ["| graph | set-up | max rate (/s) | failed at | p50 at light load (ms) | PSS (MB) | cold start (s) | front |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    table += [f"| {s['graph']} | {s['setup']} | {s['max_rate']:.0f} | {fmt(s['beyond_rate'], 0)} | "
              f"{fmt(s['light_p50_ms'])} at {s['light_rate']:.0f}/s | {fmt(s['pss_mb'], 0)} | "
              f"{fmt(s['cold_start_ms'] and s['cold_start_ms'] / 1000, 1)} | {'yes' if s['front'] else ''} |" for s in found]
    curves = ["| graph | set-up | offered (/s) | achieved (/s) | p50 | p99 | wrong | errors | client CPU | under the bound |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in _sweeps(rows):
        curves += [f"| {row.graph} | {row.setup} | {t['rate']:.0f} | {fmt(t.get('achieved_rate'), 0)} | {fmt(t['p50_ms'])} | "
                   f"{fmt(t['p99_ms'])} | {t['wrong']} | {t['errors']} | {fmt(t.get('client_cpu_share'))} | "
                   f"{'yes' if t['passed'] else 'no'} |" for t in sorted(row.figure.get("trials"), key=lambda t: t["rate"])]
    bound = _sweeps(rows)[0].figure.get("p99_bound_ms") if found else None
    return (section("How much traffic each set-up holds", table if found else [],
                    f"Open loop (a constant schedule, each latency charged from its scheduled send time): the highest "
                    f"offered rate held: p99 under {fmt(bound, 0)} ms, correct answers at {KEEP_UP:.0%} of the offered "
                    "rate or more (a short trial over capacity can keep its p99 while its backlog grows), every "
                    "answer right; the lowest rate "
                    "above it that failed, p50 at the lightest rate tried, the server's PSS after warm-up and its "
                    "kind's cold start on gunicorn-w1; best first. Front: no other set-up holds more for less memory.")
            + section("Throughput–latency curves", curves if found else [],
                      "Every trial of every sweep (`capacity_curves.png`). Client CPU: the load generator's share of a "
                      "core, on the same cores as the server (a wrk2 on another machine would leave the server more)."))


# Its own figures: the knee, the bound, the lowest failing rate above the knee, and every trial.
PART = ("max_rate", "p99_bound_ms", "beyond_rate", "trials")

QUESTION = Question(RECORD, "openloop_case", cases=cases, server_case=lambda case: case, part=PART, report=report,
                    headline=headline)
