"""The micro-batcher: concurrent callers share graph calls and each gets its own rows."""
import threading
import time

import numpy as np
import pytest

from serving.batching import MicroBatcher


class SlowModel:
    """A stand-in graph call: rows → [row sum, row index], taking a fixed time per call."""

    def __init__(self, seconds: float = 0.02):
        self.seconds = seconds
        self.calls: list[int] = []

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        self.calls.append(len(ids))
        time.sleep(self.seconds)
        return np.stack([ids.sum(axis=1), ids[:, 0]], axis=1).astype(np.float32)


def call_concurrently(batcher, inputs):
    results = [None] * len(inputs)
    barrier = threading.Barrier(len(inputs))

    def one(index):
        barrier.wait()
        results[index] = batcher(inputs[index])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class HeldModel(SlowModel):
    """Its first call waits until all `total` requests are either in it or queued behind it: those
    queued must then come as one batch (by count, not by how long anything took)."""

    def __init__(self, total: int):
        super().__init__(seconds=0.0)
        self.total = total
        self.batcher: MicroBatcher | None = None

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        if not self.calls:
            deadline = time.monotonic() + 30  # only against a hang
            while len(ids) + self.batcher._queue.qsize() < self.total and time.monotonic() < deadline:
                time.sleep(0.001)
        return super().__call__(ids)


def test_requests_queued_behind_a_call_share_the_next_one_and_get_their_own_rows():
    model = HeldModel(total=20)
    model.batcher = batcher = MicroBatcher(model, max_batch=64, window_s=0.0)
    inputs = [np.full((1, 3), i, dtype=np.int32) for i in range(20)]
    results = call_concurrently(batcher, inputs)
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result, [[3 * i, i]])
    # what was queued when the first call started went into it, the rest into the next one
    assert len(model.calls) <= 2 and sum(model.calls) == 20, model.calls


def test_batches_respect_max_rows_and_keep_multi_row_requests_whole():
    model = SlowModel()
    batcher = MicroBatcher(model, max_batch=5, window_s=0.01)
    inputs = [np.full((2, 1), i, dtype=np.int32) for i in range(6)]
    results = call_concurrently(batcher, inputs)
    assert all(r.shape == (2, 2) and (r[:, 1] == i).all() for i, r in enumerate(results))
    assert max(model.calls) <= 5 and all(size % 2 == 0 for size in model.calls)


def test_window_waits_for_late_arrivals():
    model = SlowModel(seconds=0.0)
    # a window far longer than the arrival's delay; the batch closes when it is full, not by the clock
    batcher = MicroBatcher(model, max_batch=2, window_s=30)
    first = threading.Thread(target=batcher, args=(np.zeros((1, 1), dtype=np.int32),))
    first.start()
    time.sleep(0.01)
    batcher(np.ones((1, 1), dtype=np.int32))
    first.join()
    assert model.calls == [2]


def test_errors_reach_every_caller_and_the_batcher_keeps_working():
    calls = []

    def flaky(ids):
        calls.append(len(ids))
        if len(calls) == 1:
            raise RuntimeError("graph failed")
        return np.zeros((len(ids), 2), dtype=np.float32)

    batcher = MicroBatcher(flaky)
    with pytest.raises(RuntimeError, match="graph failed"):
        batcher(np.zeros((1, 1), dtype=np.int32))
    assert batcher(np.zeros((3, 1), dtype=np.int32)).shape == (3, 2)


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        MicroBatcher(SlowModel(), max_batch=0)
    with pytest.raises(ValueError):
        MicroBatcher(SlowModel(), window_s=-1)
