"""Small helpers several reporters share: paths relative to the root, level names, counts.

Kept here so every format agrees on what a source's relative path is (a
SARIF result, a GitHub annotation and a baseline entry must name the same
file) and on how an audit level maps to the levels other tools know.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def is_url(source: str) -> bool:
    return "://" in source


def relative_path(source: str, root: Path) -> str | None:
    """The source as a POSIX path relative to ``root``; None for stdin, URLs and paths outside it."""
    if source == "-" or is_url(source):
        return None
    path = Path(source)
    if not path.is_absolute():
        path = Path(os.path.abspath(path))   # relative sources are relative to the working directory
    try:
        rel = os.path.relpath(path, os.path.abspath(root))
    except ValueError:       # another drive (Windows)
        return None
    rel_posix = PurePosixPath(Path(rel).as_posix())
    if rel_posix.parts[:1] == ("..",):
        return None
    return str(rel_posix)


def display_path(source: str, root: Path) -> str:
    """What to print for a source: the relative path when there is one, else the source as given."""
    return relative_path(source, root) or source


def artifact_location(source: str, root: Path) -> dict:
    """A SARIF artifactLocation: relative URI against %SRCROOT% when possible, else absolute."""
    rel = relative_path(source, root)
    if rel is not None:
        return {"uri": quote(rel, safe="/"), "uriBaseId": "%SRCROOT%"}
    if is_url(source):
        return {"uri": source}
    if source == "-":
        return {"uri": "stdin"}
    return {"uri": Path(os.path.abspath(source)).as_uri()}


def root_uri(root: Path) -> str:
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def one_line(text: str | None, limit: int | None = None) -> str:
    out = " ".join((text or "").split())
    if limit and len(out) > limit:
        out = out[: limit - 1] + "\u2026"
    return out


def summary(cards) -> dict:
    scored = [c.score for c in cards if c.score is not None]
    return {
        "sources": len(cards),
        "failed": sum(1 for c in cards if not c.passed),
        "errors": sum(1 for c in cards if c.error),
        "findings": sum(len(c.findings) for c in cards),
        "suppressed": sum(len(getattr(c, "suppressed", ()) or ()) for c in cards),
        "mean": (sum(scored) / len(scored)) if scored else None,
    }
