"""Train the LSTM on the shipped corpus, deterministically for a given seed."""
from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from sentiment_model import corpus
from sentiment_model.network import ModelConfig, build_model
from sentiment_model.settings import TrainSettings
from sentiment_model.text import OOV_ID, PAD_ID, Vocabulary


@dataclass
class TrainedModel:
    model: keras.Model
    config: ModelConfig
    vocabulary: Vocabulary
    heldout_texts: list[str]
    heldout_labels: np.ndarray
    train_seconds: float


def with_word_dropout(ids: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A copy with each word replaced by <oov> at the given rate, drawn anew each epoch.

    Real reviews are full of words the vocabulary never saw; the generated corpus
    is not. Hiding known words teaches the model to judge from what is left.
    """
    hidden = (rng.random(ids.shape) < rate) & (ids != PAD_ID)
    return np.where(hidden, OOV_ID, ids).astype(ids.dtype)


def train(settings: TrainSettings) -> TrainedModel:
    keras.utils.set_random_seed(settings.seed)
    # Same seed → same weights, also with several CPU threads.
    tf.config.experimental.enable_op_determinism()
    examples = corpus.read_tsv()
    train_set = [e for e in examples if e.split == "train"]
    heldout = [e for e in examples if e.split == "test"]
    vocabulary = Vocabulary.build([e.text for e in train_set], settings.maxlen)
    config = ModelConfig(
        vocab_size=len(vocabulary), maxlen=settings.maxlen, num_layers=settings.num_layers,
        size_layer=settings.size_layer, embedding_size=settings.embedding_size,
    )
    model = build_model(config)
    model.compile(
        optimizer=keras.optimizers.Adam(settings.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ids = vocabulary.encode_batch([e.text for e in train_set])
    labels = np.array([e.label for e in train_set], dtype=np.int32)
    rng = np.random.default_rng(settings.seed)
    started = time.perf_counter()
    for _ in range(settings.epochs):
        model.fit(with_word_dropout(ids, settings.word_dropout, rng), labels,
                  epochs=1, batch_size=settings.batch_size, shuffle=True, verbose=0)
    # Serve a fresh copy of the weights: the trained one also tracks optimizer
    # slots, which must not end up in a weights-only checkpoint.
    inference_model = build_model(config)
    inference_model.set_weights(model.get_weights())
    return TrainedModel(
        model=inference_model, config=config, vocabulary=vocabulary,
        heldout_texts=[e.text for e in heldout],
        heldout_labels=np.array([e.label for e in heldout], dtype=np.int32),
        train_seconds=time.perf_counter() - started,
    )
