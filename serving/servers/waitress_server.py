"""waitress: a pure-Python WSGI server people deploy Flask on; one process, `--threads` threads.

waitress reads every request whole in its event loop before a thread runs the app, so a slow
client holds no thread, only a connection; its own timeout is for inactivity (120 s), which a
client trickling a byte a second never reaches. `DeadlineChannel` adds the request deadlines of
`serving.deadlines`: a new connection's first request line and headers within
`--header-timeout`, each request's headers within it of their first byte, its body within
`--body-timeout` of the headers; checked each turn of the event loop (at least every
`LOOP_SECONDS`).
"""
from __future__ import annotations

import json
import logging

from serving import setup_report
from serving.deadlines import RequestClock
from serving.launcher import exit_on_sigterm, load_app_or_exit
from serving.settings import Settings

DEFAULT_THREADS = 4  # waitress's own default
LOOP_SECONDS = 0.25  # waitress's event loop wakes at least this often (its default 1 s)

log = logging.getLogger("serving")


def hosting(settings: Settings) -> dict:
    return setup_report.hosting("waitress", 1, "thread pool", settings.threads or DEFAULT_THREADS)


def _json_error_response(self, ident=None):
    """waitress's own error answers (bad request line, oversized headers or body), as JSON:
    our clients get `{"error": ...}` for every 4xx, whoever produced it."""
    body = json.dumps({"error": f"{self.reason}: {self.body}" if self.body else self.reason}).encode()
    return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body


def deadline_channel(header_timeout: float, body_timeout: float):
    from waitress.channel import HTTPChannel
    from waitress.utilities import Error

    class RequestTimeout(Error):
        code = 408
        reason = "Request Timeout"

    class DeadlineChannel(HTTPChannel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.timed_out = False
            self.clock = RequestClock(header_timeout, body_timeout)  # the first request's, from the connection

        def received(self, data):
            if self.timed_out:
                return False  # answered (408) or closing: the rest is not a request
            accepted = super().received(data)
            if self.request is None:  # between requests: waitress's inactivity timeout rules
                self.clock.idle()
                return accepted
            if not self.request.headers_finished:
                if self.clock.part != "headers":
                    self.clock.headers()
            elif self.clock.part != "body":
                self.clock.body()
            self.clock.received += len(data)
            return accepted

        def readable(self):
            if self.clock.overdue():
                self._time_out()
            return super().readable()

        def _time_out(self) -> None:
            passed = self.clock.expired()
            self.timed_out = True
            self.clock.idle()
            log.warning("slow client %s: %s (%d bytes received)", self.addr[0], passed, passed.received)
            if not passed.answerable:
                self.will_close = True
                return
            with self.requests_lock:  # answered by a thread as waitress answers a malformed request
                request = self.request or self.parser_class(self.adj)
                request.error, request.completed = RequestTimeout(str(passed)), True
                self.request = None
                self.requests.append(request)
                if len(self.requests) == 1:
                    self.server.add_task(self)

    return DeadlineChannel


def run(settings: Settings) -> None:
    import waitress
    from waitress.utilities import Error

    Error.to_response = _json_error_response  # looked up at call time for every error answer
    exit_on_sigterm()
    app = load_app_or_exit(settings)
    server = waitress.create_server(
        app, host=settings.bind, port=settings.port, threads=settings.threads or DEFAULT_THREADS,
        max_request_header_size=settings.limit_request_line + 8192, ident="tfserve-bench",
        asyncore_loop_timeout=LOOP_SECONDS)
    server.channel_class = deadline_channel(settings.header_timeout, settings.body_timeout)  # read at each accept
    server.print_listen("Serving on http://{}:{}")
    server.run()
