"""The suite's HTTP/1.1 client: a lean socket loop, so the client is not the figure.

At sub-2 ms latencies `http.client` cost 30-40 % of the figure (its header
objects, email parser and buffered reader; measured against wrk). Here each
request's bytes are built once per text and reused, the answer's head is parsed
with two byte searches, and nothing else runs between send and the last byte.
Answers have a Content-Length (Flask's JSON answers, TF Serving's), come in chunks (Ray Serve's
proxy) or end at close.
"""
from __future__ import annotations

import socket
from urllib.parse import urlencode, urlsplit


class ProtocolError(OSError):
    """An answer this client cannot read (counted with connection errors, never as an answer)."""


class ClosedBeforeAnswer(ProtocolError):
    """The server closed without a byte of answer (e.g. an idle kept-alive connection)."""


def open_connection(url: str, timeout: float = 60.0):
    """A connection to `url`: HTTP/1.1, or for a `grpc+tfs://` or `grpc+v2://` URL a gRPC channel with
    the same methods (bench.clients.grpc_connection)."""
    if url.startswith("grpc+"):
        from bench.clients.grpc_connection import GrpcConnection

        return GrpcConnection(url, timeout)
    return Connection(url, timeout)


class Connection:
    """One HTTP/1.1 connection, kept alive when the server allows (gunicorn sync workers close it)."""

    opened_before_a_burst = False  # a burst's thread connects inside the timed burst, as the seed's clients did

    def __init__(self, url: str, timeout: float = 60.0):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port or 80, parts.path
        self.timeout = timeout
        self._sock: socket.socket | None = None
        # While set, a socket the server said it closes is left for `close_if_spent` (called once the
        # caller's timer has stopped: wrk records a latency before it closes, 0.02 ms a request here).
        self.defer_close = False
        self._spent = False
        self._requests: dict[tuple[str, str | bytes], bytes] = {}  # built once, sent many times
        self._host_header = f"Host: {self.host}:{self.port}\r\n".encode()

    def get_text(self, text: str) -> tuple[int, bytes]:
        request = self._requests.get(("GET", text))
        if request is None:
            target = f"{self.path}?{urlencode({'text': text})}"
            request = self._requests[("GET", text)] = (
                f"GET {target} HTTP/1.1\r\n".encode() + self._host_header + b"\r\n")
        return self._exchange(request)

    def post_json(self, body: bytes, key: str | None = None) -> tuple[int, bytes]:
        """POST a JSON body; with a `key`, its request bytes are built once and reused."""
        request = self._requests.get(("POST", key)) if key is not None else None
        if request is None:
            request = (f"POST {self.path} HTTP/1.1\r\n".encode() + self._host_header
                       + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            if key is not None:
                self._requests[("POST", key)] = request
        return self._exchange(request)

    def send(self, item) -> tuple[int, bytes]:
        """One request of a run's pool: a text (`GET ?text=`, the built-in model) or a
        `bench.method.oracle.JsonRequest` (a model file's, POSTed as TF Serving takes it)."""
        return self.get_text(item) if isinstance(item, str) else self.post_json(item.body, item.key)

    def connect(self) -> None:
        """Open the connection now if there is none, so a timed request starts at its first byte
        sent, as wrk times it (gunicorn's sync workers close every connection after answering)."""
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _exchange(self, request: bytes) -> tuple[int, bytes]:
        reused = self._sock is not None
        self.connect()
        try:
            self._sock.sendall(request)
            status, body, keep = self._read_answer(self._sock)
        except (ConnectionResetError, BrokenPipeError, ClosedBeforeAnswer):
            self.close()
            if reused:
                return self._exchange(request)  # the server closed an idle kept-alive connection
            raise
        except OSError:
            self.close()
            raise
        if not keep:
            if self.defer_close:
                self._spent = True
            else:
                self.close()
        return status, body

    @staticmethod
    def _read_answer(sock: socket.socket) -> tuple[int, bytes, bool]:
        data = b""
        while (head_end := data.find(b"\r\n\r\n")) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise ClosedBeforeAnswer("closed before answering") if not data else ProtocolError("closed inside the head")
            data += chunk
        head = data[:head_end].lower()
        try:
            status = int(head[9:12])
        except ValueError:
            raise ProtocolError(f"not an HTTP answer: {data[:40]!r}") from None
        body = data[head_end + 4:]
        keep = b"\r\nconnection: close" not in head
        if b"\r\ntransfer-encoding:" in head:
            if b"chunked" not in head[head.find(b"\r\ntransfer-encoding:"):].split(b"\r\n", 2)[1]:
                raise ProtocolError("a transfer encoding other than chunked")
            return status, Connection._read_chunks(sock, body), keep
        length_at = head.find(b"\r\ncontent-length:")
        if length_at < 0:  # no length: the answer ends when the server closes
            while chunk := sock.recv(65536):
                body += chunk
            return status, body, False
        line_end = head.find(b"\r\n", length_at + 2)
        length = int(head[length_at + 17:line_end if line_end > 0 else None])
        while len(body) < length:
            chunk = sock.recv(max(65536, length - len(body)))
            if not chunk:
                raise ProtocolError("closed inside the answer's body")
            body += chunk
        return status, body[:length], keep

    @staticmethod
    def _read_chunks(sock: socket.socket, data: bytes) -> bytes:
        """A chunked body (RFC 9112 §7.1), `data` what was read after the head: each chunk's hex size
        line and its bytes, to the zero-size chunk and the blank line after any trailers."""
        body, at = b"", 0
        while True:
            while (line_end := data.find(b"\r\n", at)) < 0:
                data += Connection._more(sock)
            try:
                size = int(data[at:line_end].split(b";")[0], 16)
            except ValueError:
                raise ProtocolError(f"a bad chunk size line: {data[at:line_end][:40]!r}") from None
            at = line_end + 2
            if size == 0:
                while data.find(b"\r\n\r\n", at - 2) < 0:
                    data += Connection._more(sock)
                return body
            while len(data) < at + size + 2:
                data += Connection._more(sock)
            body += data[at:at + size]
            at += size + 2

    @staticmethod
    def _more(sock: socket.socket) -> bytes:
        chunk = sock.recv(65536)
        if not chunk:
            raise ProtocolError("closed inside a chunked answer")
        return chunk

    def close_if_spent(self) -> None:
        """Close the socket if the server said it closes it (a deferred close: `defer_close`)."""
        if self._spent:
            self.close()

    def close(self) -> None:
        self._spent = False
        if self._sock is not None:
            self._sock.close()
            self._sock = None
