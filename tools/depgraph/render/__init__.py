"""Rendering: drawings (DOT, Mermaid, JSON, images), check reports, the footprint table and the HTML page."""
