"""The three exported forms agree, and broken artifacts fail with the file's name."""
import json
import shutil

import numpy as np
import pytest

from sentiment_model import corpus
from sentiment_model.artifacts import ArtifactError, load_artifacts
from serving import graphs


@pytest.fixture(scope="module")
def artifacts(artifacts_dir):
    return load_artifacts(artifacts_dir)


@pytest.fixture(scope="module")
def heldout_ids(artifacts):
    heldout = [e for e in corpus.read_tsv() if e.split == "test"]
    labels = np.array([e.label for e in heldout])
    return artifacts.vocabulary.encode_batch([e.text for e in heldout]), labels


def test_manifest_describes_the_model(artifacts):
    manifest = artifacts.manifest
    assert manifest["model"]["maxlen"] == 50 and manifest["model"]["num_layers"] >= 2
    assert manifest["data_sha256"] == corpus.file_sha256()
    assert manifest["frozen_graph"]["inputs"] and manifest["frozen_graph"]["outputs"]
    assert manifest["heldout_accuracy"] >= 0.80
    assert manifest["train_seconds"] > 0  # recorded (how long is the machine's business, not a test's)


def test_all_forms_give_the_same_probabilities(artifacts, heldout_ids):
    ids, labels = heldout_ids
    outputs = {kind: graphs.load(kind, artifacts)(ids) for kind in graphs.KINDS}
    reference = outputs["dynamic"]
    assert reference.shape == (len(labels), 2)
    np.testing.assert_allclose(reference.sum(axis=1), 1.0, atol=1e-5)
    for kind, probabilities in outputs.items():
        np.testing.assert_allclose(probabilities, reference, atol=1e-5, err_msg=kind)
    accuracy = float(np.mean(reference.argmax(axis=1) == labels))
    assert accuracy == pytest.approx(artifacts.manifest["heldout_accuracy"], abs=1e-4)
    assert accuracy >= 0.80


def test_onnx_agrees_with_the_frozen_graph_on_the_check_set(artifacts):
    """ONNX Runtime runs tf2onnx's conversion of the frozen graph: the same probabilities on the
    310 everyday sentences, within 1e-5."""
    from sentiment_model import checkset

    ids = artifacts.vocabulary.encode_batch([example.text for example in checkset.read_check_set()])
    frozen, converted = graphs.load("static", artifacts)(ids), graphs.load("onnx", artifacts)(ids)
    assert converted.shape == frozen.shape == (len(ids), 2)
    np.testing.assert_allclose(converted, frozen, atol=1e-5)
    manifest = artifacts.manifest["onnx"]
    assert manifest["inputs"] == ["ids:0"] and manifest["outputs"] == artifacts.manifest["frozen_graph"]["outputs"]


@pytest.fixture()
def broken_copy(artifacts_dir, tmp_path):
    copy = tmp_path / "artifacts"
    shutil.copytree(artifacts_dir, copy)
    return copy


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(ArtifactError, match="artifacts folder not found: .*nowhere"):
        load_artifacts(tmp_path / "nowhere")


@pytest.mark.parametrize("name", ["manifest.json", "vocab.json"])
def test_missing_or_corrupt_metadata_is_named(broken_copy, name):
    (broken_copy / name).write_text("{broken")
    with pytest.raises(ArtifactError, match=f"corrupt artifact: .*{name}"):
        load_artifacts(broken_copy)
    (broken_copy / name).unlink()
    with pytest.raises(ArtifactError, match=f"missing artifact: .*{name}"):
        load_artifacts(broken_copy)


@pytest.mark.parametrize("kind, path", [
    ("dynamic", "checkpoint/model.index"),
    ("static", "frozen_model.pb"),
    ("saved_model", "saved_model/1/saved_model.pb"),
])
def test_missing_or_corrupt_model_file_is_named(broken_copy, kind, path):
    target = broken_copy / path
    target.write_bytes(b"\x00garbage\xff" * 10)
    with pytest.raises(ArtifactError, match="corrupt artifact: .*" + path.split("/")[0]):
        graphs.load(kind, load_artifacts(broken_copy))
    target.unlink()
    with pytest.raises(ArtifactError, match=f"missing artifact: .*{path}"):
        graphs.load(kind, load_artifacts(broken_copy))


def test_wrong_model_settings_in_manifest_are_reported(broken_copy):
    manifest = json.loads((broken_copy / "manifest.json").read_text())
    manifest["model"]["size_layer"] = 7
    (broken_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="checkpoint"):
        graphs.load("dynamic", load_artifacts(broken_copy))
