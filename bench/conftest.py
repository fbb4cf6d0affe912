"""Wires the benchmark plugin (`bench/plugin/`) into pytest for the modules in this folder; nothing else."""
from bench.plugin.collection import pytest_collection_modifyitems, pytest_generate_tests, pytest_runtest_teardown
from bench.plugin.fixtures import (
                                  artifacts,
                                  describe,
                                  expected_positive,
                                  judge_for,
                                  measurements,
                                  plan,
                                  server_pool,
                                  texts,
)
from bench.plugin.options import pytest_addoption, pytest_configure, pytest_unconfigure
from bench.plugin.summary import (
                                  pytest_benchmark_compare_machine_info,
                                  pytest_benchmark_update_json,
                                  pytest_benchmark_update_machine_info,
                                  pytest_sessionstart,
                                  pytest_terminal_summary,
)

__all__ = [  # pytest finds hooks and fixtures by name in this module
    "pytest_addoption", "pytest_configure", "pytest_unconfigure", "pytest_generate_tests",
    "pytest_collection_modifyitems", "pytest_runtest_teardown", "pytest_benchmark_update_machine_info",
    "pytest_benchmark_compare_machine_info", "pytest_benchmark_update_json", "pytest_sessionstart", "pytest_terminal_summary",
    "plan", "texts", "artifacts", "expected_positive", "judge_for", "server_pool", "describe", "measurements",
]
