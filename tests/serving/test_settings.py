"""One settings object: the command line, the launch argv and the stored record are made from it."""
from dataclasses import asdict, fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serving import servers
from serving.__main__ import _parser
from serving.graphs import KINDS
from serving.settings import Settings, parse

SETTINGS = st.builds(
    Settings,
    graph=st.sampled_from(list(KINDS)),
    artifacts=st.sampled_from([Path("artifacts"), Path("/tmp/model dir")]),
    server=st.sampled_from(list(servers.SERVERS)),
    bind=st.sampled_from(["127.0.0.1", "0.0.0.0", "::1"]),
    port=st.integers(1, 65535),
    workers=st.integers(1, 8),
    worker_class=st.sampled_from(["sync", "gthread"]),
    threads=st.none() | st.integers(1, 64),
    intra_op_threads=st.integers(0, 8),
    inter_op_threads=st.integers(0, 8),
    batch_window_ms=st.none() | st.floats(0, 50, allow_nan=False),
    max_batch_rows=st.integers(1, 512),
    access_log=st.booleans(),
    header_timeout=st.sampled_from([0.5, 5.0, 12.5]),
    body_timeout=st.sampled_from([1.0, 5.0, 10.0]),
)


@given(SETTINGS)
def test_settings_survive_the_trip_to_a_command_line_and_back(settings):
    assert parse(settings.argv()) == settings


@given(SETTINGS)
def test_the_cli_parses_a_launch_command_into_the_same_settings(settings):
    assert Settings.from_args(_parser().parse_args(["run", *settings.argv()])) == settings


def test_every_flag_of_the_cli_is_a_settings_field():
    parsed = vars(_parser().parse_args(["run", "--graph", "static", "--artifacts", "a"]))
    dests = set(parsed) - {"command"}
    flag_fields = {item.name for item in fields(Settings) if "help" in item.metadata}
    assert dests == flag_fields


def test_defaults_stay_off_the_command_line():
    assert Settings(graph="static", artifacts=Path("a")).argv() == ["--graph", "static", "--artifacts", "a"]


def test_the_record_is_the_settings_as_json():
    settings = Settings(graph="static", artifacts=Path("a"), workers=2, batch_window_ms=1.5)
    record = settings.record()
    assert record == {**asdict(settings), "artifacts": "a"}
    assert record["limits"]["max_batch"] == settings.limits.max_batch


def test_a_bad_flag_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as leaving:
        parse(["--graph", "static", "--artifacts", "a", "--workers", "0"])
    assert leaving.value.code == 2 and "must be at least 1" in capsys.readouterr().err


def test_request_deadlines_are_a_few_seconds_by_default():
    defaults = Settings(graph="static", artifacts=Path("a"))
    assert 1 <= defaults.header_timeout <= 10 and 1 <= defaults.body_timeout <= 10
    assert defaults.header_timeout + defaults.body_timeout < defaults.timeout


@pytest.mark.parametrize("flags, says", [
    (["--header-timeout", "0"], "must be more than 0 seconds"),
    (["--body-timeout", "-1"], "must be more than 0 seconds"),
    (["--header-timeout", "20", "--body-timeout", "10"], "must stay under the 30 s worker timeout"),
])
def test_a_deadline_that_cannot_work_is_a_one_line_usage_error(tmp_path, capsys, flags, says):
    from serving.__main__ import main

    with pytest.raises(SystemExit) as leaving:
        main(["run", "--graph", "static", "--artifacts", str(tmp_path), *flags])
    err = capsys.readouterr().err
    assert leaving.value.code == 2 and says in err and "Traceback" not in err
