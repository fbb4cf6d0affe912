"""The lean HTTP client reads every answer shape our servers and TF Serving send, and refuses the rest."""
import socket
import threading

import pytest

from bench.clients.connection import Connection, ProtocolError


def one_shot_server(answers: list[bytes]):
    """A server that reads one request per answer on a single connection, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    requests = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            for answer in answers:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                requests.append(data)
                conn.sendall(answer)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/static", requests


def test_keep_alive_answers_reuse_one_connection_and_the_request_is_well_formed():
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\": 1}\n"
    url, seen = one_shot_server([answer, answer])
    connection = Connection(url)
    assert connection.get_text("good food, really") == (200, b'{"a": 1}\n')
    assert connection.get_text("good food, really") == (200, b'{"a": 1}\n')
    connection.close()
    assert seen[0].startswith(b"GET /static?text=good+food%2C+really HTTP/1.1\r\nHost: 127.0.0.1:")


def test_connection_close_and_answers_without_length():
    url, _ = one_shot_server([b"HTTP/1.1 400 BAD REQUEST\r\nConnection: close\r\n\r\n{\"error\": \"x\"}"])
    assert Connection(url).get_text("a") == (400, b'{"error": "x"}')


def test_chunked_answers_are_read_whole_and_the_connection_kept():
    """Ray Serve's proxy answers in chunks; a chunk may arrive split, with an extension, or trailers after."""
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=1\r\n, world\r\n0\r\n\r\n"
    trailers = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
    url, _ = one_shot_server([chunked, trailers])
    connection = Connection(url)
    assert connection.get_text("a") == (200, b"hello, world")
    assert connection.get_text("b") == (200, b"abc")
    connection.close()


@pytest.mark.parametrize("answer, error", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "closed inside a chunked answer"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", "other than chunked"),
    (b"SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP answer"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"", "inside the answer's body"),
], ids=["chunks cut short", "another encoding", "not HTTP", "body cut short"])
def test_a_broken_or_foreign_answer_is_an_error_not_an_answer(answer, error):
    url, _ = one_shot_server([answer])
    with pytest.raises(ProtocolError, match=error):
        Connection(url).get_text("a")


def test_a_timed_request_closes_the_servers_closed_socket_after_its_timer_and_leaves_none_open():
    """gunicorn's sync workers close every connection: wrk records the latency, then closes; so does the
    timed unit (closing inside the timer cost 0.02 ms a request here), and no spent socket outlives it."""
    from bench.clients.http import SequentialClient

    answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    url, _ = one_shot_server([answer])
    client = SequentialClient(url, ["a"])
    closed_at = []
    original_close = client.connection.close

    def close():
        closed_at.append(client.connection._sock is not None)
        original_close()

    client.connection.close = close
    elapsed = client.timed_unit()
    assert elapsed > 0 and closed_at and client.connection._sock is None and not client.connection.defer_close
    url, _ = one_shot_server([answer])
    direct = Connection(url)
    assert direct.get_text("a") == (200, b"{}") and direct._sock is None  # not deferred: closed at once
