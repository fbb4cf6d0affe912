"""The benchmark plugin: what pytest needs to run `bench/test_*.py`, one concern per module.

`options` (command-line options, checked once), `state` (the run's one state object, in
`config.stash`), `collection` (parametrisation from the plan, each group's cases and servers),
`fixtures` (the plan, texts, answer judges, the server pool, the measured rotations, `describe`),
`summary` (the answers on the terminal and in the saved JSON, the compared run).
`bench/conftest.py` only wires these in.
"""
