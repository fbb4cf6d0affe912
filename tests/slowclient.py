"""Clients that send slowly or lie, over raw sockets: what a worker must not wait for forever."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass


@dataclass
class Outcome:
    seconds: float  # from connecting to the answer or the close
    status: int | None  # None: closed (or reset) without an answer
    body: bytes = b""

    @property
    def error(self) -> str:
        return json.loads(self.body)["error"]


def post_head(path: str, content_length: int) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {content_length}\r\n\r\n").encode()


def get_request(path: str, text: str) -> bytes:
    """A whole GET of `text`, closing after its answer."""
    return (f"GET {path}?text={urllib.parse.quote(text)} HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()


def lying_client(port: int, path: str, body: bytes, timeout: float) -> SlowClient:
    """Announces 100 bytes more body than it sends, then waits with the connection open."""
    return SlowClient(port, post_head(path, len(body) + 100) + body, timeout=timeout)


class SlowClient:
    """One connection sending `first` at once, then `rest` a byte every `interval` s, in a thread."""

    def __init__(self, port: int, first: bytes, rest: bytes = b"", interval: float = 0.2, timeout: float = 30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.started = time.monotonic()
        if first:
            self.sock.sendall(first)
        self._stop = threading.Event()
        self._sender = threading.Thread(target=self._trickle, args=(rest, interval), daemon=True)
        self._sender.start()

    def _trickle(self, rest: bytes, interval: float) -> None:
        for byte in rest:
            if self._stop.wait(interval):
                return
            try:
                self.sock.send(bytes([byte]))
            except OSError:
                return  # the server closed: what the test waits for

    def outcome(self) -> Outcome:
        """Waits for the server's answer or close (the socket's timeout bounds the wait)."""
        data = b""
        try:
            while chunk := self.sock.recv(65536):
                data += chunk
                if _complete(data):
                    break
        except ConnectionResetError:
            pass
        except TimeoutError:
            return Outcome(time.monotonic() - self.started, status=-1)  # still waiting when the test gave up
        finally:
            seconds = time.monotonic() - self.started
            self.close()
        if not data:
            return Outcome(seconds, None)
        head, _, body = data.partition(b"\r\n\r\n")
        return Outcome(seconds, int(head.split()[1]), body)

    def outcome_within(self, seconds: float) -> Outcome:
        """Waits at most `seconds` more; status -1 if neither an answer nor a close came."""
        self.sock.settimeout(seconds)
        return self.outcome()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


def _complete(data: bytes) -> bool:
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False
