"""What each registered server does with slow clients at its default deadlines, as a Markdown table.

    python -m tools.measure_slow_clients [--graph onnx]

For each server: the seconds to the answer (or close) of each slow-client case, the latency of a
normal GET while as many lying clients as the server runs requests at once hold it, and the worker
processes replaced meanwhile (docs/slow-clients.md shows a run).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.harness.supervisor import ServerProcess
from sentiment_model.cache import cached_artifacts
from serving import servers
from tests.procs import children
from tests.slowclient import SlowClient, get_request, lying_client, post_head

BODY = b'{"text": "a warm and funny film"}'
GIVE_UP = 40.0  # seconds a case may take before it is reported as still waiting


def cases(path: str) -> dict:
    """Started one after another; each a fresh connection."""
    return {
        "body shorter than announced, held open": lambda port: lying_client(port, path, BODY, GIVE_UP),
        "body trickled, 1 byte / 0.5 s": lambda port: SlowClient(
            port, post_head(path, len(BODY)), rest=BODY, interval=0.5, timeout=GIVE_UP),
        "headers trickled, 1 byte / 0.5 s": lambda port: SlowClient(
            port, b"", rest=get_request(path, "fine"), interval=0.5, timeout=GIVE_UP),
        "connection that sends nothing": lambda port: SlowClient(port, b"", timeout=GIVE_UP),
    }


def describe(outcome) -> str:
    if outcome.status == -1:
        return f"still waiting at {outcome.seconds:.1f} s"
    return f"{outcome.status or 'closed'} at {outcome.seconds:.2f} s"


def measure(name: str, graph: str, artifacts: Path) -> list[str]:
    options = {"workers": 2} if servers.get(name).worker_processes else {"threads": 2}
    with ServerProcess(graph, artifacts, server=name, **options) as server:
        workers = children(server.process.pid)
        path = f"/{graph}"
        row = [name, f"{server.settings.header_timeout:g} / {server.settings.body_timeout:g}"]
        row += [describe(start(server.port).outcome()) for start in cases(path).values()]
        hosting = servers.load(name).hosting(server.settings)
        holders = [lying_client(server.port, path, BODY, GIVE_UP)
                   for _ in range(hosting["workers"] * (hosting["threads"] or 4))]
        time.sleep(0.3)
        normal = SlowClient(server.port, get_request(path, "fine"), timeout=GIVE_UP)
        row.append(f"{len(holders)} holding: {describe(normal.outcome())}")
        for holder in holders:
            holder.close()
        row.append(str(len(set(workers) - set(children(server.process.pid)))))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="onnx")
    parser.add_argument("--artifacts-cache", default=".cache/artifacts", type=Path)
    args = parser.parse_args()
    artifacts = cached_artifacts(args.artifacts_cache)
    header = ["server", "deadlines (s)", *cases("/").keys(), "normal GET while held", "workers replaced"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in servers.SERVERS:
        print("| " + " | ".join(measure(name, args.graph, artifacts)) + " |", flush=True)


if __name__ == "__main__":
    main()
