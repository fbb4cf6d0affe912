"""Against what people deploy instead (`--bench-peers`): the model servers of `serving.peers`, each
serving the suite's onnx form through its own API, measured in one paired rotation with ours (the
fastest set-up, onnx on granian, and the seed's, static on gunicorn; onnx on gunicorn too, the same
front end as the seed's on the peers' model form), by single requests and bursts of 20, every answer
judged. Every case gets the same request bytes, the text POSTed as JSON (the peers take no query
string), so our figures here are POST's, not the GET of the other questions. The peers run from
environments of their own (`serving.peers.environment`), built before the run; a peer that cannot
be built or started is named with the reason, and its figures fail. What both questions share is
here; each is its module (`peer_requests`, `peer_bursts`). Benchmarks: bench/test_peers.py."""
from __future__ import annotations

import json

from bench.method.cases import Case, ServerConfig
from bench.method.oracle import JsonRequest
from bench.method.plan import Plan
from bench.method.rotations import Measured
from bench.questions.bursts import THREADS
from bench.results.formatting import section
from serving import servers

REQUESTS, BURSTS = "peer request", "peer burst"
WORKERS = 2  # a worker process per core, ours and theirs
OURS = (Case("onnx", ServerConfig("granian", WORKERS)), Case("onnx", ServerConfig(servers.DEFAULT, WORKERS)),
        Case("static", ServerConfig(servers.DEFAULT, WORKERS)))
FASTEST, SEED = OURS[0], OURS[2]  # what each peer is compared with: our fastest set-up and the seed's


def cases(plan: Plan) -> list[Case]:
    """Ours, then every peer asked for (`--bench-peers`), a worker per core; none without the flag."""
    if not plan.peers:
        return []
    return [*OURS, *(Case("onnx", ServerConfig(peer, WORKERS)) for peer in plan.peers)]


def posted(texts: list[str]) -> list[JsonRequest]:
    """Each text as the body every case takes, keyed by the text for its judge."""
    return [JsonRequest(text, json.dumps({"text": text}).encode()) for text in texts]


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
    """Ours and each peer side by side: one request's p50, a burst's median, the memory of all of its
    processes (PSS), fastest first by one request."""
    by_setup: dict[str, dict] = {}
    for row in rows:
        if row.figure.question in (REQUESTS, BURSTS):
            entry = by_setup.setdefault(f"{row.graph} {row.setup}", {})
            entry[row.figure.question] = row.median_ms
            memory = row.figure.get("memory") or {}
            entry["pss_mb"] = memory.get("pss_mb", entry.get("pss_mb"))
    if not by_setup:
        return []
    table = [f"| set-up | one request p50 (ms) | burst of {THREADS} (ms) | memory, all processes (PSS MB) |", "|---|---:|---:|---:|"]
    for name, entry in sorted(by_setup.items(), key=lambda item: item[1].get(REQUESTS, float("inf"))):
        cells = [f"{entry[key]:.2f}" if entry.get(key) is not None else "–" for key in (REQUESTS, BURSTS, "pss_mb")]
        table.append(f"| {name} | {' | '.join(cells)} |")
    return section("Against the model servers people deploy instead", table,
                   "Each peer serves the same onnx form (ONNX Runtime) through its own API, a worker per core; "
                   "every case got the same POSTed JSON, in one paired rotation; ratios with intervals are in "
                   "the answers.")
