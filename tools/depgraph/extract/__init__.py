"""The extraction stage: the imports of each file (fast scanner, `ast` oracle), in parallel, cached by
content.
"""
