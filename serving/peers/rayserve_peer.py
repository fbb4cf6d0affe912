"""The model served by Ray Serve, as its docs serve a model: a `@serve.deployment` class with
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
from starlette.responses import JSONResponse

from serving.inputs import InputError
from serving.peers.model import arguments, json_path, passed_on, served, settings_of, write_record

PEER = "rayserve"


@serve.deployment
class Model:
    def __init__(self, given: dict) -> None:
        from types import SimpleNamespace

        self.served = served(SimpleNamespace(**given), PEER)

    async def __call__(self, request: Request):
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"error": "body is not JSON"}, status_code=400)
        try:
            return self.served.json_answer(payload)
        except InputError as error:  # a bad body is the client's: 4xx with why, as ours answer it
            return JSONResponse({"error": error.message}, status_code=error.status)


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
    deployment = Model.options(num_replicas=args.workers, ray_actor_options={"num_cpus": cores / args.workers})
    serve.run(deployment.bind(passed_on(args)), name="model", route_prefix=json_path(args))
    write_record(args, settings_of(args, PEER), "ray", "Ray Serve replicas (actors)")  # after the replicas are up
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
