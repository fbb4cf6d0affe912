"""Every form's answers on the same requests against the form the user gave: floats within a stated
tolerance and finite, integers, booleans and strings exactly. A form that disagrees is reported and
left out, never timed as if it were right."""
from __future__ import annotations

import numpy as np

from serving.model_file import ModelError
from serving.model_file.forms import Form

# float outputs agree when |a - b| <= ATOL + RTOL * |b| (numpy's allclose), elementwise: a frozen or
# converted graph reorders float arithmetic, never more than this on the suite's own LSTM
RTOL, ATOL = 1e-4, 1e-5


def differences(answer: dict, reference: dict) -> str | None:
    """Why `answer` is not `reference`'s answer, or None when it agrees."""
    if set(answer) != set(reference):
        return f"outputs {sorted(answer)} instead of {sorted(reference)}"
    for name, expected in reference.items():
        got = np.asarray(answer[name])
        expected = np.asarray(expected)
        if got.shape != expected.shape:
            return f"{name}: shape {list(got.shape)} instead of {list(expected.shape)}"
        if np.issubdtype(expected.dtype, np.floating):
            if not np.all(np.isfinite(got)):
                return f"{name}: not finite"
            if not np.allclose(got, expected, rtol=RTOL, atol=ATOL):
                return f"{name}: off by up to {float(np.max(np.abs(got - expected))):.3g} (rtol {RTOL:g}, atol {ATOL:g})"
        elif not np.array_equal(got.astype(expected.dtype) if expected.dtype != object else got, expected):
            return f"{name}: not equal"
    return None


def reference_answers(given: Form, requests: list[dict]) -> list[dict]:
    if given.predict is None:
        raise ModelError(f"the model as given ({given.name}) cannot be called: {given.reason}")
    answers = [given.predict(request) for request in requests]
    for answer in answers:
        for name, value in answer.items():
            value = np.asarray(value)
            if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
                raise ModelError(f"the model as given answers {name} with values that are not finite")
    return answers


def check_forms(forms: dict[str, Form], given: str, requests: list[dict]) -> list[dict]:
    """The given form's answers to `requests`. Every other ready form answers them too: one that
    agrees on all is marked `agrees`; one that differs (or fails) on any is made unavailable, with
    what differed on the first such request as its reason."""
    references = reference_answers(forms[given], requests)
    forms[given].agrees = True
    for name, form in forms.items():
        if form.predict is None or name == given:
            continue
        for number, (request, expected) in enumerate(zip(requests, references), 1):
            try:
                found = differences(form.predict(request), expected)
            except Exception as error:  # a form that fails on a request is as wrong as one that answers wrongly
                found = f"failed: {str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__}"
            if found:
                form.predict, form.reason = None, f"disagrees with the model as given, request {number}: {found}"
                break
        else:
            form.agrees = True
    return references
