"""The gate's outcome, its machine-readable outputs and the accepted-slowdown trailer (no servers)."""
import json
import subprocess
from types import SimpleNamespace

from bench import gate
from bench.method.verdicts import GateComparison, compare, family_confidence, outcome
from bench.results.gate_report import table


def comparison(verdict: str, ratio=1.0, low=0.98, high=1.02) -> GateComparison:
    return GateComparison(name=f"request static gunicorn-w1 {verdict}", numerator="candidate", denominator="base",
                               ratio=ratio, low=low, high=high, confidence=0.95, threshold=0.05, verdict=verdict,
                               base_median=0.004, candidate_median=0.004 * ratio, rounds=20)


def test_outcome_fails_passes_and_accepts_on_record():
    slower = comparison("FAIL", 1.2, 1.15, 1.25)
    assert outcome([comparison("PASS"), slower], None, "Perf-Accepted")[0] == 1
    status, words = outcome([comparison("PASS"), slower], "a bigger model, on purpose", "Perf-Accepted")
    assert status == 0 and "ACCEPTED" in words and "a bigger model, on purpose" in words and "1.200" in words
    # an interval across the threshold decides too: not significantly slower is a PASS, with what it could have seen
    status, words = outcome([comparison("PASS"), comparison("PASS", 1.04, 1.0, 1.08)], None, "Perf-Accepted")
    assert status == 0 and "could have shown: up to 9.0%" in words
    assert outcome([comparison("PASS"), comparison("INFO", 1.3, 1.2, 1.4)], None, "Perf-Accepted")[0] == 0  # shown only
    assert outcome([comparison("PASS")], "unused", "Perf-Accepted")[0] == 0


def test_smallest_detectable_slowdown_grows_with_the_interval():
    narrow, wide = comparison("PASS", 1.0, 0.99, 1.01), comparison("PASS", 1.0, 0.9, 1.1)
    assert round(narrow.smallest_detectable_slowdown, 3) == 0.06
    assert wide.smallest_detectable_slowdown > narrow.smallest_detectable_slowdown


def test_json_and_markdown_outputs(tmp_path):
    found = [comparison("PASS"), comparison("FAIL", 1.2, 1.15, 1.25)]
    args = SimpleNamespace(json=tmp_path / "gate.json", markdown=tmp_path / "gate.md")
    gate.write_outputs(args, found, 1, "FAIL: slower", 123.4, {}, {"requests": 100.0, "bursts": 23.4})
    stored = json.loads(args.json.read_text())
    assert stored["status"] == 1 and stored["duration_s"] == 123.4
    assert stored["phases_s"] == {"requests": 100.0, "bursts": 23.4}
    suite_fields = {"name", "numerator", "denominator", "ratio", "low", "high", "confidence"}
    assert all(suite_fields <= set(c) and c["verdict"] in ("PASS", "FAIL") for c in stored["comparisons"])
    table = args.markdown.read_text()
    assert table.count("| request static gunicorn-w1") == 2 and "| FAIL |" in table and "FAIL: slower" in table


def test_the_trailer_is_read_from_the_candidate_commit(tmp_path):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    git("init", "-q")
    git("commit", "-q", "--allow-empty", "-m", "plain change")
    assert gate.accepted_reason(tmp_path) is None
    git("commit", "-q", "--allow-empty", "-m", "Bigger model\n\nPerf-Accepted: 2x the parameters for accuracy")
    assert gate.accepted_reason(tmp_path) == "2x the parameters for accuracy"


def test_an_instruction_count_is_judged_exactly_with_what_it_means_in_time():
    more = compare("instructions per request in-process static", [17.6e-3], [17.6e-3 * 1.02], 0.95, 0.01, exact=True,
                   note="1 % more instructions of the same mix is about 22 µs a request")
    same = compare("instructions per request in-process static", [17.6e-3], [17.6e-3 * 1.003], 0.95, 0.01, exact=True)
    assert (more.verdict, more.low, more.high, more.confidence) == ("FAIL", more.ratio, more.ratio, 1.0)
    assert same.verdict == "PASS" and same.as_json()["measure"] == "instructions"
    printed = table(more)
    assert "candidate ÷ base = 1.02000 (exact: no interval)" in printed and "22 µs" in printed
    assert "base 17,600,000, candidate 17,952,000 instructions a request" in printed


def test_the_rule_decides_and_its_confidence_covers_the_family():
    base = [1.0, 1.02, 0.98, 1.01, 0.99, 1.0, 1.03, 0.97] * 3
    noise = [1.0, 1.06, 0.95, 1.03, 0.97, 1.04, 0.96, 1.0] * 3
    across = compare("request", base, [b * 1.05 * n for b, n in zip(base, noise)], 0.99, 0.05)  # spans 1.05
    assert across.low < 1.05 < across.high and across.verdict == "PASS"
    slower = compare("request", base, [b * 1.3 for b in base], 0.99, 0.05)
    assert slower.verdict == "FAIL"
    assert compare("ratio static ÷ dynamic", base, [b * 1.3 for b in base], 0.99, 0.10, judged=False).verdict == "INFO"
    # 6 time figures, each judged up to 3 times: each interval at 1 - 0.05 / 18
    assert round(family_confidence(0.95, 6, looks=3), 5) == round(1 - 0.05 / 18, 5)
    assert round(family_confidence(0.95, 6), 5) == round(1 - 0.05 / 12, 5)  # two looks by default
