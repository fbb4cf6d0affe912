"""Reproducible training and the artifact cache."""
from dataclasses import replace

import numpy as np
import pytest

from sentiment_model import cache
from sentiment_model.artifacts import load_artifacts
from sentiment_model.settings import TrainSettings
from serving import graphs

TINY = TrainSettings(epochs=1, size_layer=16, embedding_size=8)


def predictions(folder):
    artifacts = load_artifacts(folder)
    texts = ["the movie was not good", "the staff was friendly, but the room was dirty", "great food"]
    return graphs.load("static", artifacts)(artifacts.vocabulary.encode_batch(texts))


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    cache.cached_artifacts(root, TINY)
    return root


def test_same_seed_gives_same_predictions_and_another_seed_does_not(tiny_cache, tmp_path):
    first = cache.cached_artifacts(tiny_cache, TINY)
    second = cache.cached_artifacts(tmp_path / "b", TINY)
    other_seed = cache.cached_artifacts(tmp_path / "c", replace(TINY, seed=TINY.seed + 1))
    np.testing.assert_array_equal(predictions(first), predictions(second))
    assert not np.allclose(predictions(first), predictions(other_seed), atol=1e-4)


def test_cache_is_reused_unless_forced(tiny_cache):
    folder = cache.cached_artifacts(tiny_cache, TINY)
    stamp = (folder / "manifest.json").stat().st_mtime_ns
    assert cache.cached_artifacts(tiny_cache, TINY) == folder
    assert (folder / "manifest.json").stat().st_mtime_ns == stamp
    assert cache.cached_artifacts(tiny_cache, TINY, force=True) == folder
    assert (folder / "manifest.json").stat().st_mtime_ns != stamp


def test_cache_key_follows_settings_data_and_code(tmp_path):
    key = cache.cache_key(TINY)
    assert cache.cache_key(TINY) == key
    assert cache.cache_key(replace(TINY, epochs=2)) != key
    other_data = tmp_path / "data.tsv"
    other_data.write_bytes(b"label\tsplit\ttext\n")
    assert cache.cache_key(TINY, other_data) != key



def test_every_module_of_the_package_is_in_the_cache_key(tmp_path, monkeypatch):
    package = tmp_path / "sentiment_model"
    package.mkdir()
    for source in cache.keyed_sources():
        (package / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(cache, "PACKAGE", package)
    key = cache.cache_key(TINY)
    (package / "augment.py").write_text("# a module added later\n")
    added = cache.cache_key(TINY)
    (package / "network.py").write_text((package / "network.py").read_text() + "\n# changed\n")
    assert len({key, added, cache.cache_key(TINY)}) == 3
