"""Fixed shapes for a model's inputs: the batch dimension (the first, when free) is 1; every other
free dimension comes from `--shape NAME:D1,D2,...` (the dimensions after the batch, as
perf_analyzer's `--shape`), or the run stops with one line naming the free dimensions."""
from __future__ import annotations

from serving.model_file import ModelError
from serving.model_file.spec import ModelSpec, TensorSpec


def plain(name: str) -> str:
    """A tensor's name without TensorFlow's output index: `ids:0` and `ids` are the same input."""
    return name[:-2] if name.endswith(":0") else name


def parse_shape_flags(flags: list[str] | None) -> dict[str, tuple[int, ...]]:
    """`["ids:50", "image:224,224,3"]` -> {"ids": (50,), "image": (224, 224, 3)}."""
    shapes = {}
    for flag in flags or []:
        name, _, dims = flag.rpartition(":")
        try:
            values = tuple(int(d) for d in dims.split(",")) if dims else ()
        except ValueError:
            values = (-1,)
        if not name or not values or min(values) < 1:
            raise ModelError(f"--shape {flag}: give NAME:D1,D2,... with positive dimensions (after the batch)")
        shapes[plain(name)] = values
    return shapes


def _batch_free(tensor: TensorSpec) -> bool:
    return bool(tensor.shape) and tensor.shape[0] is None


def batch_free(spec: ModelSpec) -> bool:
    """Every input's first dimension is free (the batch): a request may carry rows (TF Serving's
    `instances`); otherwise it is the inputs' whole fixed shape (`inputs`)."""
    return all(_batch_free(tensor) for tensor in spec.inputs)


def resolve(spec: ModelSpec, flags: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Every input's shape for one request (batch 1)."""
    names = {plain(tensor.name) for tensor in spec.inputs}
    if unknown := sorted(set(flags) - names):
        raise ModelError(f"--shape {unknown[0]}: the model has no such input (its inputs: {', '.join(sorted(names))})")
    shapes, free = {}, []
    for tensor in spec.inputs:
        rest = tensor.shape[1:] if _batch_free(tensor) else tensor.shape
        given = flags.get(plain(tensor.name))
        if given is not None:
            if len(given) != len(rest) or any(d is not None and d != g for d, g in zip(rest, given)):
                raise ModelError(f"--shape {plain(tensor.name)}:{','.join(map(str, given))} does not fit {tensor} "
                                 f"(give the {len(rest)} dimension(s) after the batch)")
            rest = given
        elif None in rest:
            free.append(tensor)
            continue
        shapes[tensor.name] = ((1,) if _batch_free(tensor) else ()) + tuple(rest)
    if free:
        wanted = " ".join(f"--shape {plain(t.name)}:" + ",".join("D" if d is None else str(d)
                                                                  for d in (t.shape[1:] if _batch_free(t) else t.shape))
                          for t in free)
        raise ModelError(f"free dimensions besides the batch in {', '.join(str(t) for t in free)}: give {wanted}")
    return shapes
