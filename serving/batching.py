"""Server-side micro-batching, as TF Serving's batching does it.

Request threads hand their ids to one batching thread; it takes the first
waiting request, gathers whatever else arrives within `window_s` (up to
`max_batch` rows), runs them as one graph call and hands each caller its rows.
With `window_s = 0` it batches only what is already queued: no added wait at
low load, and under a burst the queue that builds while one batch runs becomes
the next batch. It needs concurrent requests in one process: gunicorn's
gthread workers or the threaded Flask server, not sync workers.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from serving.graphs import Predictor


@dataclass
class _Pending:
    ids: np.ndarray
    done: threading.Event = field(default_factory=threading.Event)
    result: np.ndarray | None = None
    error: BaseException | None = None


class MicroBatcher:
    def __init__(self, predict_ids: Predictor, max_batch: int = 64, window_s: float = 0.0):
        if max_batch < 1 or window_s < 0:
            raise ValueError("max_batch must be at least 1 and window_s not negative")
        self._predict_ids = predict_ids
        self.max_batch = max_batch
        self.window_s = window_s
        self._queue: queue.Queue[_Pending] = queue.Queue()
        threading.Thread(target=self._serve_forever, name="micro-batcher", daemon=True).start()

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        pending = _Pending(ids)
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _gather(self) -> list[_Pending]:
        batch = [self._queue.get()]
        rows = len(batch[0].ids)
        deadline = time.monotonic() + self.window_s
        while rows < self.max_batch:
            try:
                remaining = deadline - time.monotonic()
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if rows + len(item.ids) > self.max_batch:
                self._queue.put(item)  # too big for this batch: it starts the next one
                break
            batch.append(item)
            rows += len(item.ids)
        return batch

    def _serve_forever(self) -> None:
        while True:
            batch = self._gather()
            try:
                probabilities = self._predict_ids(np.concatenate([p.ids for p in batch]))
            except BaseException as error:  # every waiting caller gets the error, none hangs
                for pending in batch:
                    pending.error = error
                    pending.done.set()
                continue
            start = 0
            for pending in batch:
                pending.result = probabilities[start:start + len(pending.ids)]
                start += len(pending.ids)
                pending.done.set()
