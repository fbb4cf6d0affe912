"""granian: a Rust HTTP front end (hyper on tokio) for the WSGI app; `--workers` processes,
each reading requests in an event loop and running the app on `--threads` Python threads
(default 1: the loop's own).

HTTP parsing, keep-alive and connection handling happen in Rust, outside the GIL; only the
app's own code runs in Python. Requests hyper refuses before the app sees them get hyper's own
empty answers, and granian offers no hook to write them, so they are the only non-JSON errors of
this server (measured, tests/serving/test_bad_input.py): a garbage request line, an unknown HTTP version
or a raw non-ASCII byte in the URL (400), more than 100 headers or a head over its 417 KB buffer,
e.g. a 1 MB URL (431). A single 20 KB header, which gunicorn refuses (431), is inside that
buffer and is answered.

Deadlines (serving.deadlines): hyper's `header_read_timeout` is `--header-timeout` (it closes the
connection, without an answer). `--body-timeout` is kept by serving the app through granian's
async interface (RSGI), which awaits the body in the worker's event loop before the WSGI app sees
the request (serving.servers.granian_deadlines): granian's own WSGI interface hands the app a body
whose reads block in Rust with no timeout.
"""
from __future__ import annotations

import logging

from serving import setup_report
from serving.launcher import load_app_or_exit
from serving.settings import Settings

DEFAULT_THREADS = 1  # one Python thread per worker runs the model, as a gunicorn sync worker


def hosting(settings: Settings) -> dict:
    return setup_report.hosting("granian", settings.workers, "rsgi (Rust HTTP, body read in an event loop, the app on Python threads)",
                                settings.threads or DEFAULT_THREADS)


def run(settings: Settings) -> None:
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    from serving import graphs
    from serving.servers.granian_deadlines import BodyDeadlineApp

    # As gunicorn's master: import the kind's module once, before granian forks its workers,
    # so they share it; its runtime starts in each worker when the model loads.
    graphs.import_kind(settings.graph)
    server = Server(
        "serving.app:create_app",  # a name for granian's logs; the app comes from the loader below
        address=settings.bind, port=settings.port, interface=Interfaces.RSGI, workers=settings.workers,
        log_level=LogLevels.warning,
        log_access=settings.access_log, respawn_failed_workers=True,
        # as gunicorn's graceful_timeout: a worker whose interpreter teardown (TensorFlow's) hangs
        # is killed after 5 s instead of holding the stop forever (seen: over 20 s)
        workers_kill_timeout=5,
        http1_settings=HTTP1Settings(header_read_timeout=round(settings.header_timeout * 1000)),
    )
    logging.getLogger("serving").info("granian: %s workers, %s threads each", settings.workers,
                                      settings.threads or DEFAULT_THREADS)
    server.serve(target_loader=lambda _target: BodyDeadlineApp(
        load_app_or_exit(settings), settings.body_timeout, settings.threads or DEFAULT_THREADS,
        settings.limits.max_body_bytes))
