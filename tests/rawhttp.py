"""Send exact bytes over HTTP/1.1 (clients like requests refuse to send malformed ones)."""
from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(port: int, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]] = (),
                body: bytes | None = None, request_line: bytes | None = None, timeout: float = 30,
                content_length: int | None = None) -> RawResponse:
    """`content_length` announces another length than the body has; the client then stops
    sending (half-closes), as one that gave up mid-body."""
    lines = [request_line or method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if body is not None:
        lines.append(b"Content-Length: " + str(len(body) if content_length is None else content_length).encode())
    payload = b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            if content_length is not None:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        response = http.client.HTTPResponse(sock, method=method.decode("latin-1"))
        response.begin()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
