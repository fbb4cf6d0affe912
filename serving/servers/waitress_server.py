"""waitress: a pure-Python WSGI server people deploy Flask on; one process, `--threads` threads."""
from __future__ import annotations

import json

from serving.settings import Settings
from serving.launcher import exit_on_sigterm, load_app_or_exit


DEFAULT_THREADS = 4  # waitress's own default


def hosting(settings: Settings) -> dict:
    return {"server": "waitress", "workers": 1, "worker_class": "thread pool", "threads": settings.threads or DEFAULT_THREADS}


def _json_error_response(self, ident=None):
    """waitress's own error answers (bad request line, oversized headers or body), as JSON:
    our clients get `{"error": ...}` for every 4xx, whoever produced it."""
    body = json.dumps({"error": f"{self.reason}: {self.body}" if self.body else self.reason}).encode()
    return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


def run(settings: Settings) -> None:
    import waitress
    from waitress.utilities import Error

    Error.to_response = _json_error_response  # looked up at call time for every error answer
    exit_on_sigterm()
    app = load_app_or_exit(settings)
    waitress.serve(app, host=settings.bind, port=settings.port, threads=settings.threads or DEFAULT_THREADS,
                   max_request_header_size=settings.limit_request_line + 8192, ident="tfserve-bench")
