"""Our client agrees with wrk on the same server: the suite's client is not the bottleneck."""
import numpy as np
import pytest

from bench import wrk
from bench.supervisor import ServerProcess
from tests.tools import require

# Stated tolerance: our p50 is wrk's plus our client's own cost per request (0.086 ms against a
# minimal server, `bench/test_client_cost.py`; up to ~0.3 ms against a TensorFlow server, whose
# two cores the Python client shares), give or take 15 % of drift between alternating windows.
MAX_CLIENT_COST_MS = 0.5
DRIFT = 0.15
WRK_SAMPLE = """Running 3s test @ http://127.0.0.1:1/static?text=good
  Latency Distribution
     50%    4.61ms
     75%  812.00us
     90%    1.20s
     99%   10.00ms
  1000 requests in 3.00s, 200.00KB read
"""


def test_wrk_output_parsing():
    assert wrk.parse_latency_percentiles(WRK_SAMPLE) == {50.0: 4.61, 75.0: 0.812, 90.0: 1200.0, 99.0: 10.0}
    with pytest.raises(ValueError):
        wrk.parse_latency_percentiles("no numbers")


@pytest.mark.parametrize("graph", ["static", "static-xla"])
def test_p50_agrees_with_wrk(artifacts_dir, graph):
    require("wrk", wrk.available(), "Debian: apt-get install wrk")
    text = "the staff was friendly, but the room was dirty"
    with ServerProcess(graph, artifacts_dir, workers=1) as server:
        url = f"{server.url}/{graph}"
        ours_p50, wrk_p50, answers = wrk.alternate_p50s(url, text, windows=3, seconds=2)
        assert all(status == 200 for _, status, _ in answers.items)
    ours, theirs = float(np.median(ours_p50)), float(np.median(wrk_p50))
    print(f"\n{graph}: our p50 {ours:.3f} ms, wrk p50 {theirs:.3f} ms")
    drift = DRIFT * theirs
    assert -drift <= ours - theirs <= MAX_CLIENT_COST_MS + drift, (ours, theirs)
