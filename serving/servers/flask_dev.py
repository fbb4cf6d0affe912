"""Flask's threaded development server: the seed's, one process, a thread per request."""
from __future__ import annotations

from serving.settings import Settings
from serving.launcher import exit_on_sigterm, load_app_or_exit


def hosting(settings: Settings) -> dict:
    return {"server": "flask", "workers": 1, "worker_class": "threaded dev server", "threads": None}


def run(settings: Settings) -> None:
    exit_on_sigterm()
    app = load_app_or_exit(settings)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False)
