"""Servers: one module per WSGI server behind one contract, like `serving.graphs`.

A server module defines `run(settings)` (serve `serving.settings.Settings` until stopped; a
broken model stops it with one log line, `serving.launcher.load_app_or_exit`) and
`hosting(settings) -> dict` (how it hosts the app, as `/healthz` reports it), answers the
errors it produces itself (before the app sees a request) as JSON, and keeps the request
deadlines `settings.header_timeout` and `settings.body_timeout` (serving.deadlines) as far as
its design allows; its entry says how far (`SlowClients`, checked by tests/serving/test_slow_clients.py).
Each is imported only when asked for. The command line's choices, the benchmark
plans and the tests all read this registry, so adding a server is a module here
and a line below.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class SlowClients:
    """What the server does when a request deadline passes (serving.deadlines). A body too slow gets
    a 408 JSON answer on every server: one that cannot free its worker at the deadline is not offered."""
    headers: str = "408"  # headers too slow: "408" (JSON), or "close" (no answer)
    silent: str = "close"  # a new connection that sends nothing: "close" at the header deadline, or
    # "open" (kept open, holding no worker thread)


@dataclass(frozen=True)
class Server:
    module: str  # in this package
    worker_processes: bool  # `--workers N` starts N processes (else one process, `--threads` threads)
    description: str
    slow_clients: SlowClients = SlowClients()


# (how the benchmarks treat each server is theirs to say: `bench.method.policy.SERVER_POLICY`)
SERVERS = {
    "gunicorn": Server("gunicorn_server", True, "a pre-fork master and N worker processes (sync, or gthread with --threads)"),
    "flask": Server("flask_dev", False, "Flask's threaded development server (the seed's), one process"),
    "waitress": Server("waitress_server", False, "one process, a pool of --threads threads (default 4)"),
    "granian": Server("granian_server", True, "a Rust HTTP front end, N worker processes of --threads Python threads "
                      "(default 1)",
                      # hyper's header timeout closes the connection; the body's deadline is ours
                      # (serving.servers.granian_deadlines)
                      slow_clients=SlowClients(headers="close", silent="open")),
}


# The server a set-up names when it names none: what `python -m serving run` starts, what the suite
# measures every question on, and the one that stands for "a server" beside in-process.
DEFAULT = "gunicorn"


def raw_json_error(status: int, reason: str, error: str) -> bytes:
    """A whole HTTP/1.1 answer `{"error": ...}` that closes the connection, for the errors a server
    writes itself on the socket, before or instead of the app."""
    body = json.dumps({"error": error}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    return head + body


def get(name: str) -> Server:
    if name not in SERVERS:
        raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")
    return SERVERS[name]


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{get(name).module}")
