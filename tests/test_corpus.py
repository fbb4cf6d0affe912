from collections import Counter

from sentiment_model import corpus


def test_shipped_file_is_what_the_generator_makes(tmp_path):
    regenerated = tmp_path / "sentences.tsv"
    corpus.write_tsv(corpus.generate(), regenerated)
    assert regenerated.read_bytes() == corpus.DATA_FILE.read_bytes()


def test_corpus_is_large_balanced_and_split():
    examples = corpus.read_tsv()
    assert len(examples) >= 4000
    assert len({e.text for e in examples}) == len(examples)
    counts = Counter(e.label for e in examples)
    assert abs(counts[0] - counts[1]) <= 1
    splits = Counter(e.split for e in examples)
    assert set(splits) == {"train", "test"}
    assert 0.15 < splits["test"] / len(examples) < 0.25
