"""`python -m serving.model_file.examples DIR`: models the suite did not design, written without downloads,
to try `--model` on (the README's commands) and for the tests (tests/serving/test_model_file.py):

- `cnn.keras`: a small Keras CNN on float images with free spatial dimensions (needs `--shape`);
- `text_model/`: a Keras SavedModel on strings whose `TextVectorization` holds a lookup table
  (freezing cannot fold it: only the model as given is served);
- `test_lstm_defaults.onnx`: onnx's own test case (`onnx.backend.test.case.node.lstm`), with its
  inputs in perf_analyzer's JSON (`test_lstm_defaults.json`) and its reference output
  (`test_lstm_defaults.expected.json`);
- `no_signature/`: a SavedModel without signatures, and `broken.onnx`: not a model (bad inputs).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def write_keras_models(folder: Path) -> None:
    import keras
    import tensorflow as tf

    image = keras.Input((None, None, 3), name="image")
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(8, 3, activation="relu")(image))
    keras.Model(image, keras.layers.Dense(4, activation="softmax", name="classes")(x)).save(folder / "cnn.keras")
    vectorize = keras.layers.TextVectorization(max_tokens=200, output_sequence_length=12)
    vectorize.adapt(["the staff was friendly", "the room was dirty", "great food and a lovely view"])
    text = keras.Input((1,), dtype="string", name="text")
    y = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(200, 8)(vectorize(text)))
    keras.Model(text, keras.layers.Dense(1, activation="sigmoid")(y)).export(str(folder / "text_model"))
    tf.saved_model.save(tf.Module(), str(folder / "no_signature"))


def write_onnx_lstm_defaults(folder: Path) -> Path:
    """onnx's `test_lstm_defaults` case, its node made a model with X, W and R as inputs (as onnx's
    backend tests run it), its inputs and its reference output beside it."""
    import onnx
    from onnx.backend.test.case.node import lstm

    captured = {}
    original = lstm.expect
    lstm.expect = lambda node, inputs, outputs, name: captured.update(node=node, inputs=inputs, outputs=outputs)
    try:
        lstm.LSTM.export_defaults()
    finally:
        lstm.expect = original
    node, inputs, outputs = captured["node"], captured["inputs"], captured["outputs"]
    graph = onnx.helper.make_graph(
        [node], "test_lstm_defaults",
        [onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, value.shape) for name, value in zip(node.input, inputs)],
        [onnx.helper.make_tensor_value_info("Y_h", onnx.TensorProto.FLOAT, outputs[0].shape)])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    path = folder / "test_lstm_defaults.onnx"
    onnx.save(model, str(path))
    (folder / "test_lstm_defaults.json").write_text(json.dumps({"data": [
        {name: {"content": value.ravel().tolist(), "shape": list(value.shape)} for name, value in zip(node.input, inputs)}]}))
    (folder / "test_lstm_defaults.expected.json").write_text(json.dumps({"Y_h": outputs[0].tolist()}))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.model_file.examples", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args(argv).folder
    folder.mkdir(parents=True, exist_ok=True)
    write_keras_models(folder)
    write_onnx_lstm_defaults(folder)
    (folder / "broken.onnx").write_bytes(b"not a model")
    print("\n".join(sorted(str(path) for path in folder.iterdir())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
