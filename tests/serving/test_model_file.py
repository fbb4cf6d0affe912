"""A model given by path (serving.model_file): models the suite did not design, built here without
downloads — a small Keras CNN on float images with free spatial dimensions, a Keras text model on
strings (its lookup table cannot be frozen), onnx's own `test_lstm_defaults` case with its reference
outputs — and the suite's own LSTM in each exported format; and every mistake a user can make, said
in one line."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import requests

from serving.model_file import ModelError
from serving.model_file.prepare import describe, prepare
from serving.model_file.spec import read_spec

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The models (serving/model_file/examples.py), written once: in a child process, so this one stays free
    of Keras state."""
    folder = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, "-m", "serving.model_file.examples", str(folder)], check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("forms")


def test_a_keras_cnn_with_free_image_dimensions_needs_a_shape_then_every_form_agrees(models, cache):
    with pytest.raises(ModelError, match=r"free dimensions besides the batch in image: float32\[\?, \?, \?, 3\]: "
                                         r"give --shape image:D,D,3"):
        prepare(models / "cnn.keras", cache_root=cache)
    prepared = prepare(models / "cnn.keras", ["image:32,32,3"], cache_root=cache)
    assert prepared.shapes == {"image": (1, 32, 32, 3)} and prepared.given == "dynamic"
    assert [t.name for t in prepared.spec.outputs] == ["classes"]
    assert all(form.predict is not None and form.agrees for form in prepared.forms.values()), describe(prepared)
    first = prepared.answers[0]["classes"]
    assert first.shape == (1, 4) and np.isclose(first.sum(), 1.0, atol=1e-5)  # a softmax, really computed


def test_a_string_model_with_a_lookup_table_is_served_as_given_and_says_why_it_cannot_be_frozen(models, cache):
    prepared = prepare(models / "text_model", ["text:1"], cache_root=cache)
    assert prepared.spec.inputs[0].dtype == "string" and prepared.forms["dynamic"].agrees
    request = prepared.requests[0]["text"]
    assert request.shape == (1, 1) and isinstance(request[0, 0], str) and request[0, 0]  # one of the suite's sentences
    for name in ("static", "static-xla", "onnx"):
        assert prepared.forms[name].predict is None
        assert prepared.forms[name].reason.startswith("freezing cannot fold 1 resource input(s) into constants")
    lines = describe(prepared)
    assert any(line.startswith("  static      unavailable: freezing cannot fold 1 resource") for line in lines), lines


def test_onnx_s_own_lstm_case_answers_its_reference_output_from_perf_analyzer_input_data(models, cache, tmp_path):
    path, data = models / "test_lstm_defaults.onnx", models / "test_lstm_defaults.json"
    reference = np.array(json.loads((models / "test_lstm_defaults.expected.json").read_text())["Y_h"], dtype=np.float32)
    prepared = prepare(path, input_data=data, cache_root=cache)
    assert prepared.given == "onnx" and [f for f, form in prepared.forms.items() if form.predict] == ["onnx"]
    assert prepared.forms["static"].reason == "an ONNX file holds no TensorFlow graph to freeze"
    np.testing.assert_allclose(prepared.answers[0]["Y_h"], reference, rtol=1e-5)
    # a flat list works too (perf_analyzer's other form), shaped as the model's input
    flat = {name: value["content"] for name, value in json.loads(data.read_text())["data"][0].items()}
    (tmp_path / "flat.json").write_text(json.dumps({"data": [flat]}))
    np.testing.assert_allclose(prepare(path, input_data=tmp_path / "flat.json", cache_root=cache).answers[0]["Y_h"],
                               reference, rtol=1e-5)


def test_the_suite_s_own_lstm_gives_the_same_answers_in_every_format(artifacts_dir, cache):
    """SavedModel (as TF Serving loads it), frozen graph and ONNX: the same inputs (ids within the
    vocabulary, found in each file's embedding table), the same answers as the built-in model's."""
    from sentiment_model.artifacts import load_artifacts
    from serving.graphs import load

    saved = prepare(artifacts_dir / "saved_model", cache_root=cache)
    frozen = prepare(artifacts_dir / "frozen_model.pb", cache_root=cache)
    converted = prepare(artifacts_dir / "model.onnx", cache_root=cache)
    vocabulary = len(load_artifacts(artifacts_dir).vocabulary)
    assert saved.int_high == frozen.int_high == converted.int_high == vocabulary
    assert all(form.agrees for form in saved.forms.values()), describe(saved)
    built_in = load("static", load_artifacts(artifacts_dir))
    for request, answer in zip(saved.requests, saved.answers):
        ids = request["ids"]
        assert ids.max() < vocabulary
        np.testing.assert_allclose(answer["probabilities"], built_in(ids), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(frozen.forms["static"].predict({"ids:0": ids})["Identity:0"], built_in(ids), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(converted.forms["onnx"].predict({"ids:0": ids})["Identity:0"], built_in(ids), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("given, flags, said", [
    ("missing.onnx", [], r"--model .*missing.onnx: no such file or directory"),
    ("broken.onnx", [], r"--model .*broken.onnx: not a readable onnx model \("),
    ("no_signature", [], r"--model .*no_signature: no 'serving_default' signature to call \(its signatures: none\)"),
    ("cnn.keras", ["image:32,32"], r"--shape image:32,32 does not fit image: float32\[\?, \?, \?, 3\] \(give the 3 dimension"),
    ("cnn.keras", ["photo:32,32,3"], r"--shape photo: the model has no such input \(its inputs: image\)"),
    ("cnn.keras", ["image:0"], r"--shape image:0: give NAME:D1,D2,... with positive dimensions"),
])
def test_every_mistake_is_one_line(models, cache, given, flags, said):
    with pytest.raises(ModelError, match=said) as raised:
        prepare(models / given, flags, cache_root=cache)
    assert "\n" not in str(raised.value)


def test_input_data_that_does_not_match_the_inputs_is_one_line(models, cache, tmp_path):
    data = tmp_path / "input.json"
    for document, said in (({"data": [{"photo": [0.0]}]}, "request 1: no value for input image"),
                           ({"data": [{"image": [0.0] * 5}]}, "request 1: input image does not fit"),
                           ({"rows": []}, 'expected {"data": [{NAME: [...]}, ...]}')):
        data.write_text(json.dumps(document))
        with pytest.raises(ModelError, match=re.escape(said)):
            prepare(models / "cnn.keras", ["image:4,4,3"], input_data=data, cache_root=cache)
    data.write_text("{not json")
    with pytest.raises(ModelError, match="not JSON"):
        prepare(models / "cnn.keras", ["image:4,4,3"], input_data=data, cache_root=cache)


def test_the_command_line_says_one_line_and_exits_2_without_a_traceback(models):
    done = subprocess.run([sys.executable, "-m", "serving", "inspect", "--model", str(models / "cnn.keras")],
                          capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert errors == ["error: free dimensions besides the batch in image: float32[?, ?, ?, 3]: give --shape image:D,D,3"]


def test_a_spec_records_what_a_saved_run_needs_to_tell_two_models_apart(artifacts_dir):
    spec = read_spec(artifacts_dir / "model.onnx")
    recorded = spec.as_json()
    assert recorded["format"] == "onnx" and len(recorded["sha256"]) == 64
    assert recorded["inputs"] == ["ids:0: int32[?, 50]"] and recorded["outputs"] == ["Identity:0: float32[?, 2]"]


def _post(url: str, body: object) -> tuple[int, dict]:
    answer = requests.post(url, json=body, timeout=30)
    return answer.status_code, answer.json()


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_a_model_file_is_served_through_tf_serving_s_rest_api_and_bad_requests_get_4xx(models, server):
    """The CNN's ONNX form over HTTP: rows and columns as TF Serving takes them, the same answers as
    its Keras model gives in-process; bad bodies get a JSON 4xx and the server keeps serving."""
    from bench.harness.supervisor import ServerProcess

    image = np.random.default_rng(1).random((8, 8, 3)).astype(np.float32)
    expected = prepare(models / "cnn.keras", ["image:8,8,3"]).forms["dynamic"].predict({"image": image[None]})["classes"]
    with ServerProcess("onnx", None, model=models / "cnn.keras", shape=("image:8,8,3",), server=server, workers=2) as process:
        url = f"{process.url}/v1/models/cnn:predict"
        status, rows = _post(url, {"instances": [image.tolist(), image.tolist()]})
        assert status == 200
        np.testing.assert_allclose(rows["predictions"], np.concatenate([expected, expected]), rtol=1e-4, atol=1e-5)
        status, columns = _post(url, {"inputs": {"image": [image.tolist()]}})
        assert status == 200
        np.testing.assert_allclose(columns["outputs"], expected, rtol=1e-4, atol=1e-5)
        for body, code, said in (({"instances": [image[0].tolist()]}, 400, "input image has shape [1, 8, 3]"),
                                 ({"instances": [[[["a"] * 3] * 8] * 8]}, 400, "input image is not float32"),
                                 ({"rows": []}, 400, 'body must be {"instances"'),
                                 ({"instances": [image.tolist()] * 65}, 413, "the limit is 64")):
            status, answer = _post(url, body)
            assert (status, said in answer["error"]) == (code, True), answer
        assert _post(f"{process.url}/v1/models/other:predict", {"inputs": [image.tolist()]})[0] == 404
        assert _post(url, {"inputs": [image.tolist()]})[0] == 200  # still serving
        health = requests.get(f"{process.url}/healthz", timeout=5).json()
        assert health["graph"] == "onnx" and health["model"]["format"] == "keras" and health["model_name"] == "cnn"
        # converted before (prepare wrote its hand-off): its onnx form served without reading the Keras file
        assert health["setup"]["tensorflow_version"] is None and health["model"]["path"] == str(models / "cnn.keras")


def test_serving_a_form_the_model_does_not_allow_stops_with_one_log_line(models):
    from bench.harness.supervisor import ServerError, ServerProcess

    with pytest.raises(ServerError, match="cannot load the model: --graph onnx: unavailable for this model: freezing cannot fold"):
        with ServerProcess("onnx", None, model=models / "text_model", shape=("text:1",), server="gunicorn"):
            pass
    done = subprocess.run([sys.executable, "-m", "serving", "run", "--model", str(models / "missing.onnx"), "--graph", "onnx"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == f"error: --model {models / 'missing.onnx'}: no such file or directory"


def test_the_suite_answers_its_questions_for_a_model_file_and_never_compares_two_models(models, tmp_path):
    """`pytest bench --bench-quick --model PATH`: every form that agrees, over HTTP, bursts, the open
    loop; the saved run records the model; its report leads with it; a run of another model (here the
    suite's own) is refused by --benchmark-compare in one line."""
    storage = tmp_path / "runs"

    def bench(*args):
        return subprocess.run([sys.executable, "-m", "pytest", "bench", "--bench-quick", "-p", "no:cacheprovider", "-q",
                               f"--benchmark-storage={storage}", *args], capture_output=True, text=True, timeout=900)

    done = bench("--model", str(models / "cnn.keras"), "--shape", "image:16,16,3", "--benchmark-autosave")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    saved = json.loads(next(storage.rglob("*.json")).read_text())
    assert saved["model"]["format"] == "keras" and saved["model"]["forms"]["onnx"] == "measured"
    measured = {(b["extra_info"]["question"], b["extra_info"]["graph"]) for b in saved["benchmarks"]}
    assert {("request", "onnx"), ("request", "dynamic"), ("burst", "static")} <= measured
    setups = {(b["extra_info"]["graph"], b["extra_info"]["setup"]) for b in saved["benchmarks"]}
    assert {("onnx", "in-process"), ("onnx", "gunicorn-w1"), ("onnx", "granian-w1")} <= setups
    assert not any(question in ("instructions", "load", "after idle") for question, _ in measured)
    assert any(c["name"] == "request gunicorn-w1: static / dynamic" for c in saved["comparisons"])
    from bench.report import headline, load_rows

    lines = headline(saved, load_rows(saved))
    assert lines[2].startswith(f"- **Model**: `{models / 'cnn.keras'}` (keras, sha256 ")
    assert any(line.startswith("- **What freezing did**") for line in lines)
    other = bench("--model", str(models / "missing.onnx"))
    assert other.returncode == 4 and f"ERROR: --model {models / 'missing.onnx'}: no such file or directory" in other.stderr
    compared = bench("--benchmark-compare", "-k", "client_cost")
    assert compared.returncode != 0
    assert "the compared run measured model " in compared.stdout + compared.stderr
    assert "this one the suite's own model" in compared.stdout + compared.stderr
