from collections import Counter

from sentiment_model import corpus


def test_shipped_file_is_what_the_generator_makes(tmp_path):
    regenerated = tmp_path / "sentences.tsv"
    corpus.write_tsv(corpus.generate(), regenerated)
    assert regenerated.read_bytes() == corpus.DATA_FILE.read_bytes()


def test_corpus_is_large_balanced_and_split():
    examples = corpus.read_tsv()
    assert len(examples) == corpus.CORPUS_SIZE >= 10000
    assert len({e.text for e in examples}) == len(examples)
    counts = Counter(e.label for e in examples)
    assert abs(counts[0] - counts[1]) <= 1
    splits = Counter(e.split for e in examples)
    assert set(splits) == {"train", "test"}
    assert abs(splits["test"] / len(examples) - corpus.TEST_FRACTION) < 0.02


def test_lexicon_words_are_polar_and_reach_the_corpus():
    from sentiment_model.lexicon import polar_words

    described_negative, described_positive, felt_negative, felt_positive = polar_words()
    assert not set(described_negative + felt_negative) & set(described_positive + felt_positive)
    assert min(map(len, (described_negative, described_positive, felt_negative, felt_positive))) >= 50
    vocabulary = {word for e in corpus.read_tsv() for word in e.text.lower().split()}
    used = vocabulary & set(described_negative + described_positive + felt_negative + felt_positive)
    assert len(used) >= 500
