"""granian's request deadlines: an ASGI front that reads the body in the worker's event loop, under
`--body-timeout`, and only then hands the whole request to the WSGI app on the worker's thread(s).

granian's WSGI interface gives the app a body whose reads block in Rust with no timeout, so a
client that announces more body than it sends held a Python thread, and with it the worker, for
as long as it kept the socket open. Here the body is awaited as an `asyncio` timeout, which
holds no thread: a slow client gets `408 {"error": ...}` and a close at the deadline, and the
worker goes on serving. The headers' deadline is hyper's (`header_read_timeout`).

The WSGI app then runs with the body already in memory, on the loop's own thread when the worker
has one thread (as a sync worker: the model runs one request at a time; handing it to another
thread cost 0.28 ms a request, measured), else on a pool of `threads` threads. Its answer is
collected whole (the app's answers are small JSON) and sent from the loop. A GET's body is not
awaited: the app reads none.
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import build_environ

log = logging.getLogger("serving")


class BodyDeadlineApp:
    """ASGI app serving `wsgi_app`, whose body must arrive within `body_timeout` seconds of its headers."""

    def __init__(self, wsgi_app, body_timeout: float, threads: int, max_body_bytes: int):
        self.wsgi_app = wsgi_app
        self.body_timeout = body_timeout
        self.max_body_bytes = max_body_bytes
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi") if threads > 1 else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # granian runs it without lifespan events (ASGINL); no websockets
            return
        try:
            body = b"" if scope["method"] == "GET" else await self._body(receive)  # the app reads no GET body
        except TimeoutError:
            error = f"request body not received within {self.body_timeout:g} s"
            log.warning("%s: answered 408 (%s %s)", error, scope["method"], scope["path"])
            await _send(send, 408, [(b"content-type", b"application/json"), (b"connection", b"close")],
                        json.dumps({"error": error}).encode())
            return
        environ = build_environ(scope, io.BytesIO(body))
        environ["wsgi.input_terminated"] = True  # the stream ends where the body ended (as gunicorn's)
        if self.executor is None:  # one thread: the loop's own, as a sync worker (a hop costs 0.1 ms)
            status, headers, content = _call_wsgi(self.wsgi_app, environ)
        else:
            status, headers, content = await asyncio.get_running_loop().run_in_executor(
                self.executor, _call_wsgi, self.wsgi_app, environ)
        await _send(send, status, headers, content)

    async def _body(self, receive) -> bytes:
        async with asyncio.timeout(self.body_timeout):
            return await _whole_body(receive, self.max_body_bytes)


async def _whole_body(receive, limit: int) -> bytes:
    """The request's body as far as it came: when the client stops sending before its
    Content-Length, the app answers what it got (400). Reading stops past `limit` bytes: the app
    answers that body 413 (Flask's MAX_CONTENT_LENGTH) from what was read."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False) or size > limit:
            return b"".join(chunks)


def _call_wsgi(app, environ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run the WSGI app to the end: its status, headers (as ASGI wants them) and whole body."""
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
    return (int(status.split(" ", 1)[0]),
            [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers],
            b"".join(chunks))


async def _send(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

