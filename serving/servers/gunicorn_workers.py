"""gunicorn's sync and gthread workers with the request deadlines of `serving.deadlines`.

gunicorn's workers read a request with blocking reads and no deadline: a client that stops
sending holds a sync worker until the arbiter kills it (`timeout`, 30 s). Here each request's
parser reads through a `DeadlineSocket`: its line and headers are due within
`--header-timeout` of the worker starting to read, its body within `--body-timeout` of the
headers. A deadline passed in the headers is answered here (408, or a silent close when
nothing arrived); one passed in the body surfaces in the app as `DeadlinePassed` (its 408).
"""
from __future__ import annotations

from gunicorn import http, util
from gunicorn.workers import gthread
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from serving.deadlines import DeadlinePassed, DeadlineSocket, RequestClock

_gunicorn_get_parser = http.get_parser


class DeadlineParser:
    """gunicorn's request parser, each request's headers and body on a fresh clock."""

    def __init__(self, parser, clock: RequestClock):
        self._parser = parser
        self.clock = clock

    def __iter__(self):
        return self

    def __next__(self):
        self.clock.headers()
        request = next(self._parser)
        self.clock.body()
        return request

    def __getattr__(self, name):  # unreader, finish_body, ... stay gunicorn's
        return getattr(self._parser, name)


def install(header_timeout: float, body_timeout: float) -> None:
    """In the master, before workers fork: gunicorn's workers look `http.get_parser` up at each call."""

    def get_parser(cfg, source, source_addr, http2_connection=False):
        if http2_connection or not hasattr(source, "recv"):
            return _gunicorn_get_parser(cfg, source, source_addr, http2_connection)
        clock = RequestClock(header_timeout, body_timeout)
        return DeadlineParser(_gunicorn_get_parser(cfg, DeadlineSocket(source, clock), source_addr), clock)

    http.get_parser = get_parser
    # gthread waits this long in a thread for a new connection's first bytes (gunicorn: 5 s), read at call time
    gthread.DEFAULT_WORKER_DATA_TIMEOUT = header_timeout


class _AnswersDeadlines:
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, DeadlinePassed):
            return super().handle_error(req, client, addr, exc)
        # one line, no traceback; the worker goes on with its next connection
        self.log.warning("slow client %s: %s (%d bytes received)", (addr or ("",))[0], exc, exc.received)
        if exc.answerable:
            try:
                util.write_error(client, 408, "Request Timeout", str(exc))
            except OSError:
                pass


class DeadlineSyncWorker(_AnswersDeadlines, SyncWorker):
    pass  # sync workers close every connection after its request


class DeadlineThreadWorker(_AnswersDeadlines, ThreadWorker):
    def finish_request(self, conn, fs):
        if not fs.cancelled() and fs.exception() is None and fs.result() is gthread._DEFER:
            # nothing arrived within the header deadline: closed, as on every server here
            # (gunicorn would park it for another keep-alive period)
            self.nr_conns -= 1
            conn.close()
            return
        super().finish_request(conn, fs)

    def handle_request(self, req, conn):
        keep_alive = super().handle_request(req, conn)
        # after a body deadline the rest of the body is still on the way: no next request on it
        return keep_alive and not conn.parser.clock.passed
