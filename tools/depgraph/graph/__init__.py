"""The graph stage: resolve extracted imports into one edge per import, classify their targets, cache the
result.
"""
