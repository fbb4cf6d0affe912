"""Deadlines for receiving a request: its line and headers, then its body.

A client that sends slowly, or announces more body than it sends and waits, must not
hold a worker until the server's own watchdog kills it (gunicorn's 30 s `timeout`).
Every server module enforces `--header-timeout` and `--body-timeout` with what it has
(`serving.servers`): the servers that read in Python (gunicorn, Flask's dev server) read
through `DeadlineSocket`; waitress (which buffers in its event loop) and granian (Rust)
check the same two numbers their own way.

When a deadline passes after some bytes of the request arrived, the client gets a 408
JSON `{"error": ...}` and the connection closes; a connection that sent nothing is
closed without an answer (an unasked 408 would be read as the answer to a client's
next request).
"""
from __future__ import annotations

import io
import socket
import time


class DeadlinePassed(Exception):
    """The request's headers or body did not arrive in time. Not an OSError: servers
    treat those as broken connections and log them with a traceback."""

    def __init__(self, part: str, seconds: float, received: int):
        super().__init__(f"request {part} not received within {seconds:g} s")
        self.part = part
        self.received = received  # bytes of this request seen before the deadline

    @property
    def answerable(self) -> bool:
        return self.received > 0


class RequestClock:
    """One connection's deadline for the part of the request it is reading now."""

    def __init__(self, header_timeout: float, body_timeout: float):
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.passed = False  # a deadline passed on this connection: close it after answering
        self.headers()

    def headers(self) -> None:
        """A new request starts: its line and headers are due within `header_timeout`."""
        self._start("headers", self.header_timeout)
        self.received = 0

    def body(self) -> None:
        """The headers are in: the body is due within `body_timeout`."""
        self._start("body", self.body_timeout)

    def idle(self) -> None:
        """Between requests: no deadline (the server's own idle timeout rules)."""
        self.part, self.seconds, self.due = None, 0.0, None

    def _start(self, part: str, seconds: float) -> None:
        self.part, self.seconds = part, seconds
        self.due = time.monotonic() + seconds

    def overdue(self) -> bool:
        """The current part's deadline has passed (never while idle)."""
        return self.due is not None and time.monotonic() > self.due

    def remaining(self) -> float:
        """Seconds left for the current part, or `DeadlinePassed`."""
        left = self.due - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> DeadlinePassed:
        self.passed = True
        return DeadlinePassed(self.part, self.seconds, self.received)


class DeadlineSocket:
    """A connected socket whose reads end at the clock's deadline; everything else is the socket's.

    Each read waits at most the time left (or the caller's own shorter timeout, e.g.
    gunicorn's drain of an unread body), so a client trickling one byte a second cannot
    stretch the deadline the way a per-read timeout would let it.
    """

    def __init__(self, sock: socket.socket, clock: RequestClock):
        self._sock = sock
        self.clock = clock

    def recv(self, size: int, flags: int = 0) -> bytes:
        return self._read(lambda more: self._sock.recv(size, flags | more))

    def recv_into(self, buffer, size: int = 0, flags: int = 0) -> int:
        return self._read(lambda more: self._sock.recv_into(buffer, size, flags | more))

    def _read(self, read):
        if self.clock.passed:
            return read(0)  # shut for reading: the end of the stream at once (a server's final drain)
        try:
            left = self.clock.remaining()
            try:  # what has arrived already, without waiting: one system call, the usual case
                return self._counted(read(socket.MSG_DONTWAIT))
            except BlockingIOError:
                pass
            own_timeout = self._sock.gettimeout()
            if own_timeout is not None and own_timeout < left:
                return self._counted(read(0))  # the caller's own timeout is the shorter: its TimeoutError stands
            self._sock.settimeout(left)
            try:
                return self._counted(read(0))
            except TimeoutError:
                raise self.clock.expired() from None
            finally:
                self._sock.settimeout(own_timeout)
        except DeadlinePassed:
            # Nothing more is read from this client: the server's lingering close (gunicorn's waits
            # up to 2 s for a client to finish sending) ends at once; the answer still goes out.
            self._sock.shutdown(socket.SHUT_RD)
            raise

    def _counted(self, result):
        self.clock.received += result if isinstance(result, int) else len(result)
        return result

    def __getattr__(self, name):
        return getattr(self._sock, name)


class DeadlineReader(io.RawIOBase):
    """`DeadlineSocket` as the raw file under a buffered reader (the `rfile` of http.server handlers)."""

    def __init__(self, sock: DeadlineSocket):
        super().__init__()
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._sock.recv_into(buffer)

