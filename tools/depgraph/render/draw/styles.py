"""Colours and shapes shared by the DOT and Mermaid writers, so both drawings read the same."""

from __future__ import annotations

from depgraph.render.draw.model import (
    CORE,
    CYCLE,
    FIRST_PARTY,
    FOCUS,
    FORBIDDEN,
    MODULE,
    PACKAGE,
    PLUGIN,
    STAGING,
    THIRD_PARTY,
    UNDECLARED,
)

RED = "#d62728"
GREY = "#777777"
# edge colour by reason group (model.reason_group): forbidden red, undeclared amber, cycle purple
REASON_COLOURS = {FORBIDDEN: RED, UNDECLARED: "#c77700", CYCLE: "#7b3fb5"}

# kind -> (fill, border, text colour, DOT shape, DOT style)
NODE_STYLES: dict[str, tuple[str, str, str, str, str]] = {
    CORE: ("#1f3b73", "#0b1d40", "#ffffff", "box", "filled,bold"),
    STAGING: ("#cfe3f7", "#2f6eb5", "#0b1d40", "box", "rounded,filled"),
    PLUGIN: ("#e8dff5", "#6a4c9c", "#2a1846", "box", "rounded,filled"),
    FIRST_PARTY: ("#e6e6e6", "#666666", "#222222", "box", "rounded,filled"),
    THIRD_PARTY: ("#ffffff", "#999999", "#555555", "ellipse", "dashed,filled"),
    FOCUS: ("#ffe08a", "#b38600", "#222222", "box", "rounded,filled,bold"),
    MODULE: ("#f5f5f5", "#888888", "#222222", "box", "rounded,filled"),
    PACKAGE: ("#dcefd9", "#3c8d3c", "#1b3d1b", "folder", "filled"),
}
