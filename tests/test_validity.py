import pytest

from bench.validity import Rules, judge, spread, window_medians

RULES = Rules(min_requests=30, min_duration_s=0.5, tolerance=0.1)


def test_window_medians_and_spread():
    assert window_medians([1, 1, 2, 2, 3, 3]) == [1, 2, 3]
    assert spread([1.0, 1.05, 1.1]) == pytest.approx(0.1)


def test_stable_long_enough_run_is_valid():
    verdict = judge([0.01] * 60, requests=60, duration_s=0.6, rules=RULES)
    assert verdict.valid and "60 requests" in verdict.reason


@pytest.mark.parametrize("samples, requests, duration, reason", [
    ([0.01] * 10, 10, 0.6, "10 requests < minimum 30"),
    ([0.01] * 60, 60, 0.1, "0.10 s < minimum 0.50 s"),
    ([0.01] * 40 + [0.05] * 20, 60, 1.0, "unstable: window medians differ by 400%"),
    ([0.01], 60, 1.0, "too few"),
])
def test_invalid_runs_say_why(samples, requests, duration, reason):
    verdict = judge(samples, requests, duration, RULES)
    assert not verdict.valid and reason in verdict.reason
    assert verdict.as_extra_info() == {"valid": False, "validity_reason": verdict.reason}
