"""The bottom layer: the shared types (imports, the domain model), errors and small helpers.

It imports nothing of depgraph; every stage above may import it.
"""
