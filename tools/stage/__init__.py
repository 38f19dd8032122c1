"""`stage`: move an in-tree package of the core out to its own staging distribution, in reviewable steps.

`stage plan` says what ties the package to the core (built on depgraph's import graph); the library
returns a `Plan`, the CLI prints it and maps it to an exit code. `stage apply` (`stage.apply`) makes a
clean plan's move and leaves the shim (`stage.shim`) at the old path, recording the move
(`stage.record`) for `stage rewrite-imports` and `stage finish`. `make stage-demo` (`stage.demo`) runs
the whole story on a copy of this repository.
"""

from __future__ import annotations

from stage.errors import StageError
from stage.plan import Carried, Plan, Requirement, TestFile, Tie, make_plan

__all__ = ["Carried", "Plan", "Requirement", "StageError", "TestFile", "Tie", "make_plan"]
