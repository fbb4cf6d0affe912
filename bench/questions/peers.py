"""Against what people deploy instead (`--bench-peers`): the model servers of `serving.peers`, each
serving the suite's onnx form through its own API, measured in one paired rotation with ours (the
fastest set-up, onnx on granian, and the seed's, static on gunicorn; onnx on gunicorn too, the same
front end as the seed's on the peers' model form), by single requests, bursts of 20 and cold starts,
every answer judged against the model. Each case is sent the texts in the protocol it speaks
(`serving.peers`): ours and the general-purpose peers the text POSTed as JSON (the peers take no query
string, so our figures here are POST's, not the GET of the other questions), the inference servers the
Open Inference Protocol v2's infer. The peers run from
environments of their own (`serving.peers.environment`), built before the run; a peer that cannot
be built or started is named with the reason, and its figures fail. What both questions share is
here; each is its module (`peer_requests`, `peer_bursts`). Benchmarks: bench/test_peers.py."""
from __future__ import annotations

import functools

from bench.method.cases import Case, ServerConfig
from bench.method.plan import Plan
from bench.method.rotations import Measured
from bench.questions.bursts import THREADS
from bench.results.formatting import fmt, section
from serving import peers, servers

REQUESTS, BURSTS, COLD_STARTS = "peer request", "peer burst", "peer cold start"
WORKERS = 2  # a worker process per core, ours and theirs
OURS = (Case("onnx", ServerConfig("granian", WORKERS)), Case("onnx", ServerConfig(servers.DEFAULT, WORKERS)),
        Case("static", ServerConfig(servers.DEFAULT, WORKERS)))
FASTEST, SEED = OURS[0], OURS[2]  # what each peer is compared with: our fastest set-up and the seed's


def cases(plan: Plan) -> list[Case]:
    """Ours, then every peer asked for (`--bench-peers`), a worker per core; none without the flag."""
    if not plan.peers:
        return []
    return [*OURS, *(Case("onnx", ServerConfig(peer, WORKERS)) for peer in plan.peers)]


def protocol_of(case) -> str:
    """What a case speaks: a peer's protocol (serving.peers), or ours, JSON."""
    return peers.get(case.config.server).protocol if case.config.peer else "json"


def requests_for(run):
    """case -> what the run's subject sends a case in its protocol (`Subject.requests_in`: the suite's texts,
    or a model file's inputs), built when a case asks."""
    @functools.cache
    def in_protocol(protocol: str) -> list:
        return run.plan.subject.requests_in(protocol, run.texts)

    return lambda case: in_protocol(protocol_of(case))


def judges_for(run):
    """case -> the judge of its answers in its protocol, against the same expected answers as ours."""
    return lambda case: run.plan.subject.judge_in(protocol_of(case), run.judge(case))


def body_bytes(protocol: str, request) -> int:
    """The size of what a case is sent: the JSON body, or the serialized gRPC request."""
    if protocol == "v2-grpc":
        from bench.clients.grpc_connection import request_bytes

        return len(request_bytes("v2", "sentiment", str(request)))
    return len(request.body)


def measure_those_up(cases: list[Case], down: dict[str, str], measure) -> Measured:
    """`measure(cases)` of the cases not `down` (case name -> why it could not be built or started):
    those fail their own figures with the reason, the rest are measured without them."""
    measured = measure([case for case in cases if str(case) not in down])
    measured.cases = list(cases)
    measured.faults.update({name: [f"could not start: {why}"] for name, why in down.items()})
    return measured


def down_in_pool(cases: list[Case], run, record: str) -> dict[str, str]:
    """The peers among `cases` whose servers the pool could not start (any of their launches), with why."""
    launches = run.plan.rounds_of(record).launches
    return {str(case): why for case in cases if case.config.peer and (why := run.pool.failure_of(case, launches))}


def with_peer_ratios(measured: Measured) -> Measured:
    """Each peer's time ÷ our fastest set-up's and ÷ the seed's, in the one rotation, beside the ratios
    among our own set-ups; a case with any wrong answer takes part in none."""
    correct = {str(case) for case in measured.cases if not measured.faults.get(str(case))}
    for case in measured.cases:
        if case.config.peer and str(case) in correct:
            for ours in (FASTEST, SEED):
                if str(ours) in correct:
                    measured.comparisons.append(measured.rotation.compare(
                        f"{measured.scenario}: {case} / {ours}", str(case), str(ours)))
    return measured


def report(rows) -> list[str]:
    """Ours and each peer side by side: one request's median, a burst's, the cold start, the open loop's
    knee with its interval, the memory of every process it started (PSS); fastest first by one request."""
    by_setup: dict[str, dict] = {}
    for row in rows:
        name = f"{row.graph} {row.setup}"
        if row.figure.question in (REQUESTS, BURSTS, COLD_STARTS):
            entry = by_setup.setdefault(name, {})
            entry[row.figure.question] = row.median_ms
            if row.figure.get("protocol"):
                entry["protocol"] = f"{row.figure.get('protocol')} ({row.figure.get('request_body_bytes')} B)"
            entry["pss_mb"] = (row.figure.memory or {}).get("pss_mb", entry.get("pss_mb"))
    for row in rows:  # the open loop's knee of the same set-ups (measured with --bench-peers)
        name = f"{row.graph} {row.setup}"
        if name in by_setup and row.figure.get("max_rate") is not None:
            low, high = row.figure.get("max_rate_low"), row.figure.get("max_rate_high")
            by_setup[name]["knee"] = f"{row.figure.get('max_rate'):.0f}" + (f" [{low:.0f}, {high:.0f}]" if low is not None else "")
    if not by_setup:
        return []
    table = [f"| set-up | protocol (request body) | one request (ms) | burst of {THREADS} (ms) | cold start (s) | "
             "knee (/s) [interval] | memory, all its processes (PSS MB) |", "|---|---|---:|---:|---:|---:|---:|"]
    for name, entry in sorted(by_setup.items(), key=lambda item: item[1].get(REQUESTS, float("inf"))):
        cold = entry.get(COLD_STARTS)
        cells = [entry.get("protocol", "–"), fmt(entry.get(REQUESTS)), fmt(entry.get(BURSTS), 1), fmt(cold and cold / 1000, 1),
                 entry.get("knee", "–"), fmt(entry.get("pss_mb"), 0)]
        table.append(f"| {name} | {' | '.join(cells)} |")
    return section("Against the model servers people deploy instead", table,
                   "Each peer serves the same onnx form (ONNX Runtime, the same classifier code) through its own API "
                   "and settings, a worker per core (docs/peers.md); medians, each question one paired rotation "
                   "with ours, every case on two launches; the ratios with their intervals are in the answers.")
