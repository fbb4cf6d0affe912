"""The model on ordinary English: a check set written apart from the training generator."""
from collections import Counter

import numpy as np
import pytest

from sentiment_model import checkset, corpus
from sentiment_model.artifacts import load_artifacts
from sentiment_model.text import tokenize

REQUIRED_ACCURACY = 0.90


@pytest.fixture(scope="module")
def check_set():
    return checkset.read_check_set()


def test_check_set_is_large_balanced_and_covers_the_domains(check_set):
    assert len(check_set) >= 300
    assert len({e.text for e in check_set}) == len(check_set)
    labels = Counter(e.label for e in check_set)
    assert labels[0] == labels[1]
    domains = Counter(e.domain for e in check_set)
    assert set(domains) == {"movie", "restaurant", "hotel", "product", "app", "book"}
    assert min(domains.values()) >= 40


def test_check_sentences_are_not_in_the_training_data(check_set):
    """Independence, measured: a check sentence found whole inside a generated text tests
    memory, not understanding. A few generic ones ("I hated this movie.") are allowed."""
    training = "\n".join(" " + " ".join(tokenize(e.text)) + " " for e in corpus.read_tsv())
    contained = [e.text for e in check_set
                 if len(tokenize(e.text)) >= 4 and f" {' '.join(tokenize(e.text))} " in training]
    assert len(contained) <= 0.02 * len(check_set), contained


def test_model_understands_everyday_reviews(artifacts_dir, oracle, check_set):
    artifacts = load_artifacts(artifacts_dir)
    probabilities = oracle([e.text for e in check_set])
    accuracy = float(np.mean(probabilities.argmax(axis=1) == [e.label for e in check_set]))
    assert accuracy == pytest.approx(artifacts.manifest["checkset_accuracy"], abs=1e-4)
    assert artifacts.manifest["checkset_sha256"] == corpus.file_sha256(checkset.CHECK_FILE)
    assert accuracy >= REQUIRED_ACCURACY
    # both classes, not one label for everything
    for label in (0, 1):
        recall = np.mean([p.argmax() == label for p, e in zip(probabilities, check_set) if e.label == label])
        assert recall >= REQUIRED_ACCURACY - 0.05, (label, recall)
