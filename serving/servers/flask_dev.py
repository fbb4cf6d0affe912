"""Flask's threaded development server: the seed's, one process, a thread per connection.

Its handler reads each request through a `DeadlineSocket` (serving.deadlines): the line and
headers are due within `--header-timeout` of the thread starting to wait for them (on a
kept-alive connection: of the previous answer), the body within `--body-timeout`.
"""
from __future__ import annotations

import io

from serving import servers, setup_report
from serving.deadlines import DeadlinePassed, DeadlineReader, DeadlineSocket, RequestClock
from serving.launcher import exit_on_sigterm, load_app_or_exit
from serving.settings import Settings


def hosting(settings: Settings) -> dict:
    return setup_report.hosting("flask", 1, "threaded dev server", None)


def request_handler(settings: Settings):
    from werkzeug.serving import WSGIRequestHandler

    class DeadlineRequestHandler(WSGIRequestHandler):
        def setup(self):
            super().setup()
            self.clock = RequestClock(settings.header_timeout, settings.body_timeout)
            self.rfile = io.BufferedReader(DeadlineReader(DeadlineSocket(self.connection, self.clock)))

        def handle_one_request(self):
            self.clock.headers()
            try:
                super().handle_one_request()
            except DeadlinePassed as passed:  # in the request line or headers
                self.close_connection = True
                self.log_message("slow client: %s (%d bytes received)", passed, passed.received)
                if passed.answerable:
                    self._answer_timeout(passed)

        def run_wsgi(self):
            self.clock.body()
            super().run_wsgi()
            if self.clock.passed:  # the rest of the body may still be coming: no next request on it
                self.close_connection = True

        def _answer_timeout(self, passed: DeadlinePassed) -> None:
            try:
                self.connection.sendall(servers.raw_json_error(408, "Request Timeout", str(passed)))
            except OSError:
                pass

    return DeadlineRequestHandler


def run(settings: Settings) -> None:
    exit_on_sigterm()
    app = load_app_or_exit(settings)
    app.run(host=settings.bind, port=settings.port, threaded=True, debug=False, use_reloader=False,
            request_handler=request_handler(settings))
