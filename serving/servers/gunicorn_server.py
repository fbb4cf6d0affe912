"""gunicorn: a pre-fork master and `--workers` processes (sync workers, or gthread with `--threads`)."""
from __future__ import annotations

import logging
import sys

from serving import servers, setup_report
from serving.launcher import load_app_or_exit
from serving.settings import Settings


def hosting(settings: Settings) -> dict:
    # gunicorn itself runs gthread workers when threads > 1, whatever the worker class says
    threads = settings.threads or 1
    worker_class = "gthread" if threads > 1 and settings.worker_class == "sync" else settings.worker_class
    return setup_report.hosting("gunicorn", settings.workers, worker_class, threads)


def _json_write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (bad request line, too long URL, header flood), as JSON.

    gunicorn answers those before the app sees the request, in HTML; our clients
    get `{"error": ...}` for every 4xx, whoever produced it.
    """
    from gunicorn import util

    util.write_nonblock(sock, servers.raw_json_error(status_int, reason, f"{reason}: {mesg}" if mesg else reason))


def run(settings: Settings) -> None:
    from gunicorn import util
    from gunicorn.app.base import BaseApplication

    from serving.servers import gunicorn_workers

    util.write_error = _json_write_error  # looked up at call time by gunicorn's workers
    gunicorn_workers.install(settings.header_timeout, settings.body_timeout)
    # the same workers gunicorn would pick (gthread when threads > 1), with request deadlines
    threaded = settings.worker_class == "gthread" or (settings.threads or 1) > 1
    worker_class = gunicorn_workers.DeadlineThreadWorker if threaded else gunicorn_workers.DeadlineSyncWorker

    class ServingApplication(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{settings.bind}:{settings.port}",
                "workers": settings.workers,
                "worker_class": worker_class,
                "threads": settings.threads or 1,
                "timeout": settings.timeout,
                "graceful_timeout": 5,
                "errorlog": "-",
                "accesslog": "-" if settings.access_log else None,
                "limit_request_line": settings.limit_request_line,
                "limit_request_fields": settings.limit_request_fields,
                # No preload: the model loads and TensorFlow's runtime starts inside
                # each worker, after the fork (a runtime started before it can hang workers).
                "preload_app": False,
                # gunicorn's control socket has one default path per user: several
                # servers side by side (benchmarks) would fight over it.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return load_app_or_exit(settings)

    from gunicorn.errors import HaltServer

    from serving import graphs

    # Imported once here, in the master: forked workers share the modules instead of each
    # spending seconds of CPU importing TensorFlow. Importing starts no runtime (no thread
    # pools, no session); that happens in each worker when it loads the model.
    graphs.import_kind(settings.graph)
    try:
        ServingApplication().run()
    except HaltServer as halt:
        # When several workers fail to boot at once, gunicorn's own shutdown can raise
        # this again past its handler; the reason was logged, a traceback would add nothing.
        logging.getLogger("serving").error("server stopped: %s", halt.reason)
        sys.exit(halt.exit_status)
