"""granian's body deadline: the app is served through granian's own async interface (RSGI), which
reads the body in the worker's event loop under `--body-timeout`, and only then hands the whole
request to the WSGI app.

granian's WSGI interface gives the app a body whose reads block in Rust with no timeout, so a
client that announces more body than it sends held a Python thread, and with it the worker, for
as long as it kept the socket open. Here the body is awaited under an `asyncio` timeout, which
holds no thread: a slow client gets `408 {"error": ...}` and a close at the deadline, and the
worker goes on serving. The headers' deadline is hyper's (`header_read_timeout`).

The WSGI app then runs with the body already in memory, on the loop's own thread when the worker
has one thread (as a sync worker: the model runs one request at a time; handing each request to
another thread cost 0.28 ms, measured), else on a pool of `threads` threads. Its answer is
collected whole (the app's answers are small JSON) and sent from the loop. A GET's body is not
awaited: the app reads none. RSGI rather than ASGI: its calls cost about half as much a request
(measured; docs/slow-clients.md).
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("serving")


class BodyDeadlineApp:
    """RSGI app serving `wsgi_app`, whose body must arrive within `body_timeout` seconds of its headers."""

    def __init__(self, wsgi_app, body_timeout: float, threads: int, max_body_bytes: int):
        self.wsgi_app = wsgi_app
        self.body_timeout = body_timeout
        self.max_body_bytes = max_body_bytes
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi") if threads > 1 else None

    async def __rsgi__(self, scope, protocol) -> None:
        if scope.proto != "http":  # no websockets
            return
        try:
            body = b"" if scope.method == "GET" else await self._body(protocol)  # the app reads no GET body
        except TimeoutError:
            error = f"request body not received within {self.body_timeout:g} s"
            log.warning("%s: answered 408 (%s %s)", error, scope.method, scope.path)
            protocol.response_bytes(408, [("content-type", "application/json"), ("connection", "close")],
                                    json.dumps({"error": error}).encode())
            return
        environ = wsgi_environ(scope, body)
        if self.executor is None:
            status, headers, content = _call_wsgi(self.wsgi_app, environ)
        else:
            status, headers, content = await asyncio.get_running_loop().run_in_executor(
                self.executor, _call_wsgi, self.wsgi_app, environ)
        protocol.response_bytes(status, headers, content)

    async def _body(self, protocol) -> bytes:
        """The body as far as it came (a client that stops before its Content-Length gets the app's
        400 for what it sent); reading stops past the app's limit, which it answers 413."""
        chunks, size = [], 0
        async with asyncio.timeout(self.body_timeout):
            async for chunk in protocol:
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_body_bytes:
                    break
        return b"".join(chunks)


def wsgi_environ(scope, body: bytes) -> dict:
    """PEP 3333's environ for an RSGI scope (its path comes percent-decoded, its query raw)."""
    server_name, _, server_port = scope.server.rpartition(":")
    client, _, client_port = scope.client.rpartition(":")
    environ = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path.encode("utf-8", "surrogateescape").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_name, "SERVER_PORT": server_port,
        "REMOTE_ADDR": client, "REMOTE_PORT": client_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "wsgi.version": (1, 0), "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,  # the stream ends where the body ended (as gunicorn's)
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        key = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}.get(
            name, "HTTP_" + name.upper().replace("-", "_"))
        environ[key] = f"{environ[key]},{value}" if key in environ else value  # repeated headers, joined
    return environ


def _call_wsgi(app, environ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run the WSGI app to the end: its status, headers and whole body."""
    started: list = []
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        started[:] = [status, headers]
        return chunks.append  # WSGI's legacy `write`

    iterable = app(environ, start_response)
    try:
        chunks.extend(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    status, headers = started
    return int(status.split(" ", 1)[0]), headers, b"".join(chunks)
