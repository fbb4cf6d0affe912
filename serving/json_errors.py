"""Every error an app answers, as JSON: the input rules' 4xx, a slow client's 408, Flask's own
HTTP errors, and a 500 whose trace goes to the log, never to the client. Used by the one app
(`serving.app`), whatever its model source."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from serving.deadlines import DeadlinePassed
from serving.inputs import InputError

log = logging.getLogger("serving")


def answer_errors_as_json(app: Flask) -> None:
    @app.errorhandler(InputError)
    def input_error(error: InputError):
        return jsonify(error=error.message), error.status

    @app.errorhandler(DeadlinePassed)
    def too_slow(error: DeadlinePassed):
        # raised by the server's reads while the app reads the body (serving.deadlines)
        log.warning("slow client: %s (%d bytes received)", error, error.received)
        return jsonify(error=str(error)), 408

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=f"{error.name}: {error.description}"), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error")  # the trace goes to the log, never to the client
        return jsonify(error="internal server error"), 500
