"""The benchmark suite: options (conftest), load generators, statistics, report."""
