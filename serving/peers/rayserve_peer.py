"""The suite's model served by Ray Serve, as its docs serve a model: a `@serve.deployment` class with
`num_replicas` replicas (an actor each, a CPU share each), its model loaded in `__init__`, called
through Ray Serve's HTTP proxy, on a local Ray started here (`ray.init`: its GCS, raylet and workers
are this process's children, stopped with it). Run in Ray's own environment (`serving.peers.environment`)."""
from __future__ import annotations

import os
import signal
import sys

import ray
from ray import serve
from starlette.requests import Request

from serving.peers.model import answer, arguments, load_classifier, settings_of, write_record

PEER = "rayserve"


@serve.deployment
class Sentiment:
    def __init__(self, extra: dict) -> None:
        from types import SimpleNamespace

        self.classifier = load_classifier(settings_of(SimpleNamespace(**extra), PEER))

    async def __call__(self, request: Request) -> dict:
        return answer(self.classifier, (await request.json())["text"])


def main() -> None:
    args = arguments(PEER)
    cores = len(os.sched_getaffinity(0))

    def stop(*_):  # SIGTERM: Ray's own shutdown stops the processes it started
        serve.shutdown()
        ray.shutdown()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    ray.init(num_cpus=cores, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    serve.start(http_options={"host": "127.0.0.1", "port": args.port})
    extra = {"artifacts": str(args.artifacts.resolve()), "port": args.port, "workers": args.workers}
    deployment = Sentiment.options(num_replicas=args.workers, ray_actor_options={"num_cpus": cores / args.workers})
    serve.run(deployment.bind(extra), name="sentiment", route_prefix="/onnx")
    write_record(args, settings_of(args, PEER), "ray", "Ray Serve replicas (actors)")  # after the replicas are up
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
