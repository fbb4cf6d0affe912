"""The import graph of the project's own modules: no circle, and every import points down the
layers (data flows one way: train → artifacts → server → client → statistics → storage → report).

Read from the source with `ast`, imports inside functions included (an import moved into a
function to dodge a circle at import time is still a circle).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bench.harness.supervisor import PROJECT_ROOT

PACKAGES = ("sentiment_model", "serving", "bench")

# Lowest first. A module may import its own layer's modules and any lower layer's, never a higher one.
LAYERS = (
    "sentiment_model",  # data → vocabulary → network → training → export
    "serving",  # the app, its inputs, graph kinds, servers
    "bench.results",  # stored records, comparisons, their formatting
    "bench.method",  # plan, paired rotations, statistics, validity, answers and their judge
    "bench.harness",  # server processes and pool, probes, valgrind, memory, side scripts
    "bench.clients",  # sequential HTTP, bursts, in-process, wrk, open loop
    "bench.questions",  # one module per question, and the registry
    "bench.plugin",  # pytest's side: options, collection, fixtures, summary, the clock
    "bench.report bench.gate bench.history",  # the users of everything below
    "bench.test_ bench.conftest",  # the benchmark modules
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in (PROJECT_ROOT / package).rglob("*.py")}


def imports_of(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (a `from package import module` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found |= {target for target in targets if target in modules and target != name}
    return found


def layer_of(name: str) -> int:
    for index, layer in enumerate(LAYERS):
        if any(name == prefix or name.startswith(prefix + ".") or (prefix.endswith("_") and name.startswith(prefix))
               for prefix in layer.split()):
            return index
    raise AssertionError(f"{name} is in no layer: add its folder to LAYERS")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, name, modules) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), and modules importing themselves."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle(graph):
    assert circles(graph) == []


def test_every_import_points_down_the_layers(graph):
    upward = [f"{name} -> {target}" for name, targets in graph.items() for target in targets
              if layer_of(target) > layer_of(name) and not name.startswith(target + ".")]
    assert upward == []


def test_the_check_sees_a_circle_and_an_upward_import():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    assert layer_of("bench.method.plan") < layer_of("bench.clients.http") < layer_of("bench.gate")
    assert layer_of("bench.test_request") == len(LAYERS) - 1


def test_serving_knows_nothing_of_the_benchmarks(graph):
    assert {target for name, targets in graph.items() if name.startswith("serving") for target in targets
            if target.startswith("bench")} == set()


def test_no_module_reads_pytest_benchmarks_private_attributes():
    """pytest-benchmark's documented surface (fixture, hooks, options) only: its private attributes
    (`config._benchmarksession`, …) change without notice between its releases."""
    found = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
             for path in sorted((PROJECT_ROOT / "bench").rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1) if re.search(r"\._benchmark\w*session", line)]
    assert found == []


def test_the_report_the_gate_and_the_plugin_name_no_question(graph):
    """They loop over the registry (`bench.questions.QUESTIONS`): a new question is its module and its
    registry line, and nothing of theirs changes."""
    import importlib

    from bench.questions import QUESTIONS

    question_modules = {name for name in graph if name.startswith("bench.questions.")
                        and hasattr(importlib.import_module(name), "QUESTION")}
    assert len(question_modules) == len(QUESTIONS)
    users = [name for name in graph if name in ("bench.report", "bench.gate") or name.startswith(("bench.plugin", "bench.results"))]
    assert [f"{name} -> {target}" for name in users for target in graph[name] if target in question_modules] == []
