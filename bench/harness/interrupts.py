"""Ctrl-C and SIGTERM: one way to stop a run, and no child process lost while it is being started.

A CI runner cancelling a job sends SIGTERM; `sigterm_as_ctrl_c` sends it down Ctrl-C's path, so
pytest's teardown and the gate's `finally` blocks stop every server. An interrupt that lands inside
`subprocess.Popen`, after the fork and before the Popen object is returned, would leave a child
nobody holds: `interrupts_deferred` holds the interrupt until the caller has recorded its child.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def sigterm_as_ctrl_c() -> None:
    signal.signal(signal.SIGTERM, _raise_interrupt)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Inside the block, Ctrl-C and SIGTERM wait; they take their usual path when it ends.

    Signal handlers belong to the main thread; elsewhere (where Python never delivers them) this
    does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)
