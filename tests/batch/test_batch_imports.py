"""The batch command must not slow down ``audit --version``: click and the stdlib only at import."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

HEAVY = ("lxml", "lxml.etree", "requests", "bs4", "tldextract", "regex", "ahocorasick", "warcio",
         "distributed", "dask", "concurrent.futures.process", "multiprocessing")


def _loaded(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code + f"\nprint('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    return out.stdout + out.stderr


def test_batch_module_imports_only_click_and_stdlib():
    assert "HEAVY []" in _loaded("import sys, audit.batch.cli")


def test_version_and_batch_help_stay_light():
    for args in (["--version"], ["batch", "--help"]):
        code = ("import sys; from audit.cli import main\n"
                f"try:\n    main({args!r})\nexcept SystemExit:\n    pass")
        assert "HEAVY []" in _loaded(code), args
