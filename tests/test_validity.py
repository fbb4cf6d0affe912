import numpy as np
import pytest

from bench.validity import Rules, judge

RULES = Rules(min_requests=30, min_duration_s=0.5, max_half_width=0.05)


def test_precise_long_enough_figure_is_valid():
    rng = np.random.default_rng(1)
    verdict = judge(list(0.01 * (1 + 0.01 * rng.standard_normal(20))), requests=60, duration_s=0.6, rules=RULES)
    assert verdict.valid and "60 requests" in verdict.reason and verdict.half_width < 0.01


def test_drift_that_moves_every_round_alike_is_not_a_reason():
    """A machine slowing down steadily through the rotation: precise rounds, each a bit slower."""
    verdict = judge([0.010 + 0.00002 * i for i in range(20)], requests=240, duration_s=2.0, rules=RULES)
    assert verdict.valid, verdict.reason


def test_an_injected_noisy_figure_is_invalid():
    """Rounds that disagree by tens of per cent: the median's interval is wider than the bound."""
    rng = np.random.default_rng(2)
    noisy = list(0.01 * rng.lognormal(0, 0.4, 20))
    verdict = judge(noisy, requests=240, duration_s=2.0, rules=RULES)
    assert not verdict.valid and "imprecise" in verdict.reason and verdict.half_width > 0.05


@pytest.mark.parametrize("medians, requests, duration, reason", [
    ([0.01] * 10, 10, 0.6, "10 requests < minimum 30"),
    ([0.01] * 10, 60, 0.1, "0.10 s < minimum 0.50 s"),
    ([0.01, 0.01], 60, 1.0, "too few"),
])
def test_invalid_runs_say_why(medians, requests, duration, reason):
    verdict = judge(medians, requests, duration, RULES)
    assert not verdict.valid and reason in verdict.reason
    assert verdict.as_extra_info() == {"valid": False, "validity_reason": verdict.reason}
