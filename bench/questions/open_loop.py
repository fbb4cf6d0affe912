"""How much traffic each set-up holds: open-loop trials of offered rates per set-up, from light load
to past saturation, p50/p99, the achieved rate and the server's CPU per answer at each; the knee is
the highest rate held under the bound (`--p99-bound-ms`) by the rule of `bench.clients.capacity`,
the median of several searches with their interval, then verified. From the knees, the run's memory
and its cold starts, a recommendation: the set-up to deploy for the bound, the command that serves
it, and how much it beats the seed's. Its benchmark (bench/test_openloop.py) searches each case.
pytest-benchmark stores seconds per request at each search's knee, so `--benchmark-compare-fail`
fails a run whose capacity fell."""
from __future__ import annotations

import os
import shlex
import time
from pathlib import Path
from statistics import median

from bench.clients.capacity import Search, SearchRule
from bench.method import headlines
from bench.method.cases import Case, ServerConfig, default_server
from bench.method.paired import Rotation
from bench.method.plan import Plan
from bench.method.policy import ALL_GRAPHS, FAST_GRAPHS, FAST_KIND_SERVERS, SWEEP_GRAPHS
from bench.method.rotations import Measured
from bench.method.subject import Sweep
from bench.questions import cold_starts, peers
from bench.questions.question import Question
from bench.results import plots
from bench.results.formatting import fmt, section
from serving import peers as serving_peers
from serving import servers
from serving.settings import Settings

RECORD = "open loop"
ROOT = Path(__file__).resolve().parents[2]  # the checkout the command is run from
WORKERS = 2  # one worker process per core of this machine: the bursts' set-ups, so their servers serve both
CORES = len(os.sched_getaffinity(0))
# The seed's set-up: gunicorn and the frozen graph, a worker per core; the recommendation beats it or not.
SEED_SETUP = ("static", f"{servers.DEFAULT}-w{WORKERS}")
# --bench-extended sweeps worker counts too; a larger count is pruned when the previous step gained
# less than this over the one before it (Model Analyzer stops a sweep when throughput gains < 5 %).
MIN_GAIN = 0.05


def rule(plan: Plan) -> SearchRule:
    """The capacity search's sizes (`bench.clients.capacity`): a full run searches five times and
    verifies the knee three times for 2 s; a quick run once, verified once."""
    if plan.quick:
        return SearchRule(trial_s=0.5, steps=2, searches=1, verify=1, verify_s=1.0)
    return SearchRule()


def command(settings: Settings) -> str:
    """The command that serves what was measured: the settings the server was launched with, on the
    default port (thread counts left to the server, it chooses them again as it did)."""
    argv = settings.argv()
    if "--port" in argv:
        at = argv.index("--port")
        del argv[at:at + 2]
    for flag in ("--artifacts", "--model"):  # paths inside the checkout, from its root: they hold on another machine
        if flag in argv and Path(argv[argv.index(flag) + 1]).is_relative_to(ROOT):
            argv[argv.index(flag) + 1] = str(Path(argv[argv.index(flag) + 1]).relative_to(ROOT))
    return shlex.join(["python", "-m", "serving", "run", *argv])


def served_by(process) -> str:
    """The command that serves a launched case: ours (`command`), or a peer's, in its own environment."""
    if getattr(process, "peer", None) is None:
        return command(process.settings)
    argv = process.command[1:]
    at = argv.index("--port")
    del argv[at:at + 2]
    artifacts = Path(argv[argv.index("--artifacts") + 1])
    if artifacts.is_relative_to(ROOT):
        argv[argv.index("--artifacts") + 1] = str(artifacts.relative_to(ROOT))
    return shlex.join(["python", *argv]) + "  (in its environment: python -m serving.peers build)"


def cases(plan: Plan) -> list[Case]:
    """The seed's two kinds and every fast kind on every server that serves them, a worker per core
    (each worker's runtime fitted to its share of the cores); with --bench-extended every kind, every
    worker count of the sweep, and the fast set-ups with the runtimes' own thread default; a quick run:
    one set-up."""
    if plan.quick:
        return [Case("static", default_server(1))]
    setups = [(graph, servers.DEFAULT) for graph in SWEEP_GRAPHS]
    setups += [(graph, server) for graph in FAST_GRAPHS for server in (servers.DEFAULT, *FAST_KIND_SERVERS)]
    # the peers asked for (--bench-peers), a worker per core: they compete for the recommendation too
    # (not the gRPC ones: the open loop's client speaks HTTP only)
    peer_cases = [Case("onnx", ServerConfig(peer, WORKERS)) for peer in plan.peers if not serving_peers.get(peer).over_grpc]
    if not plan.extended:
        return [Case(graph, ServerConfig(server, WORKERS)) for graph, server in setups] + peer_cases
    fast = [Case(graph, ServerConfig(server, WORKERS, intra_op_threads=CORES)) for graph, server in setups
            if graph in FAST_GRAPHS]  # the runtimes' own default: a thread per core in every worker
    setups += [(graph, servers.DEFAULT) for graph in ALL_GRAPHS if (graph, servers.DEFAULT) not in setups]
    return [Case(graph, ServerConfig(server, workers)) for graph, server in setups
            for workers in sorted({*plan.workers, WORKERS})] + fast + peer_cases


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


NOTHING_HELD_S = 1.0  # the seconds per request stored for a search that held no rate at all


def measure(cases: list[Case], run) -> Measured:
    """Every set-up's capacity, the set-ups interleaved: search 1 of each in turn, then each later search
    of each on fresh launches of every server (started together), each round in a rotated order, then
    each set-up's verification on its last launch. A slow stretch of the machine then lands on every
    set-up alike, and each knee's interval spans the whole sweep (the machine's speed here moves by
    tens of percent within minutes). --bench-extended's larger worker counts are pruned after the first
    round. `Measured.parts`: each case's figures (its record's part), or `{"pruned": why}`;
    `Measured.samples`: seconds per request at each search's knee (what pytest-benchmark keeps)."""
    sizes, pool, started = rule(run.plan), run.pool, time.perf_counter()
    # a peer is sent the texts in its own protocol and judged in it (bench.questions.peers)
    peer_requests, peer_judge = peers.requests_for(run), peers.judges_for(run)
    searches = {str(case): Search(peer_requests(case) if case.config.peer else run.texts,
                                  peer_judge(case) if case.config.peer else run.judge(case),
                                  run.plan.p99_bound_ms, sizes, pool.cpu_clock_of(case))
                for case in cases}
    measured = Measured(RECORD, cases, Rotation({}, {}), {}, method=sizes.words())
    live, first_knees = [], {}
    for case in cases:
        if reason := pruned(case, first_knees):
            measured.parts[str(case)] = {"pruned": reason}
            continue
        if _down(measured, pool, case):
            continue
        search = searches[str(case)]
        if _answers_wrong(measured, case, search.warm_up(pool.endpoint(case))):
            continue
        first_knees[str(case)] = search.first(pool.endpoint(case))
        live.append(case)
    for round_index in range(1, sizes.searches):
        launched = [case for case in live if case.config.launched and first_knees[str(case)]]
        pool.relaunch(launched)
        for case in [case for case in launched if _down(measured, pool, case)]:
            live.remove(case)
        order = live[round_index % len(live):] + live[:round_index % len(live)] if live else []
        for case in order:
            if not first_knees[str(case)]:
                continue  # nothing held even at light load: no knee to search around
            search = searches[str(case)]
            if case in launched and _answers_wrong(measured, case, search.warm_up(pool.endpoint(case))):
                live.remove(case)
                continue
            search.again(pool.endpoint(case))
    for case in live:
        search = searches[str(case)]
        search.verify(pool.endpoint(case))
        found = search.capacity
        if wrong := [trial for trial in found.trials + found.verification if trial["wrong"]]:
            measured.faults[str(case)] = [f"wrong answers at {wrong[0]['rate']:.0f} requests/s: {wrong[0]['first_wrong']}"]
        seconds = [1 / knee if knee else NOTHING_HELD_S for knee in found.knees]
        measured.rotation.samples[str(case)] = measured.rotation.round_medians[str(case)] = seconds
        measured.server_setups[str(case)] = pool.server_setup_of(case)
        measured.memory[str(case)] = pool.memory_of(case)
        cpu_ms, (low, high) = found.cpu_ms_per_request(), found.interval
        measured.parts[str(case)] = {
            "max_rate": found.knee, "max_rate_low": low, "max_rate_high": high, "knees": found.knees,
            "p99_bound_ms": run.plan.p99_bound_ms, "beyond_rate": found.beyond, "trials": found.points,
            "verification": found.verification, "verified_rate": found.verified_rate, "cpu_ms_per_request": cpu_ms,
            "cpu_bound_rate": round(CORES * 1000 / cpu_ms, 1) if cpu_ms else None, "rule": sizes.words(),
            "command": served_by(pool.get(case)) if case.config.launched else None}
    object.__setattr__(measured.rotation, "duration_s", time.perf_counter() - started)
    return measured


def _down(measured: Measured, pool, case: Case) -> bool:
    """A peer the pool could not start: its case fails with why, the others are searched."""
    if case.config.peer:
        pool.start([case])
        if why := pool.failure_of(case):
            measured.faults[str(case)] = [f"could not start: {why}"]
            return True
    return False


def _answers_wrong(measured: Measured, case: Case, warm_up: dict) -> bool:
    """A server that answers wrongly or not at all even at light load is broken, not slow: its case fails."""
    if warm_up["wrong"] or warm_up["errors"]:
        measured.faults[str(case)] = [f"at {warm_up['rate']:.0f} requests/s (warm-up): {warm_up['wrong']} wrong, "
                                      f"{warm_up['errors']} errors; first wrong: {warm_up['first_wrong'] or 'none'}"]
        return True
    return False


def _sweeps(rows) -> list:
    return [row for row in rows if row.figure.question == RECORD and row.figure.get("trials")]


def recommendation(rows) -> list[dict]:
    """Each swept set-up's knee under the bound with its interval and verification, p50 at the lightest
    rate, PSS, its kind's cold start, the server's CPU per request and the bound it implies, and the
    command that serves it; best first: set-ups whose knee held every verification trial, then by
    knee (ties: less memory first). `front`: on the rate-memory front (no other holds more for less)."""
    launches = {row.graph: row.median_ms for row in rows if row.figure.question == cold_starts.RECORD}
    found = []
    for row in _sweeps(rows):
        figure, lightest = row.figure, min(row.figure.get("trials"), key=lambda t: t["rate"])
        verification = figure.get("verification") or []
        claim = figure.get("verified_rate") if "verified_rate" in figure.part else figure.get("max_rate")
        at_claim = [t for t in verification if t["rate"] == claim]
        found.append({"graph": row.graph, "setup": row.setup, "max_rate": figure.get("max_rate"),
                      "low": figure.get("max_rate_low"), "high": figure.get("max_rate_high"),
                      "searches": len(figure.get("knees") or []),
                      "verified": sum(1 for t in at_claim if t["passed"]), "verify": len(at_claim),
                      # higher rates verified first that did not hold every trial
                      "verify_failed": list(dict.fromkeys(t["rate"] for t in verification if not t["passed"])),
                      # the rate to provision for: the one that held every verification trial (0: none did; a run
                      # saved before verification: its knee)
                      "claim": claim,
                      "beyond_rate": figure.get("beyond_rate"), "light_p50_ms": lightest.get("p50_ms"),
                      "light_rate": lightest["rate"], "pss_mb": (figure.memory or {}).get("pss_mb"),
                      "cold_start_ms": launches.get(row.graph), "cpu_ms": figure.get("cpu_ms_per_request"),
                      "cpu_bound": figure.get("cpu_bound_rate"), "command": figure.get("command"),
                      "client_cpu": _client_share_at_knee(figure)})
    found.sort(key=lambda s: (-(s["claim"] or 0), -s["max_rate"], s["pss_mb"] if s["pss_mb"] is not None else float("inf")))
    for entry in found:
        entry["front"] = entry["pss_mb"] is not None and not any(_dominates(other, entry) for other in found)
    return found


def _client_share_at_knee(figure) -> float | None:
    """The load generator's share of a core in the trials at the knee (verification, else the search's)."""
    trials = figure.get("verification") or [t for t in figure.get("trials") if t["rate"] == figure.get("max_rate")]
    shares = [t["client_cpu_share"] for t in trials if t.get("client_cpu_share") is not None]
    return sorted(shares)[len(shares) // 2] if shares else None


def _dominates(one: dict, other: dict) -> bool:
    """`one` holds at least `other`'s rate for at most its memory, and is better in one of them."""
    if one["pss_mb"] is None or other["pss_mb"] is None:
        return False
    return (one["claim"] >= other["claim"] and one["pss_mb"] <= other["pss_mb"]
            and (one["claim"] > other["claim"] or one["pss_mb"] < other["pss_mb"]))


def _rate(entry: dict) -> str:
    """`2600 [2450, 2750]`: the knee and its interval over the searches (one search: the knee alone)."""
    if entry["searches"] > 1 and entry["low"] is not None:
        return f"{entry['max_rate']:.0f} [{entry['low']:.0f}, {entry['high']:.0f}]"
    return f"{entry['max_rate']:.0f}"


def _rates(rates: list[float]) -> str:
    return ", ".join(f"{rate:.0f}" for rate in rates)


def _failed(entry: dict) -> str:
    return f" (not at {_rates(entry['verify_failed'])})" if entry.get("verify_failed") else ""


def headline(rows, run: dict | None = None) -> list[str]:
    """The report's first lines on capacity: the set-up to deploy for the bound (its knee verified),
    how to run it, and against the seed's (a model file's run: against the model as given)."""
    found = recommendation(rows)
    if not found:
        return []
    best, bound = found[0], _sweeps(rows)[0].figure.get("p99_bound_ms")
    if not best["claim"]:
        return [f"- **No set-up to deploy for p99 ≤ {bound:g} ms**: no swept set-up held its knee, or its interval's "
                "lower end, in every verification trial of this run (see the capacity table)."]
    model = (run or {}).get("model")
    reference, words_for = ((model["given"], SEED_SETUP[1]), "the model as given") if model else (SEED_SETUP, "the seed's set-up")
    seed = next((s for s in found if (s["graph"], s["setup"]) == reference), None)
    how = ([f"held in {best['verified']} of {best['verify']} verification trials"
            + (f", after {_rates(best['verify_failed'])}/s did not" if best["verify_failed"] else "")] if best["verify"] else []) + (
        [f"knee {_rate(best)}, median of {best['searches']} searches and their range"] if best["searches"] > 1 else []) + (
        [f"failed at {best['beyond_rate']:.0f}"] if best["beyond_rate"] else [])
    words = (f"- **Deploy for p99 ≤ {bound:g} ms** (open loop, {len(found)} set-up{'s' if len(found) > 1 else ''} swept): `{best['graph']}` on "
             f"{best['setup']}, **{best['claim']:.0f} requests/s**" + (f" ({'; '.join(how)})" if how else "")
             + f", p50 {fmt(best['light_p50_ms'])} ms at {best['light_rate']:.0f}/s, PSS {fmt(best['pss_mb'], 0)} MB"
             + (f", cold start {best['cold_start_ms'] / 1000:.1f} s" if best["cold_start_ms"] else ""))
    if seed is not None and seed is not best and seed["claim"]:
        words += (f"; **{best['claim'] / seed['claim'] - 1:.0%} more** than {words_for} (`{seed['graph']}` on "
                  f"{seed['setup']}, {seed['claim']:.0f}/s)")
    lines = [words + "."]
    if best["cpu_ms"]:
        lines.append(f"- **Its server used {best['cpu_ms']:.3f} ms of CPU a request** at the knee: at most "
                     f"{best['cpu_bound']:.0f}/s on these {CORES} cores (cores ÷ CPU per request), the load generator "
                     f"taking {fmt(best['client_cpu'], 2)} of a core beside it; measure from another machine "
                     "(`--serving-url`, or Locust) to leave the server every core.")
    if best["command"]:
        lines.append(f"- **Run it**: `{best['command']}` (the artifacts of this run's model; the thread counts it "
                     "reported it chooses itself).")
    front = [f"`{s['graph']}` {s['setup']} ({s['claim']:.0f}/s, {s['pss_mb']:.0f} MB)" for s in found if s["front"] and s["claim"]]
    return lines + ([f"- **Rate–memory front** (none holds more for less): {', '.join(front)}."] if front else [])


def report(rows) -> list[str]:
    """Its report sections: the recommendation table, then every set-up's curve."""
    found = recommendation(rows)
    table = ["| graph | set-up | verified rate (/s) | knee (/s) [interval] | verification held | failed at | server CPU (ms/request) | CPU bound (/s) | "
             "p50 at light load (ms) | PSS (MB) | cold start (s) | front |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    table += [f"| {s['graph']} | {s['setup']} | {fmt(s['claim'], 0)} | {_rate(s)} | {s['verified']}/{s['verify']}{_failed(s)} | {fmt(s['beyond_rate'], 0)} | "
              f"{fmt(s['cpu_ms'], 3)} | {fmt(s['cpu_bound'], 0)} | {fmt(s['light_p50_ms'])} at {s['light_rate']:.0f}/s | "
              f"{fmt(s['pss_mb'], 0)} | {fmt(s['cold_start_ms'] and s['cold_start_ms'] / 1000, 1)} | "
              f"{'yes' if s['front'] else ''} |" for s in found]
    curves = ["| graph | set-up | offered (/s) | achieved (/s) | p50 | p99 | drain (ms) | wrong | errors | server CPU (ms/request) | client CPU | under the bound |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in _sweeps(rows):
        curves += [f"| {row.graph} | {row.setup} | {t['rate']:.0f} | {fmt(t.get('achieved_rate'), 0)} | {fmt(t['p50_ms'])} | "
                   f"{fmt(t['p99_ms'])} | {fmt(t.get('drain_ms'), 1)} | {t['wrong']} | {t['errors']} | "
                   f"{fmt(t.get('server_cpu_ms_per_request'), 3)} | {fmt(t.get('client_cpu_share'))} | "
                   f"{'yes' if t['passed'] else 'no'} |" for t in sorted(row.figure.get("trials"), key=lambda t: t["rate"])]
    first = _sweeps(rows)[0].figure if found else None
    bound, rule_words = (first.get("p99_bound_ms"), first.get("rule")) if first else (None, None)
    return (section("How much traffic each set-up holds", table if found else [],
                    f"Open loop (a constant schedule, each latency charged from its scheduled send time): the knee is "
                    f"the highest offered rate held with p99 under {fmt(bound, 0)} ms. "
                    + (f"The rule: {rule_words}. " if rule_words else "")
                    + "Failed at: the lowest rate above the first search's knee not held. Server CPU: its processes' "
                    "own CPU time (/proc) per answer at the knee; CPU bound: the cores ÷ that, what it could hold if "
                    "the load generator left it every core. Best first by the verified rate (the rate to provision for). Front: no other "
                    "set-up holds more for less memory.")
            + section("Throughput–latency curves", curves if found else [],
                      "Every search trial of every sweep (`capacity_curves.png`). Drain: how long after the schedule's end "
                      "the last answer came. Client CPU: the load generator's share of a core, on the same cores as the "
                      "server (a wrk2 on another machine would leave the server more)."))


# Its own figures: the knee and its interval, each search's knee, the bound, the lowest failing rate above
# the first knee, every trial, the verification, the server's CPU per answer and its bound, the rule, the command.
PART = ("max_rate", "max_rate_low", "max_rate_high", "knees", "p99_bound_ms", "beyond_rate", "trials", "verification", "verified_rate",
        "cpu_ms_per_request", "cpu_bound_rate", "rule", "command")

def plot_capacity(rows: list, path: Path) -> bool:
    """Throughput-latency curves: p99 (solid) and p50 (dotted) against the offered rate, a colour per
    set-up, the bound as a line; a hollow marker is a trial that failed (p99 over the bound, or errors)."""
    swept = [row for row in rows if row.figure.question == RECORD and row.figure.get("trials")]
    if not swept:
        return False
    plt = plots.pyplot()

    figure, axis = plt.subplots(figsize=(9, 5.5))
    for row in swept:
        trials = sorted(row.figure.get("trials"), key=lambda t: t["rate"])
        by_rate: dict[float, list[dict]] = {}
        for t in trials:  # the searches try some rates more than once: the line goes through their medians
            by_rate.setdefault(t["rate"], []).append(t)
        rates = list(by_rate)
        (line,) = axis.plot(rates, [median(t["p99_ms"] for t in tried) for tried in by_rate.values()],
                            label=f"{row.graph} {row.setup}")
        axis.plot(rates, [median(t["p50_ms"] for t in tried) for tried in by_rate.values()],
                  linestyle=":", color=line.get_color())
        for t in trials:
            axis.plot(t["rate"], t["p99_ms"], "o", markersize=4, color=line.get_color(),
                      markerfacecolor=line.get_color() if t["passed"] else "none")
    axis.axhline(swept[0].figure.get("p99_bound_ms"), color="grey", linewidth=1, linestyle="--", label="p99 bound")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("offered rate (requests/s, open loop, log scale)")
    axis.set_ylabel("latency from scheduled send (ms, log scale): p99 solid, p50 dotted")
    axis.set_title("How much traffic each set-up holds (hollow: the trial failed)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    plots.save(figure, path)
    return True


def knees_of(benchmarks: list[dict]) -> dict[str, dict]:
    """name -> the open-loop part (its knee, the knee's interval, each search's knee) of the figures that have one."""
    return {b["name"]: part for b in benchmarks
            if (part := (b.get("extra_info") or {}).get("part") or {}).get("max_rate") is not None}


def since(current: list[dict], compared: list[dict], thresholds) -> tuple[str, list[str]] | None:
    """The summary's section on the knees since the compared run: which CHANGED."""
    if not (knees := knees_of(current)):
        return None
    return "capacity (knees under the p99 bound)", headlines.capacity_changes(knees, knees_of(compared), thresholds.change)


QUESTION = Question(RECORD, "openloop_case", title="open loop", cases=cases, server_case=lambda case: case, measure=measure,
                    # a model file: each form on each server, a worker per core; a quick run: the first
                    sweep=Sweep(WORKERS, quick_cases=1, over_grpc=False),  # its client is HTTP's
                    part=PART, report=report, headline=headline, since=since, plots=(("capacity_curves.png", plot_capacity),),
                    opt_in="capacity")  # ~4-5 minutes of searches: a default run has 5 in all
