"""The sentiment LSTM: data, vocabulary, network, training and export.

Kept free of heavy imports so `sentiment_model.text` can be used by the
static server without pulling in the model-building code.
"""
