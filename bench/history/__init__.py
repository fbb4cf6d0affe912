"""When did a figure step, and which commit did it: a history of figures across commits.

`python -m bench.history record RANGE` counts instructions per request for each commit of a git
range with that commit's own code (the gate's worktree and side machinery) and takes the saved runs
of `.benchmarks/` in; `report` finds the steps (change points) and names the functions that grew;
`bisect GOOD BAD` finds the first commit whose count exceeds GOOD's. Modules: `store` (the records),
`record` (counting commits), `steps` (change points), `page` (HTML, markdown, plots), `bisect`,
`__main__` (the command line)."""
