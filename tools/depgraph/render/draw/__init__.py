"""Drawing the graph: a format-independent `Drawing`, and DOT, Mermaid, JSON and Graphviz image writers."""
