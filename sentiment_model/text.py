"""Text → token ids: the one preprocessing used by training and by every server.

Deliberately free of TensorFlow and of the model code, so the static server can
use it without importing how the network is built.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

PAD_ID = 0
OOV_ID = 1
_RESERVED = ["<pad>", "<oov>"]
# Words (letters, digits, inner apostrophes); everything else is a separator.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; NFKC folds look-alike Unicode (full-width, ligatures)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


class Vocabulary:
    """Token ↔ id map with fixed-length, right-aligned encoding (as the seed model)."""

    def __init__(self, tokens: Sequence[str], maxlen: int):
        if list(tokens[: len(_RESERVED)]) != _RESERVED:
            raise ValueError("vocabulary must start with <pad>, <oov>")
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self.tokens = list(tokens)
        self.maxlen = maxlen
        self._ids = {token: index for index, token in enumerate(self.tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], maxlen: int, min_count: int = 1) -> Vocabulary:
        counts = Counter(token for text in texts for token in tokenize(text))
        # Most frequent first, ties alphabetical: the same corpus gives the same ids.
        words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls(_RESERVED + words, maxlen)

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """Ids of the last `maxlen` tokens (the end of a text sits next to the output)."""
        get = self._ids.get
        return [get(token, OOV_ID) for token in tokenize(text)[-self.maxlen:]]

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        """int32 array (len(texts), maxlen), zero-padded on the left."""
        batch = np.zeros((len(texts), self.maxlen), dtype=np.int32)
        for row, text in enumerate(texts):
            ids = self.encode(text)
            if ids:
                batch[row, -len(ids):] = ids
        return batch

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"maxlen": self.maxlen, "tokens": self.tokens}, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(data["tokens"], int(data["maxlen"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"corrupt vocabulary file {path}: {error}") from None
