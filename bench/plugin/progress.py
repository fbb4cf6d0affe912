"""Lines on the terminal as the slow parts happen (training, servers starting, each rotation),
so a first run does not sit silent for minutes before its first dot. They go through pytest's
terminal reporter, each on its own line, also under `-q`; nothing of them reaches a saved run."""
from __future__ import annotations

import time
from contextlib import contextmanager


def say(config, text: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():  # as pytest's live logging: past the output capture
        # under -q the dots share a line that ensure_newline() does not know of
        if getattr(getattr(reporter, "_tw", None), "width_of_current_line", 0):
            reporter.write("\n")
        reporter.write_line(f"[tfserve-bench] {text}")


@contextmanager
def step(config, text: str):
    """`text …` when it starts, `text: done in N s` when it ends."""
    say(config, f"{text} …")
    started = time.monotonic()
    yield
    say(config, f"{text}: done in {time.monotonic() - started:.0f} s")
