"""The launch floor (bench.method.launches): each case on two processes, each process with its own
speed, and intervals that hold the spread between launches that rounds cannot see."""
import numpy as np

from bench.method.cases import Case, default_server
from bench.method.launches import Launch, launches_of, merged, of_case, pooled, spread
from bench.method.paired import Rotation

CASES = [Case(graph, default_server(1)) for graph in ("dynamic", "static", "onnx", "static-xla")]


def simulated(seed: int, launch_sd: float = 0.04, round_sd: float = 0.01, rounds: int = 30) -> Rotation:
    """Every case the same speed; each process a launch offset (σ `launch_sd`), each round noise."""
    rng = np.random.default_rng(seed)
    medians = {}
    for process in launches_of(CASES, 2):
        offset = np.exp(rng.normal(0, launch_sd))
        medians[str(process)] = list(0.002 * offset * np.exp(rng.normal(0, round_sd, rounds)))
    return Rotation({name: list(values) for name, values in medians.items()}, medians, 1.0)


def test_a_case_has_two_named_processes_and_one_server_each():
    processes = launches_of(CASES[:1], 2)
    assert [str(p) for p in processes] == ["dynamic-gunicorn-w1", "dynamic-gunicorn-w1#2"]
    assert processes[1] == Launch(CASES[0], 2) and processes[1].config == CASES[0].config
    assert launches_of(CASES, 1) == CASES  # one process: the cases as they are
    assert of_case(CASES[1], launches_of(CASES, 2)) == [Launch(CASES[1], 1), Launch(CASES[1], 2)]


def test_identical_cases_on_different_launches_keep_one_in_their_intervals():
    """Without the floor, rounds alone give ±1 % intervals around launch offsets of σ 4 %: most
    A/A intervals would miss 1. With it, at least 90 of 100 hold it."""
    held = bare = 0
    for seed in range(100):
        rotation = merged(simulated(seed), CASES)
        assert set(rotation.round_medians) == {str(case) for case in CASES} and rotation.launch_variance
        with_floor = rotation.compare("x: static / dynamic", str(CASES[1]), str(CASES[0]))
        without = Rotation(rotation.samples, rotation.round_medians).compare("x: static / dynamic", str(CASES[1]), str(CASES[0]))
        held += with_floor.low <= 1 <= with_floor.high
        bare += without.low <= 1 <= without.high
    assert held >= 90, held
    assert bare < 50, bare


def test_a_real_difference_still_shows_through_the_floor():
    rotation = simulated(3)
    faster = {name: [v * 0.5 for v in values] if name.startswith("onnx") else values
              for name, values in rotation.round_medians.items()}
    found = merged(Rotation(faster, faster, 1.0), CASES).compare("x: onnx / static", str(CASES[2]), str(CASES[1]))
    assert found.answer == "faster" and found.high < 0.7


def test_a_slow_launch_widens_every_answer_of_its_question():
    two = spread([[1.0, 1.0, 1.0], [1.1, 1.1, 1.1]])
    assert two[1] == 1 and abs(two[0] - np.log(1.1) ** 2 / 2) < 1e-12  # two processes d apart: d² / 2
    four = spread([[1.0] * 3, [1.02] * 3, [0.98] * 3, [1.0] * 3])
    assert four[1] == 3
    quiet = pooled([four, (0.0001, 1)])
    assert quiet[1] == 4 and quiet[0] == (four[0] * 3 + 0.0001) / 4
    assert pooled([four, (0.08, 1)])[0] > 50 * quiet[0] and pooled([]) == (0.0, 0)
