import numpy as np
import pytest

from bench.method.validity import Rules, precision_verdict

RULES = Rules(min_requests=30, min_duration_s=0.5, max_half_width=0.05)


def test_precise_long_enough_figure_is_valid():
    rng = np.random.default_rng(1)
    verdict = precision_verdict(list(0.01 * (1 + 0.01 * rng.standard_normal(20))), requests=60, duration_s=0.6, rules=RULES)
    assert verdict.valid and "60 requests" in verdict.reason and verdict.half_width < 0.01


def test_drift_that_moves_every_round_alike_is_not_a_reason():
    """A machine slowing down steadily through the rotation: precise rounds, each a bit slower."""
    verdict = precision_verdict([0.010 + 0.00002 * i for i in range(20)], requests=240, duration_s=2.0, rules=RULES)
    assert verdict.valid, verdict.reason


def test_an_injected_noisy_figure_is_invalid():
    """Rounds that disagree by tens of per cent: the median's interval is wider than the bound."""
    rng = np.random.default_rng(2)
    noisy = list(0.01 * rng.lognormal(0, 0.4, 20))
    verdict = precision_verdict(noisy, requests=240, duration_s=2.0, rules=RULES)
    assert not verdict.valid and "imprecise" in verdict.reason and verdict.half_width > 0.05


@pytest.mark.parametrize("medians, requests, duration, reason", [
    ([0.01] * 10, 10, 0.6, "10 requests < minimum 30"),
    ([0.01] * 10, 60, 0.1, "0.10 s < minimum 0.50 s"),
    ([0.01, 0.01], 60, 1.0, "too few"),
])
def test_invalid_runs_say_why(medians, requests, duration, reason):
    verdict = precision_verdict(medians, requests, duration, RULES)
    assert not verdict.valid and reason in verdict.reason
    assert verdict.as_extra_info() == {"valid": False, "validity_reason": verdict.reason}


def test_a_rotation_takes_the_machines_drift_out_of_a_figures_rounds():
    """Two streams, the machine twice as slow in some rounds: each stream's relative medians are
    flat (so its figure is precise), while a stream that jitters on its own keeps its spread."""
    from bench.method.paired import Stream, rotate

    rng = np.random.default_rng(3)
    level = [1.0]
    streams = [Stream("steady", lambda: 0.010 * level[0]), Stream("other", lambda: 0.004 * level[0]),
               Stream("jittery", lambda: 0.006 * level[0] * rng.lognormal(0, 0.3))]
    rotation = rotate(streams, rounds=20, per_round=3, window=True,
                      between_rounds=lambda: level.__setitem__(0, 1 + rng.random()))
    raw = precision_verdict(rotation.round_medians["steady"], 240, 2.0, RULES)
    relative = precision_verdict(rotation.relative_medians("steady"), 240, 2.0, RULES)
    jittery = precision_verdict(rotation.relative_medians("jittery"), 240, 2.0, RULES)
    assert not raw.valid and relative.valid and not jittery.valid, (raw, relative, jittery)


def test_rounds_are_added_while_a_figure_is_imprecise_and_the_budget_lasts():
    """A stream whose rounds disagree by ±20 % gets more rounds, half as many each time, until the
    budget ends them; a precise one gets none."""
    import numpy as np

    from bench.method.cases import Case, default_server
    from bench.method.paired import Stream
    from bench.method.rotations import rotate_toward_precision
    from bench.method.rounds import Rounds

    rng = np.random.default_rng(0)
    cases = [Case("static", default_server(1)), Case("dynamic", default_server(1))]

    def streams(spread: float) -> list[Stream]:
        return [Stream(str(cases[0]), lambda: 0.001 * float(np.exp(rng.normal(0, spread)))),
                Stream(str(cases[1]), lambda: 0.001)]

    quiet = lambda: None  # noqa: E731 (simulated streams: nothing to collect)
    size, rules = Rounds(10, 1), Rules(1, 0.0, 0.05)
    rotation, added = rotate_toward_precision(streams(0.001), size, cases, rules, 5.0, between_rounds=quiet)
    assert added == 0 and rotation.rounds == 10
    rotation, added = rotate_toward_precision(streams(0.5), size, cases, rules, 5.0, between_rounds=quiet)
    assert added >= 5 and rotation.rounds == 10 + added and len(rotation.samples[str(cases[0])]) == 10 + added
    assert rotate_toward_precision(streams(0.5), size, cases, rules, 0.0, between_rounds=quiet)[1] == 0
