"""Start the app under one of the registered servers (`serving.servers`)."""
from __future__ import annotations

import logging
import signal
import sys

from sentiment_model.artifacts import ArtifactError
from serving import servers
from serving.settings import Settings

WORKER_BOOT_ERROR = 3  # gunicorn's arbiter halts (no respawn loop) when a worker exits with this


def exit_on_sigterm() -> None:
    """SIGTERM stops a one-process server as Ctrl-C does, not mid-response (gunicorn has its own)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def load_app_or_exit(settings: Settings):
    """The app for one process; a broken artifact stops the server with one log line, no traceback."""
    from serving.app import create_app
    from serving.model_file import ModelError

    hosting = servers.load(settings.server).hosting(settings)
    try:
        return create_app(settings, hosted_by=hosting)
    except (ArtifactError, ModelError) as error:
        logging.getLogger("serving").error("cannot load the model: %s", error)
        sys.exit(WORKER_BOOT_ERROR)


def run(settings: Settings) -> None:
    servers.load(settings.server).run(settings)
