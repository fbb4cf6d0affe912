"""The run's peak memory is the machine's: an allocation anywhere shows in it."""
import time

from bench.memory import PeakMemory


def test_peak_sees_an_allocation_that_is_gone_by_the_end():
    peak = PeakMemory(interval_s=0.05).start()
    block = b"x" * (300 * 1024 * 1024)  # written: every page really in use
    time.sleep(0.5)
    del block
    time.sleep(0.2)
    peak.stop()
    stored = peak.as_json()
    assert stored["run_peak_mb"] >= 250
    assert abs(stored["machine_used_peak_mb"] - stored["machine_used_before_mb"] - stored["run_peak_mb"]) <= 1
