"""Where reports go: ``--output FORMAT:PATH`` specs, checked up front, written atomically.

Why up front: an unknown format or a path that cannot be written must stop
the run (exit 2) before anything is audited, not after a 20-minute batch.
Why atomically: a CI step that reads report.sarif must never see half a
file because the run crashed or was interrupted; we write a temporary file
in the same directory (same filesystem, so the rename is atomic) and
``os.replace`` it over the target.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audit.errors import AuditError


class OutputError(AuditError):
    """A bad ``--output`` spec or an output path that cannot be written (exit 2)."""


@dataclass(frozen=True)
class OutputSpec:
    fmt: str
    path: Path


def check_writable(path: Path, what: str = "output") -> None:
    """Fail now if ``path`` cannot be created or replaced."""
    if str(path) in ("", "-"):
        raise OutputError(f"{what} path '{path}': give a file name (standard output takes --format)")
    if path.is_dir():
        raise OutputError(f"{what} path '{path}' is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{what} path '{path}': directory '{parent}' does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{what} path '{path}': directory '{parent}' is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{what} path '{path}' is not writable")


def parse_spec(value: str, formats) -> OutputSpec:
    """``sarif:reports/audit.sarif`` -> OutputSpec('sarif', Path('reports/audit.sarif'))."""
    fmt, sep, path = value.partition(":")
    if not sep or not fmt:
        raise OutputError(f"--output '{value}': expected FORMAT:PATH, e.g. sarif:audit.sarif "
                          f"(formats: {', '.join(formats)})")
    if fmt not in formats:
        raise OutputError(f"--output '{value}': unknown format '{fmt}' (known: {', '.join(formats)})")
    if path.strip() in ("", "-"):
        raise OutputError(f"--output '{value}': give a file name (standard output takes --format)")
    spec = OutputSpec(fmt, Path(path))
    check_writable(spec.path)
    return spec


def parse_specs(values, formats) -> list[OutputSpec]:
    specs = [parse_spec(v, formats) for v in values]
    seen: dict[str, str] = {}
    for s in specs:
        key = os.path.abspath(s.path)
        if key in seen:
            raise OutputError(f"--output: '{s.path}' is given twice ({seen[key]} and {s.fmt})")
        seen[key] = s.fmt
    return specs


def write_atomic(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so readers see the old file or the whole new one."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = os.stat(path).st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:        # including KeyboardInterrupt: never leave the temporary file
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
