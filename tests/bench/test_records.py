"""A figure's stored record (bench.results.records): a question's own figures in its part, the
format an older saved run was written in migrated when read, never refused."""
import json
from pathlib import Path

import pytest

from bench import report
from bench.report import PARTS
from bench.results.records import RECORD_FORMAT, Figure, RecordError

# The reference run of 2026-12-01 (0015), saved in format 1, kept as the old run a reader must still read
FORMAT_1_RUN = Path(__file__).resolve().parents[1] / "data" / "0015_format_1_run.json"


def test_a_format_1_record_is_migrated_to_its_questions_part():
    """Run 0015 was saved before parts: its cold starts kept load and warm-up beside the percentiles."""
    stored = json.loads(FORMAT_1_RUN.read_text())["benchmarks"]
    assert all("record_format" not in b["extra_info"] for b in stored)
    figures = [Figure.from_extra_info(b["extra_info"], PARTS) for b in stored]
    cold = next(f for f in figures if f.question == "cold start")
    assert set(cold.part) == {"load_ms", "warmup_ms"} and cold.get("load_ms") > 0 and cold.p50_ms > 0
    burst = next(f for f in figures if f.question == "burst")
    assert burst.get("threads") == 20 and len(burst.get("latency_by_rank_ms")) == 20
    assert all(f.record_format == RECORD_FORMAT for f in figures)
    assert next(f for f in figures if f.question == "request").part == {}  # its unset fields dropped


def test_a_format_1_run_is_still_rendered_by_the_report(tmp_path):
    written = report.write_report(FORMAT_1_RUN, tmp_path)
    text = written[0].read_text()
    assert "| request in-process: static / dynamic | 1.298 | [1.247, 1.326] (95%)" in text
    assert "- **Fastest for one request at a time**: `onnx` on granian-w1, p50 **0.97 ms**" in text


def test_a_record_keeps_its_part_and_refuses_figures_its_question_does_not_declare():
    figure = Figure(question="after idle", graph="static", setup="gunicorn-w1", server_setup={}, part={"idle_ms": 20})
    assert Figure.from_extra_info(figure.as_extra_info(), PARTS) == figure
    with pytest.raises(RecordError, match="part.threads"):
        Figure.from_extra_info({**figure.as_extra_info(), "part": {"threads": 20}}, PARTS)
    with pytest.raises(RecordError, match="unknown question"):
        Figure.from_extra_info({**figure.as_extra_info(), "question": "nonsense"}, PARTS)
    with pytest.raises(RecordError, match="newer"):
        Figure.from_extra_info({**figure.as_extra_info(), "record_format": RECORD_FORMAT + 1}, PARTS)
