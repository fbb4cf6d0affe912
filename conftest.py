"""Fixtures shared by tests/ and bench/: trained artifacts, cached across runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from sentiment_model.artifacts import MANIFEST
from sentiment_model.cache import cache_key, cached_artifacts
from sentiment_model.settings import TrainSettings

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    # SIGTERM (a CI runner cancelling the job, `kill`) takes Ctrl-C's path in the tests as in the
    # suite: fixtures tear down, so the servers they started (each in a session of its own) stop too
    from bench.harness.interrupts import sigterm_as_ctrl_c

    sigterm_as_ctrl_c()


def pytest_addoption(parser):
    group = parser.getgroup("tfserve-bench")
    group.addoption("--retrain", action="store_true", help="train the model again even if a cached one matches")
    group.addoption("--artifacts-cache", default=str(ROOT / ".cache" / "artifacts"), help="where trained models are cached")


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig) -> Path:
    """Default model, trained once (per data, code and settings) and reused after."""
    cache, retrain = Path(pytestconfig.getoption("--artifacts-cache")), pytestconfig.getoption("--retrain")
    if retrain or not (cache / cache_key(TrainSettings()) / MANIFEST).is_file():
        from bench.plugin.progress import step

        with step(pytestconfig, "training the default model (once for this data, code and settings; about a minute)"):
            return cached_artifacts(cache, force=retrain)
    return cached_artifacts(cache)


@pytest.fixture(scope="session")
def oracle(artifacts_dir):
    """`oracle(texts)` -> probabilities [n, 2] (NEGATIVE, POSITIVE) from the default model's static
    graph, loaded once in this process: what every server and benchmark must answer."""
    from sentiment_model.artifacts import load_artifacts
    from serving import graphs

    artifacts = load_artifacts(artifacts_dir)
    predict = graphs.load("static", artifacts)
    return lambda texts: predict(artifacts.vocabulary.encode_batch(list(texts)))
