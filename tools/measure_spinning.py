"""`python -m tools.measure_spinning`: ONNX Runtime's pool threads spinning after a call, on and off.

Two onnx servers on gunicorn with one worker (so two intra-op threads on two cores), one with
`--ort-spinning on`, one with `off`: the p50 of single requests over alternating blocks, and the
worker's CPU time at 10 requests a second (a quiet service) and over 5 s of idle. The measurement
behind `--ort-spinning`'s default (docs/serving.md).
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import time
from pathlib import Path

import psutil

from bench.harness.supervisor import ServerProcess
from sentiment_model.cache import cached_artifacts

PATH = "/onnx?text=a%20warm%20and%20funny%20film"


def request(connection: http.client.HTTPConnection) -> float:
    started = time.perf_counter()
    connection.request("GET", PATH)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
    return time.perf_counter() - started


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.measure_spinning", description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts-cache", default=".cache/artifacts", type=Path)
    parser.add_argument("--blocks", type=int, default=40)
    args = parser.parse_args(argv)
    artifacts = cached_artifacts(args.artifacts_cache)
    with ServerProcess("onnx", artifacts, ort_spinning="on") as on, ServerProcess("onnx", artifacts, ort_spinning="off") as off:
        sides = {"on": on, "off": off}
        connections = {name: http.client.HTTPConnection("127.0.0.1", server.port) for name, server in sides.items()}
        workers = {name: psutil.Process(server.process.pid).children(recursive=True)[-1] for name, server in sides.items()}
        for connection in connections.values():
            for _ in range(200):
                request(connection)
        medians = {name: [] for name in sides}
        for block in range(args.blocks):
            for name in (("on", "off") if block % 2 else ("off", "on")):
                medians[name].append(statistics.median(request(connections[name]) for _ in range(50)) * 1000)
        for name in sides:
            print(f"spinning {name}: p50 {statistics.median(medians[name]):.3f} ms (median of {args.blocks} blocks of "
                  f"50; blocks {min(medians[name]):.3f}-{max(medians[name]):.3f} ms)")
        for name in sides:
            before, count, started = cpu_seconds(workers[name]), 0, time.perf_counter()
            while time.perf_counter() - started < 10:
                request(connections[name])
                count += 1
                time.sleep(0.1)
            used = cpu_seconds(workers[name]) - before
            print(f"spinning {name}: {used / count * 1000:.1f} ms of the worker's CPU a request at one request "
                  f"every 100 ms ({count} requests)")
        for name in sides:
            request(connections[name])
            before = cpu_seconds(workers[name])
            time.sleep(5)
            print(f"spinning {name}: {cpu_seconds(workers[name]) - before:.3f} s of CPU in 5 s idle after a request")


if __name__ == "__main__":
    main()
