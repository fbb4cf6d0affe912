"""The client's own cost: our client and wrk against a server that does nothing; its benchmark
(bench/test_client_cost.py) runs its own minimal server, so it has no cases here."""
from __future__ import annotations

from bench.questions.question import Question

RECORD = "client cost"


# Its own figures: our client's and wrk's p50 in alternating windows on the same server, and the
# difference (None without wrk).
PART = ("client_window_p50_ms", "wrk_window_p50_ms", "client_cost_ms")

QUESTION = Question(RECORD, None, part=PART)
