"""A model given by path (`--model PATH`): its format and inputs read from the file, the forms it
allows derived from it (the model as given, frozen, XLA-compiled, ONNX), inputs generated for it or
read from perf_analyzer's JSON, and every form's answers checked against the form the user gave.

- `spec`: the format and the input and output tensors, read from the model itself;
- `shapes`: the batch dimension 1, the other free dimensions from `--shape NAME:D1,D2`;
- `data`: generated inputs per dtype from a seed, within the model's integer ranges, or `--input-data`;
- `forms`: each derivable form, made once and cached by the file's hash, or unavailable with a reason;
- `agreement`: every form on the same inputs against the given one.

Every error a user can cause is a `ModelError`: one line, said as is.
"""


class ModelError(Exception):
    """Something wrong with the model, its flags or its input data: one line for the user."""
