"""Our client agrees with wrk on the same server: the suite's client is not the bottleneck."""
import numpy as np
import pytest

from bench import wrk
from bench.stats import bootstrap_ratio_ci
from serving.supervisor import ServerProcess
from tests.tools import require

# The target: the suite's p50 within 10 % of wrk's on the same server, judged on the median of
# paired window ratios (our window ÷ the wrk window of the same round, taking turns).
TARGET = 0.10
WINDOWS = 10
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
def test_p50_within_ten_percent_of_wrk(artifacts_dir, graph):
    require("wrk", wrk.available(), "Debian: apt-get install wrk")
    text = "the staff was friendly, but the room was dirty"
    with ServerProcess(graph, artifacts_dir, workers=1) as server:
        url = f"{server.url}/{graph}"
        ours, theirs, answers = wrk.alternate_p50s(url, text, windows=WINDOWS, seconds=1)
        assert all(status == 200 for _, status, _ in answers.items)
    ratio, low, high = bootstrap_ratio_ci(theirs, ours)
    print(f"\n{graph}: our p50 {np.median(ours):.3f} ms, wrk p50 {np.median(theirs):.3f} ms, "
          f"paired ours / wrk {ratio:.3f} [{low:.3f}, {high:.3f}]")
    assert 1 - TARGET <= ratio <= 1 + TARGET, (ours, theirs)
