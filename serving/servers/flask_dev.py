"""Flask's threaded development server: the seed's, one process, a thread per request."""
from __future__ import annotations

import signal
import sys

from serving.app import AppConfig
from serving.launcher import ServerSettings, load_app_or_exit


def hosting(settings: ServerSettings) -> dict:
    return {"server": "flask", "workers": 1, "worker_class": "threaded dev server", "threads": None}


def run(app_config: AppConfig, settings: ServerSettings) -> None:
    # SIGTERM should stop the dev server as Ctrl-C does, not kill it mid-response.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = load_app_or_exit(app_config)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False)
