"""depgraph: the import graph of a Python monorepo, and the checks that keep its staging model honest."""

__all__ = ["__version__"]
__version__ = "0.1.0"
