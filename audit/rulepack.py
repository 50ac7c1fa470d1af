"""Rule packs (TOML) and lexicons (text) in; validated, compiled Rules out.

Everything is loaded and validated once at start-up.  Any problem -- unknown
key, missing field, unknown category or kind, bad regex, unknown lexicon --
raises :class:`RuleError` naming the file, the rule id and the key, so a
broken pack stops the run (exit 2) before a single document is read.

Layout of a pack directory (the built-in one is ``rules/`` in the source
tree, installed as the ``audit._packs`` package)::

    rules/
      placeholder.toml      [[rule]] tables
      lexicons/
        hype-terms.txt      one entry per line, '#' comments
        confusables.txt     'wrong -> right | context, words'

A user's ``--rules-path DIR`` has the same layout.  Its rules are added (a
rule with an existing id replaces it) and its lexicons extend the built-in
lexicons of the same name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import RuleError
from audit.model import CATEGORIES, LEVELS

KINDS = ("existence", "substitution", "occurrence", "conditional", "repetition", "presence", "code")
COMMON_REQUIRED = ("id", "category", "level", "weight", "message", "rationale", "kind")
COMMON_OPTIONAL = ("scope", "formats", "suggestion", "examples", "enabled", "criterion")
FORMATS = ("text", "markdown", "html")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "existence": ("phrases", "lexicon", "patterns", "ignorecase", "whole_tokens", "unless", "sentence_has"),
    "substitution": ("swap", "lexicon", "ignorecase", "context", "unless"),
    "occurrence": ("phrases", "lexicon", "patterns", "ignorecase", "whole_tokens", "max",
                   "max_per_1000_words", "unless"),
    "conditional": ("phrases", "lexicon", "patterns", "ignorecase", "whole_tokens", "unless",
                    "without", "window"),
    "repetition": ("min_count", "min_words", "patterns", "ignorecase", "unit", "report"),
    "presence": ("require", "when", "when_min"),
    "code": ("check", "params", "sentence_has"),
}
BLOCK_KINDS = ("title", "heading", "paragraph", "list-item", "cell", "caption", "alt")
PRESENCE_TARGETS = ("author", "date", "references", "disclosure")
_ID = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+$")
_FIELD = re.compile(r"\{(\w+)\}")
REGEX_TIMEOUT = 0.25   # seconds per pattern per block: a user's regex cannot hang a run


def builtin_dir() -> Path:
    """The built-in packs: ``audit/_packs`` when installed, ``rules/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_packs"
    if installed.is_dir():
        return installed
    return here.parent / "rules"


@dataclass
class Rule:
    id: str
    category: str
    level: str
    weight: float
    message: str
    rationale: str
    kind: str
    params: dict[str, Any]
    scope: tuple[str, ...] = BLOCK_KINDS
    formats: tuple[str, ...] = FORMATS
    suggestion: str | None = None
    examples: dict[str, list[str]] = field(default_factory=dict)
    enabled: bool = True
    criterion: str | None = None
    origin: str = ""
    # compiled state, filled by compile_rule
    phrases: list[tuple[str, bool]] = field(default_factory=list)   # (phrase, case-sensitive)
    regex: Any = None
    unless: Any = None
    without: Any = None
    sentence_has: Any = None
    when: Any = None
    swaps: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def summary(self) -> str:
        return self.message.split(".")[0].replace("{match}", "…")


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicons: dict[str, list[str]]
    files: list[str]

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def read_lexicon_file(path: Path) -> list[str]:
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(path, None, None, f"cannot read lexicon ({exc})") from None
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out


def _load_dir(directory: Path, lexicons: dict[str, list[str]], rules: dict[str, Rule], files: list[str]):
    lexdir = directory / "lexicons"
    if lexdir.is_dir():
        for path in sorted(lexdir.glob("*.txt")):
            lexicons.setdefault(path.stem, []).extend(read_lexicon_file(path))
    for path in sorted(directory.rglob("*.toml")):
        if "lexicons" in path.relative_to(directory).parts:
            continue
        files.append(str(path))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(path, None, None, f"invalid TOML ({exc})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(path, None, None, f"cannot read ({exc})") from None
        unknown = set(data) - {"rule", "pack"}
        if unknown:
            raise RuleError(path, None, sorted(unknown)[0], "unknown top-level key (expected [[rule]] tables)")
        entries = data.get("rule", [])
        if not isinstance(entries, list):
            raise RuleError(path, None, "rule", "must be an array of tables ([[rule]])")
        for entry in entries:
            rule = _validate(path, entry)
            rules[rule.id] = rule


def rules_for(settings, extra_paths=()) -> RuleSet:
    """The rules a run uses: built-in packs, then the settings' ``rule-paths``, then
    ``extra_paths`` (``--rules-path``, the API's ``extra_paths``); a later pack's rule replaces
    an earlier one with the same id, so what is named explicitly wins."""
    return load_rules(list(settings.rule_paths) + list(extra_paths))


def load_rules(extra_paths=()) -> RuleSet:
    """Load the built-in packs plus each directory in ``extra_paths``; validate and compile."""
    lexicons: dict[str, list[str]] = {}
    rules: dict[str, Rule] = {}
    files: list[str] = []
    builtin = builtin_dir()
    _load_dir(builtin, lexicons, rules, files)
    if not rules:
        raise RuleError(builtin, None, None, "no built-in rule packs found: the installation is incomplete")
    for extra in extra_paths:
        p = Path(extra)
        if not p.is_dir():
            raise RuleError(p, None, None, "rules path is not a directory")
        _load_dir(p, lexicons, rules, files)
    for rule in rules.values():
        compile_rule(rule, lexicons)
    return RuleSet(list(rules.values()), lexicons, files)


def _expect(path, rid, key, value, types, what):
    if not isinstance(value, types) or isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise RuleError(path, rid, key, f"must be {what}, not {type(value).__name__}")


def _str_list(path, rid, key, value):
    if isinstance(value, str):
        value = [value]
    _expect(path, rid, key, value, list, "a list of strings")
    for v in value:
        _expect(path, rid, key, v, str, "a list of strings")
    return value


def _validate(path: Path, entry: Any) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(path, None, "rule", "each [[rule]] must be a table")
    rid = entry.get("id")
    for key in COMMON_REQUIRED:
        if key not in entry:
            raise RuleError(path, rid if isinstance(rid, str) else None, key, "missing required field")
    _expect(path, None, "id", rid, str, "a string")
    if not _ID.match(rid):
        raise RuleError(path, rid, "id", "must look like Pack.RuleName (dotted, each part capitalised)")
    kind = entry["kind"]
    if kind not in KINDS:
        raise RuleError(path, rid, "kind", f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    allowed = set(COMMON_REQUIRED) | set(COMMON_OPTIONAL) | set(KIND_KEYS[kind])
    for key in entry:
        if key not in allowed:
            raise RuleError(path, rid, key, f"unknown key for a {kind} rule")
    if entry["category"] not in CATEGORIES:
        raise RuleError(path, rid, "category", f"unknown category {entry['category']!r}")
    if entry["level"] not in LEVELS:
        raise RuleError(path, rid, "level", f"must be one of {', '.join(LEVELS)}")
    _expect(path, rid, "weight", entry["weight"], (int, float), "a number")
    if entry["weight"] < 0:
        raise RuleError(path, rid, "weight", "must not be negative")
    for key in ("message", "rationale"):
        _expect(path, rid, key, entry[key], str, "a string")
    scope = tuple(_str_list(path, rid, "scope", entry.get("scope", list(BLOCK_KINDS))))
    for s in scope:
        if s not in BLOCK_KINDS:
            raise RuleError(path, rid, "scope", f"unknown block kind {s!r} (expected {', '.join(BLOCK_KINDS)})")
    formats = tuple(_str_list(path, rid, "formats", entry.get("formats", list(FORMATS))))
    for f in formats:
        if f not in FORMATS:
            raise RuleError(path, rid, "formats", f"unknown format {f!r} (expected {', '.join(FORMATS)})")
    examples = entry.get("examples", {})
    _expect(path, rid, "examples", examples, dict, "a table with 'match' and 'no_match'")
    for key, value in examples.items():
        if key not in ("match", "no_match"):
            raise RuleError(path, rid, f"examples.{key}", "unknown key (expected match, no_match)")
        _str_list(path, rid, f"examples.{key}", value)
    params = {k: entry[k] for k in KIND_KEYS[kind] if k in entry}
    _validate_params(path, rid, kind, params)
    suggestion = entry.get("suggestion")
    if suggestion is not None:
        _expect(path, rid, "suggestion", suggestion, str, "a string")
    return Rule(
        id=rid, category=entry["category"], level=entry["level"], weight=float(entry["weight"]),
        message=entry["message"], rationale=entry["rationale"], kind=kind, params=params,
        scope=scope, formats=formats, suggestion=suggestion, examples={k: list(v) for k, v in examples.items()},
        enabled=bool(entry.get("enabled", True)), criterion=entry.get("criterion"), origin=str(path),
    )


def _validate_params(path, rid, kind, p):
    for key in ("phrases", "patterns", "unless", "without", "when", "sentence_has"):
        if key in p:
            p[key] = _str_list(path, rid, key, p[key])
    if "lexicon" in p:
        p["lexicon"] = _str_list(path, rid, "lexicon", p["lexicon"])
    for key in ("ignorecase", "whole_tokens"):
        if key in p:
            _expect(path, rid, key, p[key], bool, "true or false")
    for key in ("max", "window", "min_count", "min_words", "when_min"):
        if key in p:
            _expect(path, rid, key, p[key], int, "an integer")
    if p.get("unit", "block") not in ("block", "sentence"):
        raise RuleError(path, rid, "unit", "must be 'block' or 'sentence'")
    if p.get("report", "repeats") not in ("repeats", "all"):
        raise RuleError(path, rid, "report", "must be 'repeats' or 'all'")
    if "max_per_1000_words" in p:
        _expect(path, rid, "max_per_1000_words", p["max_per_1000_words"], (int, float), "a number")
    if kind in ("existence", "occurrence", "conditional"):
        if not any(k in p for k in ("phrases", "patterns", "lexicon")):
            raise RuleError(path, rid, "phrases", "needs at least one of phrases, patterns or lexicon")
    if kind == "conditional" and "without" not in p:
        raise RuleError(path, rid, "without", "missing required field for a conditional rule")
    if kind == "substitution":
        if "swap" not in p and "lexicon" not in p:
            raise RuleError(path, rid, "swap", "needs a swap table or a lexicon")
        if "swap" in p:
            _expect(path, rid, "swap", p["swap"], dict, "a table of wrong = \"right\"")
            for k, v in p["swap"].items():
                _expect(path, rid, f"swap.{k}", v, str, "a string")
        if "context" in p:
            p["context"] = _str_list(path, rid, "context", p["context"])
    if kind == "presence":
        if "require" not in p:
            raise RuleError(path, rid, "require", "missing required field for a presence rule")
        if p["require"] not in PRESENCE_TARGETS:
            raise RuleError(path, rid, "require", f"must be one of {', '.join(PRESENCE_TARGETS)}")
    if kind == "code":
        if "check" not in p:
            raise RuleError(path, rid, "check", "missing required field for a code rule")
        _expect(path, rid, "check", p["check"], str, "a string")
        if "params" in p:
            _expect(path, rid, "params", p["params"], dict, "a table")


def compile_pattern(path, rid, key, patterns: list[str], ignorecase: bool):
    """Compile user regexes into one alternation with the time-bounded ``regex`` engine."""
    import regex

    flags = regex.IGNORECASE if ignorecase else 0
    for pat in patterns:
        try:
            regex.compile(pat, flags)
        except regex.error as exc:
            raise RuleError(path, rid, key, f"bad regex {pat!r}: {exc}") from None
    return regex.compile("|".join(f"(?:{p})" for p in patterns), flags | regex.V0)


def _phrase_entries(rule: Rule, lexicons, path) -> list[tuple[str, bool]]:
    p = rule.params
    ignorecase = p.get("ignorecase", True)
    items = list(p.get("phrases", []))
    for name in p.get("lexicon", []):
        if name not in lexicons:
            raise RuleError(path, rule.id, "lexicon", f"unknown lexicon {name!r} (no lexicons/{name}.txt)")
        items.extend(lexicons[name])
    out = []
    for item in items:
        case = not ignorecase
        if item.startswith("=") and len(item) > 1:   # '=TODO' in a lexicon: match case exactly
            item, case = item[1:], True
        from audit.document.normalize import normalize

        item = normalize(item)
        if item:
            out.append((item, case))
    return out


def compile_rule(rule: Rule, lexicons: dict[str, list[str]]) -> None:
    path, p = rule.origin, rule.params
    for field_name in _FIELD.findall(rule.message):
        if field_name not in ("match", "count", "expected", "found", "terms", "detail", "suggestion"):
            raise RuleError(path, rule.id, "message", f"unknown placeholder {{{field_name}}}")
    ignorecase = p.get("ignorecase", True)
    if rule.kind in ("existence", "occurrence", "conditional"):
        rule.phrases = _phrase_entries(rule, lexicons, path)
    if p.get("patterns"):
        rule.regex = compile_pattern(path, rule.id, "patterns", p["patterns"], ignorecase)
    if p.get("unless"):
        rule.unless = compile_pattern(path, rule.id, "unless", p["unless"], True)
    if p.get("sentence_has"):
        rule.sentence_has = compile_pattern(path, rule.id, "sentence_has", p["sentence_has"], True)
    if p.get("without"):
        rule.without = compile_pattern(path, rule.id, "without", p["without"], True)
    if p.get("when"):
        rule.when = compile_pattern(path, rule.id, "when", p["when"], True)
    if rule.kind == "substitution":
        swaps: dict[str, tuple[str, tuple[str, ...]]] = {}
        for wrong, right in p.get("swap", {}).items():
            swaps[wrong] = (right, tuple(p.get("context", ())))
        for name in p.get("lexicon", []):
            if name not in lexicons:
                raise RuleError(path, rule.id, "lexicon", f"unknown lexicon {name!r}")
            for line in lexicons[name]:
                if "->" not in line:
                    raise RuleError(path, rule.id, "lexicon", f"lexicon {name!r} line {line!r} is not 'wrong -> right'")
                wrong, rest = line.split("->", 1)
                right, _, ctx = rest.partition("|")
                context = tuple(c.strip() for c in ctx.split(",") if c.strip()) or tuple(p.get("context", ()))
                swaps[wrong.strip()] = (right.strip(), context)
        rule.swaps = swaps
        rule.phrases = [(w, not ignorecase) for w in swaps]
    if rule.kind == "code":
        from audit.checks.registry import get_check

        if get_check(p["check"]) is None:
            raise RuleError(path, rule.id, "check", f"no code check named {p['check']!r} is registered")
