"""The regression gate's output: a block per gated figure on the terminal, a table for a CI job
summary (`bench.method.verdicts.GateComparison` in, text out)."""
from __future__ import annotations

WORDS = {"PASS": "PASS: not significantly slower than the threshold", "FAIL": "FAIL: slower than the threshold",
         "INFO": "INFO: shown, not judged (a kind made faster moves it too)"}


def table(found) -> str:
    if found.measure == "instructions":  # medians are seconds of one nanosecond per instruction
        verdict = "FAIL: more instructions than the threshold allows" if found.verdict == "FAIL" else "PASS"
        return "\n".join([
            f"{found.name} (callgrind): base {found.base_median * 1e9:,.0f}, candidate "
            f"{found.candidate_median * 1e9:,.0f} instructions a request",
            f"  candidate ÷ base = {found.ratio:.5f} (exact: no interval), threshold {1 + found.threshold:.3f}",
            *([f"  {found.note}"] if found.note else []), f"  {verdict}",
            # where the change went, when it failed (always in --json)
            *([f"  where it grew, per request: {line}" for line in found.where] if found.verdict == "FAIL" else [])])
    unit, scale = ("", 1.0) if found.name.startswith("ratio") else (" ms", 1e3)
    judged = (f", threshold {1 + found.threshold:.2f}; this run would catch a slowdown of "
              f"{found.smallest_detectable_slowdown:.1%} or more") if found.verdict != "INFO" else ""
    return "\n".join([
        f"{found.name} ({found.rounds} interleaved rounds; median of per-round medians: base "
        f"{found.base_median * scale:.3f}{unit}, candidate {found.candidate_median * scale:.3f}{unit})",
        f"  candidate ÷ base = {found.ratio:.3f}, {found.confidence:.2%} interval [{found.low:.3f}, {found.high:.3f}]"
        + (f" (launch floor σ {found.launch_floor:.1%} inside)" if found.launch_floor else "") + judged,
        f"  {WORDS[found.verdict]}",
    ])


def markdown(found: list, outcome: str, seconds: float) -> str:
    """A table for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`)."""
    rows = [f"| {c.name} | {c.ratio:.3f} | [{c.low:.3f}, {c.high:.3f}] | {c.threshold:.0%} | "
            f"{c.smallest_detectable_slowdown:.1%} | {c.verdict} |" for c in found]
    return "\n".join([
        "## Regression gate: candidate ÷ base", "",
        "| figure | ratio | interval (the family's confidence) | threshold | smallest detectable slowdown | verdict |",
        "|---|---:|---|---:|---:|---|", *rows, "", f"**{outcome}** ({seconds:.0f} s)", ""])
