"""Start the app under gunicorn (N worker processes) or Flask's dev server."""
from __future__ import annotations

import json
import logging
import signal
import sys
from dataclasses import dataclass, replace

from sentiment_model.artifacts import ArtifactError
from serving.app import AppConfig

WORKER_BOOT_ERROR = 3  # gunicorn's arbiter halts (no respawn loop) when a worker exits with this


@dataclass(frozen=True)
class ServerSettings:
    server: str = "gunicorn"  # or "flask"
    bind: str = "127.0.0.1"
    port: int = 8033
    workers: int = 1
    worker_class: str = "sync"  # or "gthread"
    threads: int = 1  # per worker, gthread only
    timeout: int = 30
    access_log: bool = False
    limit_request_line: int = 8190  # gunicorn: longer request lines get 414
    limit_request_fields: int = 100  # gunicorn: header floods get 400


def _json_write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (bad request line, too long URL, header flood), as JSON.

    gunicorn answers those before the app sees the request, in HTML; our clients
    get `{"error": ...}` for every 4xx, whoever produced it.
    """
    from gunicorn import util

    body = json.dumps({"error": f"{reason}: {mesg}" if mesg else reason}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def _load_app_or_exit(app_config: AppConfig):
    """The app for one worker; a broken artifact stops the server with one log line, no traceback."""
    from serving.app import create_app

    try:
        return create_app(app_config)
    except ArtifactError as error:
        logging.getLogger("serving").error("cannot load the model: %s", error)
        sys.exit(WORKER_BOOT_ERROR)


def run_gunicorn(app_config: AppConfig, settings: ServerSettings) -> None:
    from gunicorn import util
    from gunicorn.app.base import BaseApplication

    util.write_error = _json_write_error  # looked up at call time by gunicorn's workers

    class ServingApplication(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{settings.bind}:{settings.port}",
                "workers": settings.workers,
                "worker_class": settings.worker_class,
                "threads": settings.threads,
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
            return _load_app_or_exit(app_config)

    from gunicorn.errors import HaltServer
    from serving import graphs

    # Imported once here, in the master: forked workers share the modules instead of each
    # spending seconds of CPU importing TensorFlow. Importing starts no runtime (no thread
    # pools, no session); that happens in each worker when it loads the model.
    graphs.import_kind(app_config.graph)
    try:
        ServingApplication().run()
    except HaltServer as halt:
        # When several workers fail to boot at once, gunicorn's own shutdown can raise
        # this again past its handler; the reason was logged, a traceback would add nothing.
        logging.getLogger("serving").error("server stopped: %s", halt.reason)
        sys.exit(halt.exit_status)


def run_flask(app_config: AppConfig, settings: ServerSettings) -> None:
    # SIGTERM should stop the dev server as Ctrl-C does, not kill it mid-response.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = _load_app_or_exit(app_config)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False)


def hosting(settings: ServerSettings) -> dict:
    """How the app is hosted, as /healthz reports it."""
    if settings.server == "gunicorn":
        return {"server": "gunicorn", "workers": settings.workers, "worker_class": settings.worker_class,
                "threads": settings.threads}
    return {"server": "flask", "workers": 1, "worker_class": "threaded dev server", "threads": None}


def run(app_config: AppConfig, settings: ServerSettings) -> None:
    app_config = replace(app_config, hosting=hosting(settings))
    (run_gunicorn if settings.server == "gunicorn" else run_flask)(app_config, settings)
