"""Tiny real HTTP servers for testing the load generators without TensorFlow."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietJsonHandler(BaseHTTPRequestHandler):
    """Answers `{"ok": true}` after `before_answer()`; logs nothing."""

    def before_answer(self) -> None:
        pass

    def do_GET(self):
        self.before_answer()
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_in_thread(handler: type[BaseHTTPRequestHandler], server_class=ThreadingHTTPServer):
    """(server, url): started on a free port; a listen queue deep enough for bursts of senders."""

    class Server(server_class):
        request_queue_size = 256  # the default 5 drops SYNs of a 20-connection burst (1 s retries)

    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/x"
