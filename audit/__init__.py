"""audit: audit the credibility of written sources.

The public Python API lives here so that batch engines (multiprocessing,
Dask, Spark, Ray) can call the same per-document function the CLI uses.
Imports are lazy: ``audit --version`` and ``audit rules`` must not pay for
the HTML parser or requests.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "audit_text", "audit_html", "audit_path", "load_rules"]


def load_rules(*, extra_paths=(), config=None):
    """Load and validate the rule packs once; pass the result to the audit_* functions."""
    from audit.api import load_rules as _load

    return _load(extra_paths=extra_paths, config=config)


def audit_text(text, *, source="<text>", fmt="text", rules=None, config=None):
    """Audit a str of plain text or Markdown and return a :class:`audit.model.Scorecard`."""
    from audit.api import audit_text as _f

    return _f(text, source=source, fmt=fmt, rules=rules, config=config)


def audit_html(html, *, source="<html>", rules=None, config=None):
    """Audit HTML given as str, bytes or a BeautifulSoup object."""
    from audit.api import audit_html as _f

    return _f(html, source=source, rules=rules, config=config)


def audit_path(path, *, rules=None, config=None):
    """Audit one file and return its Scorecard (or an error record)."""
    from audit.api import audit_path as _f

    return _f(path, rules=rules, config=config)
