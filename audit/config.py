"""Settings: discovery, merging and validation.

Discovery (first found wins, walking up from the working directory):
``--config FILE``; else ``.audit.toml`` or ``audit.toml``; ``[tool.audit]``
in ``pyproject.toml``; ``[audit]`` in ``setup.cfg``.  ``--isolated`` skips
discovery.  Command-line options override the file.  Unknown keys and wrong
types are errors (exit 2): silently ignored config is the most-reported bug
in prose linters.  :attr:`Settings.origin` records where each value came
from, for ``audit config``.
"""

from __future__ import annotations

import configparser
import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import ConfigError
from audit.model import CATEGORIES, LEVEL_RANK, LEVELS
from audit.score import CREDIBLE_THRESHOLD, ScoringModel

FAIL_ON = LEVELS + ("never",)
KEYS = {
    "select": "list", "ignore": "list", "extend-select": "list", "rules": "table",
    "categories": "table", "per-path-ignores": "table", "per-domain-ignores": "table", "rule-paths": "list",
    "fail-under": "number", "fail-on": "str", "include": "list", "exclude": "list",
    "max-size": "int", "scoring": "table", "baseline": "str",
}
RULE_OVERRIDE_KEYS = ("level", "weight", "enabled")
SCORING_KEYS = ("base", "signals", "ceilings", "bands", "repeat-factor")


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    per_domain_ignores: dict[str, list[str]] = field(default_factory=dict)   # registered domain -> codes
    baseline: str | None = None        # baseline file of accepted findings (audit/suppress.py)
    rule_paths: list[str] = field(default_factory=list)
    fail_under: float = CREDIBLE_THRESHOLD
    fail_on: str = "error"
    include: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    max_size: int = 20 * 1024 * 1024
    scoring: ScoringModel = field(default_factory=ScoringModel)
    origin: dict[str, str] = field(default_factory=dict)
    config_file: str | None = None
    # Network use is explicit: only command-line flags (or API callers) turn these on.
    online: bool = False          # verify cited links, DOIs and PubMed ids
    allow_private: bool = False   # let URL inputs and checks reach private/loopback addresses
    use_cache: bool = True        # the persistent cache of verification results

    # -- selection (flake8's decision engine: the longest matching prefix wins) ------------
    def selected(self, rule_id: str, category: str) -> bool:
        def best(codes):
            score = -1
            for code in codes:
                if code == "ALL":
                    score = max(score, 0)
                elif code == category:
                    score = max(score, 1000)
                elif rule_id == code or rule_id.startswith(code + ".") or \
                        (code.endswith(".") and rule_id.startswith(code)):
                    score = max(score, len(code))
            return score

        sel, ign = best(self.select), best(self.ignore)
        if sel < 0:
            return False
        return sel > ign

    def ignored_for_path(self, source: str, rule_id: str, category: str) -> bool:
        for pattern, codes in self.per_path_ignores.items():
            if fnmatch.fnmatch(source, pattern) or fnmatch.fnmatch(Path(source).name, pattern):
                for code in codes:
                    if code in ("ALL", category) or rule_id == code or rule_id.startswith(code + "."):
                        return True
        return False

    def ignored_for_domain(self, host: str | None, domain: str | None, rule_id: str, category: str) -> bool:
        """``per-domain-ignores``: a key matches the source's registered domain or a host under it."""
        if not host and not domain:
            return False
        for key, codes in self.per_domain_ignores.items():
            if key == domain or (host and (host == key or host.endswith("." + key))):
                for code in codes:
                    if code in ("ALL", category) or rule_id == code or rule_id.startswith(code + "."):
                        return True
        return False

    def fails_on(self, level: str) -> bool:
        return self.fail_on != "never" and LEVEL_RANK.get(level, 0) >= LEVEL_RANK[self.fail_on]

    def passes(self, error: str | None, score: float | None, levels) -> bool:
        """The policy verdict on one source: an error fails; a score under ``fail-under`` fails;
        a finding at ``fail-on`` or above fails.  The one definition, for a Scorecard
        (``Engine.passes``) and for a batch's JSON record (``batch.worker.record_stats``: fresh
        records and those read back on resume)."""
        if error is not None:
            return False
        if score is not None and score < self.fail_under:
            return False
        return not any(self.fails_on(level) for level in levels)


def _type_ok(kind: str, value) -> bool:
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "table":
        return isinstance(value, dict)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    return False


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    """Walk up from ``start`` to the first file that carries audit settings."""
    here = (start or Path.cwd()).resolve()
    for d in [here, *here.parents]:
        for name in (".audit.toml", "audit.toml"):
            p = d / name
            if p.is_file():
                return p, _read_toml(p)
        p = d / "pyproject.toml"
        if p.is_file():
            data = _read_toml(p)
            section = data.get("tool", {}).get("audit")
            if section is not None:
                return p, section
        p = d / "setup.cfg"
        if p.is_file():
            section = _read_setup_cfg(p)
            if section is not None:
                return p, section
    return None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None


def _read_setup_cfg(path: Path) -> dict | None:
    """``[audit]`` in setup.cfg: values are TOML literals, or comma/newline separated lists."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise ConfigError(f"{path}: invalid INI ({exc.message.splitlines()[0]})") from None
    if not parser.has_section("audit"):
        return None
    out: dict[str, Any] = {}
    for key, raw in parser.items("audit"):
        raw = raw.strip()
        try:
            out[key] = tomllib.loads(f"v = {raw}")["v"]
            continue
        except tomllib.TOMLDecodeError:
            pass
        if KEYS.get(key) == "list":
            out[key] = [v.strip() for v in raw.replace("\n", ",").split(",") if v.strip()]
        else:
            out[key] = raw
    return out


def load_settings(config_file: str | None = None, *, isolated: bool = False, cwd: Path | None = None) -> Settings:
    settings = Settings()
    if isolated and not config_file:
        return settings
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        if path.name == "pyproject.toml":
            data = _read_toml(path).get("tool", {}).get("audit", {})
        elif path.suffix == ".cfg":
            data = _read_setup_cfg(path) or {}
        else:
            data = _read_toml(path)
        found = (path, data)
    else:
        found = find_config(cwd)
    if found:
        apply(settings, found[1], str(found[0]))
        settings.config_file = str(found[0])
    return settings


def apply(settings: Settings, data: dict, origin: str) -> None:
    """Validate ``data`` and merge it into ``settings``; every key records its origin."""
    base_dir = Path(origin).parent if origin not in ("command line", "default") else Path.cwd()
    for key, value in data.items():
        kind = KEYS.get(key)
        if kind is None:
            raise ConfigError(f"{origin}: unknown setting '{key}' (known: {', '.join(sorted(KEYS))})")
        if not _type_ok(kind, value):
            raise ConfigError(f"{origin}: setting '{key}' must be a {kind}, not {type(value).__name__}")
        settings.origin[key] = origin
        if key == "select":
            settings.select = list(value)
        elif key == "extend-select":
            settings.select = settings.select + list(value)
        elif key == "ignore":
            settings.ignore = list(value)
        elif key == "fail-under":
            if not 0 <= value <= 100:
                raise ConfigError(f"{origin}: setting 'fail-under' must be between 0 and 100")
            settings.fail_under = float(value)
        elif key == "fail-on":
            if value not in FAIL_ON:
                raise ConfigError(f"{origin}: setting 'fail-on' must be one of {', '.join(FAIL_ON)}")
            settings.fail_on = value
        elif key == "rules":
            for rid, over in value.items():
                if not isinstance(over, dict):
                    raise ConfigError(f"{origin}: rules.{rid} must be a table of level/weight/enabled")
                for k, v in over.items():
                    if k not in RULE_OVERRIDE_KEYS:
                        raise ConfigError(f"{origin}: rules.{rid}: unknown key '{k}' (known: level, weight, enabled)")
                    if k == "level" and v not in LEVELS:
                        raise ConfigError(f"{origin}: rules.{rid}.level must be one of {', '.join(LEVELS)}")
                    if k == "weight" and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
                        raise ConfigError(f"{origin}: rules.{rid}.weight must be a non-negative number")
                    if k == "enabled" and not isinstance(v, bool):
                        raise ConfigError(f"{origin}: rules.{rid}.enabled must be true or false")
                settings.rules.setdefault(rid, {}).update(over)
        elif key == "categories":
            for cat, over in value.items():
                if cat not in CATEGORIES:
                    raise ConfigError(f"{origin}: categories: unknown category '{cat}'")
                if not isinstance(over, dict) or set(over) - {"cap"}:
                    raise ConfigError(f"{origin}: categories.{cat} must be a table with 'cap' (points)")
                cap = over.get("cap")
                if cap is not None:
                    if not isinstance(cap, (int, float)) or isinstance(cap, bool) or cap < 0:
                        raise ConfigError(f"{origin}: categories.{cat}.cap must be a non-negative number")
                    settings.scoring.caps[cat] = float(cap)
        elif key == "per-path-ignores":
            for pattern, codes in value.items():
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise ConfigError(f"{origin}: per-path-ignores.{pattern} must be a list of rule ids or categories")
                settings.per_path_ignores[pattern] = codes
        elif key == "per-domain-ignores":
            for domain, codes in value.items():
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise ConfigError(f"{origin}: per-domain-ignores.{domain} must be a list of rule ids or categories")
                name = domain.strip().lower().lstrip("*.").rstrip(".")
                if "." not in name or "/" in name or ":" in name:
                    raise ConfigError(f"{origin}: per-domain-ignores: '{domain}' is not a domain name "
                                      "(write it as example.com)")
                settings.per_domain_ignores[name] = codes
        elif key == "baseline":
            settings.baseline = str((base_dir / value).resolve())
        elif key == "rule-paths":
            settings.rule_paths += [str((base_dir / p).resolve()) for p in value]
        elif key == "include":
            settings.include = list(value)
        elif key == "exclude":
            settings.exclude = list(value)
        elif key == "max-size":
            if value <= 0:
                raise ConfigError(f"{origin}: setting 'max-size' must be a positive number of bytes")
            settings.max_size = value
        elif key == "scoring":
            _apply_scoring(settings.scoring, value, origin)


def _apply_scoring(model: ScoringModel, value: dict, origin: str) -> None:
    for k, v in value.items():
        if k not in SCORING_KEYS:
            raise ConfigError(f"{origin}: scoring: unknown key '{k}' (known: {', '.join(SCORING_KEYS)})")
        if k == "base":
            if not isinstance(v, (int, float)) or not 0 <= v <= 100:
                raise ConfigError(f"{origin}: scoring.base must be a number from 0 to 100")
            model.base = float(v)
        elif k == "repeat-factor":
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ConfigError(f"{origin}: scoring.repeat-factor must be between 0 and 1")
            model.repeat_factor = float(v)
        elif k in ("signals", "ceilings"):
            if not isinstance(v, dict):
                raise ConfigError(f"{origin}: scoring.{k} must be a table")
            target = model.signals if k == "signals" else model.ceilings
            for name, pts in v.items():
                if k == "signals" and name not in target:
                    raise ConfigError(f"{origin}: scoring.signals: unknown signal '{name}'")
                if k == "ceilings" and name not in CATEGORIES:
                    raise ConfigError(f"{origin}: scoring.ceilings: unknown category '{name}'")
                if not isinstance(pts, (int, float)) or isinstance(pts, bool):
                    raise ConfigError(f"{origin}: scoring.{k}.{name} must be a number")
                target[name] = float(pts)
        elif k == "bands":
            if not isinstance(v, dict) or not v:
                raise ConfigError(f"{origin}: scoring.bands must be a table of name = lowest score")
            bands = []
            for name, floor in v.items():
                if not isinstance(floor, (int, float)) or isinstance(floor, bool):
                    raise ConfigError(f"{origin}: scoring.bands.{name} must be a number")
                bands.append((float(floor), name))
            model.bands = sorted(bands, reverse=True)


def describe(settings: Settings) -> list[tuple[str, Any, str]]:
    """``(key, value, origin)`` rows for ``audit config``."""
    from audit.document.load import DEFAULT_INCLUDE

    s = settings
    rows = [
        ("select", s.select, s.origin.get("select", "default")),
        ("extend-select", "(merged into select)", s.origin.get("extend-select", "default")),
        ("ignore", s.ignore, s.origin.get("ignore", "default")),
        ("fail-under", s.fail_under, s.origin.get("fail-under", "default")),
        ("fail-on", s.fail_on, s.origin.get("fail-on", "default")),
        ("rules", s.rules, s.origin.get("rules", "default")),
        ("per-path-ignores", s.per_path_ignores, s.origin.get("per-path-ignores", "default")),
        ("per-domain-ignores", s.per_domain_ignores, s.origin.get("per-domain-ignores", "default")),
        ("baseline", s.baseline, s.origin.get("baseline", "default")),
        ("rule-paths", s.rule_paths, s.origin.get("rule-paths", "default")),
        ("include", s.include or f"(built-in: {' '.join(DEFAULT_INCLUDE)})",
         s.origin.get("include", "default")),
        ("exclude", s.exclude, s.origin.get("exclude", "default")),
        ("max-size", s.max_size, s.origin.get("max-size", "default")),
        ("categories (caps)", s.scoring.caps, s.origin.get("categories", "default")),
        ("scoring.base", s.scoring.base, s.origin.get("scoring", "default")),
        ("scoring.signals", s.scoring.signals, s.origin.get("scoring", "default")),
        ("scoring.ceilings", s.scoring.ceilings, s.origin.get("scoring", "default")),
        ("scoring.bands", {n: f for f, n in s.scoring.bands}, s.origin.get("scoring", "default")),
    ]
    return rows


# What ``audit init`` writes: every key commented with what it does.  A test loads it with
# load_settings, so it can never drift out of what this module accepts.
STARTER = '''\
# audit settings.  Every key is optional; `audit config` shows the resolved values and where
# each came from.  Unknown keys are errors, never silently ignored.

# Rules to run and to skip: rule ids ("Ad.Label"), id prefixes ("Placeholder") or categories
# ("hype-claim"); the longest match wins.
select = ["ALL"]
ignore = []

# The policy: a source fails below fail-under (0-100) or with a finding at fail-on or above
# (info | warning | error | never).
fail-under = 60
fail-on = "error"

# Files to audit inside directories (built-in: html, htm, xhtml, txt, md, markdown, text)
# and what to skip.
# include = ["*.html", "*.md"]
exclude = []

# Your own rule packs and lexicons, relative to this file (test them with `audit test-rules DIR`).
# rule-paths = ["house-rules"]

# Findings accepted on purpose: create with `audit check --write-baseline audit-baseline.json`.
# baseline = "audit-baseline.json"

# Largest input in bytes.
max-size = 20000000

# Per-rule overrides.
# [rules."Placeholder.RepeatedTitle"]
# level = "info"
# weight = 2
# enabled = true

# Rules or categories to skip for some files (globs) ...
[per-path-ignores]
# "press-releases/*" = ["commercial-intent"]

# ... or for scraped pages of a site (its registered domain, from the URL or the page's
# canonical / og:url address).
[per-domain-ignores]
# "example.com" = ["commercial-intent"]

# How many points a category can cost at most.
# [categories.hype-claim]
# cap = 10

# The scoring model: see docs/scoring.md.
# [scoring]
# base = 80
'''
