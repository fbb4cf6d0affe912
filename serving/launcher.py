"""Start the app under one of the registered servers (`serving.servers`)."""
from __future__ import annotations

import logging
import signal
import sys
from dataclasses import dataclass, replace

from sentiment_model.artifacts import ArtifactError
from serving import servers
from serving.app import AppConfig

WORKER_BOOT_ERROR = 3  # gunicorn's arbiter halts (no respawn loop) when a worker exits with this


@dataclass(frozen=True)
class ServerSettings:
    server: str = "gunicorn"  # a name in serving.servers.SERVERS
    bind: str = "127.0.0.1"
    port: int = 8033
    workers: int = 1
    worker_class: str = "sync"  # gunicorn: or "gthread" (gunicorn picks it anyway when threads > 1)
    threads: int | None = None  # per process (gunicorn gthread workers, waitress's pool); None: the server's default
    timeout: int = 30
    access_log: bool = False
    limit_request_line: int = 8190  # gunicorn: longer request lines get 414
    limit_request_fields: int = 100  # gunicorn: header floods get 400


def exit_on_sigterm() -> None:
    """SIGTERM stops a one-process server as Ctrl-C does, not mid-response (gunicorn has its own)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def load_app_or_exit(app_config: AppConfig):
    """The app for one process; a broken artifact stops the server with one log line, no traceback."""
    from serving.app import create_app

    try:
        return create_app(app_config)
    except ArtifactError as error:
        logging.getLogger("serving").error("cannot load the model: %s", error)
        sys.exit(WORKER_BOOT_ERROR)


def run(app_config: AppConfig, settings: ServerSettings) -> None:
    server = servers.load(settings.server)
    server.run(replace(app_config, hosting=server.hosting(settings)), settings)
