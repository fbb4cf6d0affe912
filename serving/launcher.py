"""Start the app under gunicorn (N worker processes) or Flask's dev server."""
from __future__ import annotations

import signal
import sys
from dataclasses import dataclass

from serving.app import AppConfig


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


def run_gunicorn(app_config: AppConfig, settings: ServerSettings) -> None:
    from gunicorn.app.base import BaseApplication

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
                # No preload: TensorFlow must start inside each worker, after the
                # fork (TF initialised before fork can hang workers).
                "preload_app": False,
                # gunicorn's control socket has one default path per user: several
                # servers side by side (benchmarks) would fight over it.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from serving.app import create_app

            return create_app(app_config)

    ServingApplication().run()


def run_flask(app_config: AppConfig, settings: ServerSettings) -> None:
    from serving.app import create_app

    # SIGTERM should stop the dev server as Ctrl-C does, not kill it mid-response.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = create_app(app_config)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False)


def run(app_config: AppConfig, settings: ServerSettings) -> None:
    (run_gunicorn if settings.server == "gunicorn" else run_flask)(app_config, settings)
