"""Writing a drawing in any format: text ones (dot, mermaid, json) here, images through Graphviz's `dot`."""

from __future__ import annotations

import shutil

from depgraph.base.errors import DepgraphError
from depgraph.render.draw.model import Drawing

TEXT_FORMATS = ("dot", "mermaid", "json")
IMAGE_FORMATS = ("svg", "png", "pdf")
FORMATS = TEXT_FORMATS + IMAGE_FORMATS
SUFFIXES = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid", ".json": "json"} | {
    f".{f}": f for f in IMAGE_FORMATS
}
INSTALL_DOT = "install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`)"


def render_text(drawing: Drawing, fmt: str) -> str:
    if fmt == "dot":
        from depgraph.render.draw.dot import to_dot  # noqa: PLC0415 - one writer per run

        return to_dot(drawing)
    if fmt == "mermaid":
        from depgraph.render.draw.mermaid import to_mermaid  # noqa: PLC0415

        return to_mermaid(drawing)
    if fmt == "json":
        from depgraph.render.draw.jsonout import to_json  # noqa: PLC0415

        return to_json(drawing)
    raise DepgraphError(f"--format {fmt}: not a text format (one of: {', '.join(TEXT_FORMATS)})")


def render_image(drawing: Drawing, fmt: str) -> bytes:
    """SVG, PNG or PDF bytes from the system `dot`; without it one DepgraphError says what to install."""
    if fmt not in IMAGE_FORMATS:
        raise DepgraphError(f"--format {fmt}: not an image format (one of: {', '.join(IMAGE_FORMATS)})")
    if shutil.which("dot") is None:
        raise DepgraphError(f"format {fmt} needs Graphviz's `dot` program, not found on PATH: {INSTALL_DOT}")
    import graphviz  # noqa: PLC0415 - off the start-up path

    from depgraph.render.draw.dot import to_graphviz  # noqa: PLC0415

    try:
        data: bytes = to_graphviz(drawing).pipe(format=fmt, engine="dot", quiet=True)
    except graphviz.ExecutableNotFound:
        raise DepgraphError(f"format {fmt} needs Graphviz's `dot` program: {INSTALL_DOT}") from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise DepgraphError(f"dot failed to draw {fmt}: {detail[-1] if detail else exc}") from None
    return data


def render(drawing: Drawing, fmt: str) -> bytes:
    if fmt in IMAGE_FORMATS:
        return render_image(drawing, fmt)
    return render_text(drawing, fmt).encode("utf-8")


def format_for(path: str, explicit: str | None) -> str:
    """The format: `--format` when given, else from the output's suffix, else DOT for stdout."""
    if explicit:
        return explicit
    if path in ("", "-"):
        return "dot"
    for suffix, fmt in SUFFIXES.items():
        if path.lower().endswith(suffix):
            return fmt
    known = ", ".join(sorted(SUFFIXES))
    raise DepgraphError(f"{path}: cannot tell the format from the suffix (known: {known}); pass --format")
