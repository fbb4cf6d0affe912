import pytest

from sentiment_model.text import OOV_ID, PAD_ID, Vocabulary, tokenize


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("The MOVIE, wasn't great!!") == ["the", "movie", "wasn't", "great"]


def test_tokenize_folds_compatibility_unicode_and_keeps_other_scripts():
    assert tokenize("ＧＯＯＤ ﬁlm café مرحبا 😀\x00x") == ["good", "film", "café", "مرحبا", "x"]


def test_encode_right_aligns_pads_and_marks_unknown_words():
    vocabulary = Vocabulary.build(["good movie", "bad movie"], maxlen=5)
    batch = vocabulary.encode_batch(["good zebra movie", ""])
    assert batch.shape == (2, 5) and str(batch.dtype) == "int32"
    assert batch[0].tolist()[:2] == [PAD_ID, PAD_ID]
    assert batch[0, 3] == OOV_ID
    assert batch[1].tolist() == [PAD_ID] * 5


def test_encode_keeps_the_last_maxlen_tokens():
    vocabulary = Vocabulary.build(["a b c d e f"], maxlen=3)
    assert vocabulary.encode("a b c d e f") == vocabulary.encode("d e f")


def test_ids_are_deterministic_most_frequent_first():
    vocabulary = Vocabulary.build(["b a", "a c", "a b"], maxlen=4)
    assert vocabulary.tokens == ["<pad>", "<oov>", "a", "b", "c"]


def test_save_and_load_round_trip(tmp_path):
    vocabulary = Vocabulary.build(["good film", "bad film"], maxlen=7)
    vocabulary.save(tmp_path / "vocab.json")
    loaded = Vocabulary.load(tmp_path / "vocab.json")
    assert loaded.tokens == vocabulary.tokens and loaded.maxlen == 7


def test_corrupt_vocabulary_names_the_file(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="vocab.json"):
        Vocabulary.load(path)
