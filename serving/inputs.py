"""Turn an HTTP request into a list of texts, or a clear 4xx reason.

Kept apart from Flask's app so the rules (limits, encodings, JSON shapes) are
tested without a server. Limits are documented in the README.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Limits:
    max_text_chars: int = 5_000  # longer texts are refused (413), not silently cut; fits gunicorn's 8190-byte request line
    max_batch: int = 64  # texts per POST {"texts": [...]}
    max_body_bytes: int = 1_048_576  # Flask MAX_CONTENT_LENGTH (413 above it)


class InputError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def check_text(text: object, where: str, limits: Limits) -> str:
    if not isinstance(text, str):
        raise InputError(f"{where} must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{where} is empty")
    if len(text) > limits.max_text_chars:
        raise InputError(f"{where} is longer than {limits.max_text_chars} characters", 413)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. JSON "\ud800"
        raise InputError(f"{where} is not valid Unicode") from None
    return text


def texts_from_query(raw_query: bytes, limits: Limits) -> list[str]:
    """`?text=...` from the raw query bytes, decoded strictly as UTF-8."""
    try:
        params = parse_qs(raw_query.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InputError("query string is not valid UTF-8") from None
    values = params.get("text")
    if not values:
        raise InputError("missing query parameter 'text'")
    if len(values) > 1:
        raise InputError("give 'text' once; POST {\"texts\": [...]} for a batch")
    return [check_text(values[0], "text", limits)]


def json_payload(body: bytes, content_type: str | None) -> object:
    """The decoded JSON body, or a 415/400 saying what is wrong with it."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise InputError("send JSON with Content-Type: application/json", 415)
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("body is not valid UTF-8") from None
    except ValueError as error:
        raise InputError(f"invalid JSON: {error}") from None
    except RecursionError:  # the decoder recurses per level: [[[[...]]]] 100,000 deep
        raise InputError("invalid JSON: nested too deeply") from None


def check_body_length(body: bytes, content_length: int | None) -> bytes:
    """A body cut short (the client closed early) is refused, not read as if whole."""
    if content_length is not None and len(body) < content_length:
        raise InputError(f"request body ended after {len(body)} of its {content_length} bytes (Content-Length)")
    return body


def texts_from_json(body: bytes, content_type: str | None, limits: Limits) -> tuple[list[str], bool]:
    """(texts, is_batch) from a JSON body {"text": str} or {"texts": [str, ...]}."""
    payload = json_payload(body, content_type)
    if not isinstance(payload, dict):
        raise InputError('JSON body must be an object: {"text": "..."} or {"texts": [...]}')
    if ("text" in payload) == ("texts" in payload):
        raise InputError('JSON body needs exactly one of "text" or "texts"')
    if "text" in payload:
        return [check_text(payload["text"], "text", limits)], False
    texts = payload["texts"]
    if not isinstance(texts, list):
        raise InputError(f"texts must be a list of strings, not {type(texts).__name__}")
    if not texts:
        raise InputError("texts is empty")
    if len(texts) > limits.max_batch:
        raise InputError(f"texts has {len(texts)} items; the limit is {limits.max_batch}", 413)
    return [check_text(text, f"texts[{i}]", limits) for i, text in enumerate(texts)], True


def instances_from_json(body: bytes, content_type: str | None, maxlen: int, limits: Limits) -> list[list[int]]:
    """TF Serving's REST `{"instances": [[id, ...], ...]}` (ids, as the SavedModel's signature takes)."""
    payload = json_payload(body, content_type)
    instances = payload.get("instances") if isinstance(payload, dict) else None
    if not isinstance(instances, list) or not instances:
        raise InputError('body must be {"instances": [[id, ...], ...]}')
    if len(instances) > limits.max_batch:
        raise InputError(f"instances has {len(instances)} items; the limit is {limits.max_batch}", 413)
    for index, row in enumerate(instances):
        if (not isinstance(row, list) or len(row) != maxlen
                or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in row)):
            raise InputError(f"instances[{index}] must be {maxlen} non-negative integer ids")
    return instances
