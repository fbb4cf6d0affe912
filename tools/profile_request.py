"""`python -m tools.profile_request --graph static-xla --artifacts DIR`: where one request's time goes.

Profiles N requests through the Flask app (Werkzeug's test client: the WSGI
path without sockets) and prints the functions with the most own time, plus
the share spent inside the graph call. This is the profile behind the README's
HTTP-overhead floor.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from sentiment_model.artifacts import ArtifactError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.profile_request", description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="static-xla")
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    from serving.app import create_app
    from serving.settings import Settings

    try:
        app = create_app(Settings(graph=args.graph, artifacts=args.artifacts))
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    client, path = app.test_client(), f"/{args.graph}?text=the+movie+was+not+good"
    for _ in range(200):
        client.get(path)
    started = time.perf_counter()
    for _ in range(args.requests):
        client.get(path)
    plain_ms = (time.perf_counter() - started) / args.requests * 1000
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = stats.total_tt
    in_graph = sum(v[3] for k, v in stats.stats.items() if k[2] == "classify")
    print(f"{args.graph}: {plain_ms:.3f} ms per request without the profiler; under it, "
          f"{in_graph / total:.0%} of the time is in Classifier.classify (tokenise + graph call), "
          f"the rest in Flask/Werkzeug request handling")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
