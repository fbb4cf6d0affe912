"""A model file made ready to measure: its spec, its requests' shapes, the requests, every form
loaded and checked against the model as given. What `python -m serving inspect` prints and what a
run with `--model PATH` starts from."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from serving.model_file import agreement, data, forms, handoff, shapes
from serving.model_file.spec import ModelSpec, read_spec

CHECKED_REQUESTS = 8  # requests every form answers before it is trusted


@dataclass
class Prepared:
    spec: ModelSpec
    shapes: dict[str, tuple[int, ...]]
    int_high: int | None  # integer inputs below this (the smallest lookup table's rows); None: 0..99
    requests: list[dict]
    forms: dict[str, forms.Form]
    given: str  # the form the user gave
    answers: list[dict]  # the given form's answers to `requests`: what every form must answer


def prepare(path: Path | str, shape_flags: list[str] | None = None, input_data: Path | None = None,
            cache_root: Path = forms.CACHE_ROOT, count: int = CHECKED_REQUESTS) -> Prepared:
    """Everything a user can get wrong raises a one-line `serving.model_file.ModelError`."""
    spec = read_spec(path)
    fixed = shapes.resolve(spec, shapes.parse_shape_flags(shape_flags))
    high = data.integer_high(spec, fixed, cache_root)
    requests = (data.read_input_data(input_data, spec, fixed) if input_data
                else data.generate(spec, fixed, count, int_high=high))
    loaded = forms.load_forms(spec, fixed, cache_root)
    given = forms.given_form(spec)
    answers = agreement.check_forms(loaded, given, requests)
    if loaded[handoff.FORM].predict is not None:  # its servers (ours, the peers') then load it without TensorFlow
        handoff.write(path, shape_flags, cache_root, spec=spec, shapes=fixed)
    return Prepared(spec, fixed, high, requests, loaded, given, answers)


def describe(prepared: Prepared) -> list[str]:
    """The lines `python -m serving inspect` prints."""
    spec = prepared.spec
    lines = [f"model: {spec.path} ({spec.format}, sha256 {spec.sha256[:12]})"]
    for tensor in spec.inputs:
        values = ""
        if tensor.dtype not in ("string", "bool") and tensor.dtype.startswith(("int", "uint")):
            values = (f"; values 0..{prepared.int_high - 1} (its smallest lookup table's rows)" if prepared.int_high
                      else f"; values 0..{data.DEFAULT_INT_HIGH - 1} (no lookup table found)")
        elif tensor.dtype == "string":
            values = "; the suite's held-out sentences"
        lines.append(f"input  {tensor} → {list(prepared.shapes[tensor.name])}{values}")
    lines += [f"output {tensor}" for tensor in spec.outputs]
    lines.append(f"forms, each checked on {len(prepared.requests)} requests against the model as given ({prepared.given}):")
    for name, form in prepared.forms.items():
        if form.predict is not None:
            state = "the model as given" if name == prepared.given else f"agrees (floats within rtol {agreement.RTOL:g}, atol {agreement.ATOL:g})"
            lines.append(f"  {name:<11} ready, loaded in {form.load_ms:.0f} ms; {state}")
        else:
            lines.append(f"  {name:<11} unavailable: {form.reason}")
    return lines
