"""The deep LSTM classifier: the model code the dynamic graph needs to load."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import tensorflow as tf


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    maxlen: int = 50
    num_layers: int = 2
    size_layer: int = 64
    embedding_size: int = 32
    dropout: float = 0.2  # training only: Keras layers skip it when training=False

    def to_dict(self) -> dict:
        return asdict(self)


def build_model(config: ModelConfig) -> keras.Model:
    """Embedding → `num_layers` stacked LSTMs → 2 logits (NEGATIVE, POSITIVE)."""
    if config.num_layers < 1:
        raise ValueError("num_layers must be at least 1")
    ids = keras.Input(shape=(config.maxlen,), dtype="int32", name="ids")
    hidden = keras.layers.Embedding(config.vocab_size, config.embedding_size, name="embedding")(ids)
    for layer in range(config.num_layers):
        last = layer == config.num_layers - 1
        hidden = keras.layers.LSTM(config.size_layer, return_sequences=not last, name=f"lstm_{layer}")(hidden)
        hidden = keras.layers.Dropout(config.dropout, name=f"dropout_{layer}")(hidden)
    logits = keras.layers.Dense(2, name="logits")(hidden)
    return keras.Model(ids, logits, name="sentiment_lstm")


def serving_function(model: keras.Model, maxlen: int) -> tf.types.experimental.ConcreteFunction:
    """ids [batch, maxlen] int32 → probabilities [batch, 2], traced once with a fixed signature.

    The softmax is part of the traced graph, so nothing is added per request
    (the seed's server grew its graph by one op per request).
    """

    @tf.function(input_signature=[tf.TensorSpec([None, maxlen], tf.int32, name="ids")])
    def probabilities(ids):
        return {"probabilities": tf.nn.softmax(model(ids, training=False), name="probabilities")}

    return probabilities.get_concrete_function()


def checkpoint_for(model: keras.Model) -> tf.train.Checkpoint:
    """The weights-only checkpoint object; its structure is defined by the model code."""
    return tf.train.Checkpoint(model=model)
