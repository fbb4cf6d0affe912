"""Flask's threaded development server: the seed's, one process, a thread per request."""
from __future__ import annotations

from serving.app import AppConfig
from serving.launcher import ServerSettings, exit_on_sigterm, load_app_or_exit


def hosting(settings: ServerSettings) -> dict:
    return {"server": "flask", "workers": 1, "worker_class": "threaded dev server", "threads": None}


def run(app_config: AppConfig, settings: ServerSettings) -> None:
    exit_on_sigterm()
    app = load_app_or_exit(app_config)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False)
