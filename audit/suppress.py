"""Suppressions: comments in documents you own, per-domain ignores, and the baseline.

Why a strict grammar: loose suppression syntax silently hides too much (semgrep
#6596), and stale suppressions rot (ruff RUF100).  So every directive must
name the rule ids (or id prefixes, or categories) it silences, and a directive
that is malformed or silences nothing is itself reported.

Directives (HTML and Markdown use comments; plain text uses ``#`` lines)::

    <!-- audit-disable Ad.Label, hype-claim -->   from here ...
    <!-- audit-enable -->                          ... to here (or the end of the file)
    <!-- audit-ignore Placeholder.DeadLinkText --> the next block (paragraph, item, heading)
    <!-- audit-file-ignore missing-date -->        the whole file, document-level findings too
    # audit-ignore Ad.Label -- the sponsor box is labelled by the template

Anything after `` -- `` is the justification (shown in SARIF).  ``audit-enable``
without ids closes every open ``audit-disable``; with ids it closes those.

Suppressed findings move to ``Scorecard.suppressed`` (as :class:`Suppressed`):
they cost no points and never fail the policy, but SARIF still shows them.

The **baseline** (``--baseline FILE``) holds fingerprints (audit/fingerprint.py)
of findings a team has accepted; matching findings are suppressed with kind
``external``, so only new findings fail a run.  ``--write-baseline FILE`` writes
one: JSON, versioned, sorted, written atomically, paths relative to the file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import ConfigError
from audit.fingerprint import fingerprints
from audit.model import CATEGORIES, Finding, Suppressed

MALFORMED = "Audit.MalformedSuppression"
UNUSED = "Audit.UnusedSuppression"
DIRECTIVES = ("audit-disable", "audit-enable", "audit-ignore", "audit-file-ignore")
BASELINE_VERSION = 1

# The meta rules.  They cost no points (weight 0): a stray comment says nothing
# about a source's credibility.  Their category is the category of the rule the
# directive names (the check it tampers with); a directive that names nothing
# usable is editorial residue left in the source, so it falls under
# placeholder-text, the one category about leftovers.
META_RULES = {
    MALFORMED: {
        "level": "warning", "weight": 0.0, "category": "placeholder-text",
        "message": "Malformed suppression comment.",
        "rationale": "A suppression that names no rule, an unknown rule or an unknown directive silences "
                     "nothing, or the wrong thing; ids are required so a comment never hides more than meant.",
        "suggestion": "Write e.g. <!-- audit-ignore Ad.Label --> with the rule ids or categories to silence.",
    },
    UNUSED: {
        "level": "warning", "weight": 0.0, "category": "placeholder-text",
        "message": "Unused suppression comment.",
        "rationale": "A suppression that silences no finding is stale: it would hide a future, real "
                     "finding of that rule without anyone deciding so.",
        "suggestion": "Remove the comment, or the ids in it that no longer match a finding.",
    },
}

_NAME = r"(audit-[A-Za-z]+(?:-[A-Za-z]+)*)"
_COMMENT = re.compile(r"<!--\s*" + _NAME + r"(.*?)-->", re.S)
_TEXT_LINE = re.compile(r"^([ \t]*)#[ \t]*" + _NAME + r"(.*)$", re.M)
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


@dataclass
class Directive:
    name: str
    codes: list[str]
    reason: str | None
    start: int                 # source offsets of the whole comment
    end: int
    line: int = 0
    used: dict[str, bool] = field(default_factory=dict)
    scope: tuple[float, float] | None = None    # (first line, last line); None = document too
    whole_file: bool = False


def _parse_body(body: str) -> tuple[list[str], str | None]:
    reason = None
    if " --" in f" {body}":
        body, _, reason = f" {body}".partition(" --")
        reason = reason.strip() or None
    codes = [c for c in re.split(r"[\s,]+", body.strip()) if c]
    return codes, reason


def directives(doc) -> list[Directive]:
    """Every ``audit-*`` directive in the document's comments, in source order."""
    content = doc.content
    out: list[Directive] = []
    if not doc.comments:
        return out
    if doc.format == "text":
        offsets = {off for _t, off in doc.comments}
        for m in _TEXT_LINE.finditer(content):
            if m.start() in offsets:
                codes, reason = _parse_body(m.group(3).rstrip("\r"))
                out.append(Directive(m.group(2), codes, reason, m.start() + len(m.group(1)),
                                     m.start() + len(m.group(0).rstrip("\r"))))
        return out
    # HTML and Markdown: the parser says which text is really a comment (not inside a
    # <script>, an attribute or a code block); the regex gives exact positions.
    texts = {t.strip() for t, _ in doc.comments}
    line_offsets = {off for _t, off in doc.comments}
    for m in _COMMENT.finditer(content):
        inner = (m.group(1) + m.group(2)).strip()
        line_start = content.rfind("\n", 0, m.start()) + 1
        if inner not in texts and line_start not in line_offsets and m.group(0).strip() not in texts:
            continue
        codes, reason = _parse_body(m.group(2))
        out.append(Directive(m.group(1), codes, reason, m.start(), m.end()))
    return out


def source_domain(doc) -> tuple[str | None, str | None]:
    """``(host, registered domain)`` of a source: its URL, else its canonical or og:url address."""
    from audit.document.domains import host_of, registered_domain

    candidates = [doc.source] if "://" in doc.source else []
    candidates += doc.meta.get("link:canonical", []) + doc.meta.get("og:url", [])
    for url in candidates:
        if "://" not in url:
            continue
        domain = registered_domain(url)
        if domain:
            return host_of(url), domain
    return None, None


def _matches(code: str, rule_id: str, category: str) -> bool:
    return code == category or rule_id == code or rule_id.startswith(code + ".")


class Suppressor:
    """Applies directives and the baseline for one Engine (built once, reused per document)."""

    def __init__(self, engine):
        self.engine = engine
        self.settings = engine.settings
        self.known = [(r.id, r.category) for r in engine.ruleset.rules]
        self.active = [(r.id, r.category) for r in engine.rules]
        self.baseline = Baseline.load(self.settings.baseline) if self.settings.baseline else None

    def _known(self, code: str) -> bool:
        return code in CATEGORIES or any(_matches(code, rid, cat) for rid, cat in self.known)

    def _active(self, code: str) -> bool:
        return any(_matches(code, rid, cat) for rid, cat in self.active)

    # -- meta findings -------------------------------------------------------------------
    def _meta(self, rule: str, doc, d: Directive, message: str, category: str | None) -> Finding | None:
        spec = META_RULES[rule]
        category = category or spec["category"]
        if not self.settings.selected(rule, category):
            return None
        level = self.settings.rules.get(rule, {}).get("level", spec["level"])
        if self.settings.rules.get(rule, {}).get("enabled") is False:
            return None
        line, col = doc.line_col(d.start)
        end_line, end_col = doc.line_col(d.end)
        return Finding(rule, category, level, message, line, col, end_line, end_col,
                       doc.content[d.start:d.end], spec["suggestion"])

    def _category_of(self, codes) -> str | None:
        for code in codes:
            if code in CATEGORIES:
                return code
            for rid, cat in self.known:
                if _matches(code, rid, cat):
                    return cat
        return None

    # -- one document --------------------------------------------------------------------
    def apply(self, doc, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
        """Split ``findings`` into (kept + meta findings, suppressed)."""
        found = directives(doc)
        if not found and self.baseline is None:
            return findings, []
        meta: list[Finding] = []
        valid = self._scope(doc, found, meta)
        kept: list[Finding] = []
        suppressed: list[Finding] = []
        for f in findings:
            hit = None
            for d in valid:
                if d.whole_file or (f.line is not None and d.scope is not None
                                    and f.line <= d.scope[1] and (f.end_line or f.line) >= d.scope[0]):
                    for code in d.codes:
                        if _matches(code, f.rule, f.category):
                            d.used[code] = True
                            hit = d
                            break
                if hit:
                    break
            if hit is not None:
                suppressed.append(Suppressed.of(f, "inSource", hit.reason or f"{hit.name} {', '.join(hit.codes)}"))
            else:
                kept.append(f)
        reported: set[tuple[int, str]] = set()    # a partly re-enabled disable is two Directives
        for d in valid:
            unused = [c for c in d.codes if not d.used.get(c) and self._active(c) and (d.start, c) not in reported]
            reported.update((d.start, c) for c in unused)
            if unused:
                names = ", ".join(repr(c) for c in unused)
                m = self._meta(UNUSED, doc, d, f"Unused suppression: {d.name} {names} silences no finding here.",
                               self._category_of(unused))
                if m:
                    meta.append(m)
        if self.baseline is not None:
            kept, suppressed = self.baseline.split(doc.source, kept, suppressed)
        kept.extend(meta)
        kept.sort(key=Finding.sort_key)
        suppressed.sort(key=Finding.sort_key)
        return kept, suppressed

    def _scope(self, doc, found: list[Directive], meta: list[Finding]) -> list[Directive]:
        """Validate directives (malformed ones become findings) and give each its line range."""
        valid: list[Directive] = []
        open_disables: list[Directive] = []
        block_starts = None
        for d in found:
            d.line = doc.line_col(d.start)[0]
            problem = None
            if d.name not in DIRECTIVES:
                problem = (f"Unknown suppression directive '{d.name}' "
                           f"(known: {', '.join(DIRECTIVES)}).")
            elif not d.codes and d.name != "audit-enable":
                problem = f"Suppression '{d.name}' names no rule: give the rule ids or categories it silences."
            else:
                bad = [c for c in d.codes if c.upper() == "ALL" or not _CODE.match(c) or not self._known(c)]
                if bad:
                    problem = (f"Suppression '{d.name}' names unknown rule or category "
                               f"{', '.join(repr(c) for c in bad)}; ids are required, ALL is not allowed.")
                    d.codes = [c for c in d.codes if c not in bad]
            if problem:
                m = self._meta(MALFORMED, doc, d, problem, self._category_of(d.codes))
                if m:
                    meta.append(m)
                if d.name not in DIRECTIVES or not d.codes:
                    continue
            if d.name == "audit-enable":
                closing = [o for o in open_disables if not d.codes or set(o.codes) & set(d.codes)]
                if not closing:
                    m = self._meta(MALFORMED, doc, d, "'audit-enable' with no open 'audit-disable' before it.",
                                   self._category_of(d.codes))
                    if m:
                        meta.append(m)
                for o in closing:
                    if d.codes and set(o.codes) - set(d.codes):
                        # close only the named codes: the rest stays disabled in a new directive
                        rest = Directive(o.name, [c for c in o.codes if c not in d.codes], o.reason,
                                         o.start, o.end, o.line, o.used)
                        rest.scope = (d.line, float("inf"))
                        open_disables.append(rest)
                        valid.append(rest)
                    o.scope = (o.scope[0], d.line - 1)
                    open_disables.remove(o)
                continue
            if d.name == "audit-file-ignore":
                d.whole_file = True
            elif d.name == "audit-disable":
                d.scope = (d.line, float("inf"))
                open_disables.append(d)
            else:  # audit-ignore: the next block after the comment
                if block_starts is None:
                    block_starts = sorted((b.source_offset(0), b) for b in doc.blocks)
                nxt = next((b for off, b in block_starts if off >= d.end), None)
                if nxt is None:
                    m = self._meta(MALFORMED, doc, d, "'audit-ignore' with no block after it to ignore.",
                                   self._category_of(d.codes))
                    if m:
                        meta.append(m)
                    continue
                first = doc.line_col(nxt.source_offset(0))[0]
                last = doc.line_col(nxt.source_offset(max(0, len(nxt.raw) - 1)))[0]
                d.scope = (first, max(first, last))
            valid.append(d)
        return valid


# -- the baseline ------------------------------------------------------------------------------
def _source_key(source: str, base: Path) -> str:
    if source == "-" or "://" in source:
        return source
    path = Path(os.path.abspath(source))
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:      # another drive on Windows
        return path.as_posix()


class Baseline:
    """Accepted findings: ``source -> {fingerprint}``; sources are relative to the file."""

    def __init__(self, path: Path, entries: dict[str, set[str]]):
        self.path = path
        self.base = path.resolve().parent
        self.entries = entries

    @classmethod
    def load(cls, path) -> "Baseline":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: baseline file not found (create one with --write-baseline)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read baseline ({exc})") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: baseline is not valid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("audit-baseline") != BASELINE_VERSION \
                or not isinstance(data.get("findings"), list):
            raise ConfigError(f"{path}: not an audit baseline (version {BASELINE_VERSION}); "
                              "write one with --write-baseline")
        entries: dict[str, set[str]] = {}
        for item in data["findings"]:
            if not isinstance(item, dict) or not isinstance(item.get("source"), str) \
                    or not isinstance(item.get("fingerprint"), str):
                raise ConfigError(f"{path}: baseline entry {item!r} needs 'source' and 'fingerprint'")
            entries.setdefault(item["source"], set()).add(item["fingerprint"])
        return cls(path, entries)

    def split(self, source: str, kept: list[Finding], suppressed: list[Finding]):
        accepted = self.entries.get(_source_key(source, self.base))
        if not accepted:
            return kept, suppressed
        fps = fingerprints(kept + suppressed)
        still: list[Finding] = []
        for f in kept:
            if fps[id(f)] in accepted:
                suppressed.append(Suppressed.of(f, "external", f"baseline {self.path.name}"))
            else:
                still.append(f)
        return still, suppressed


def baseline_payload(cards, path) -> dict:
    """The baseline for ``cards``: every active finding, plus those an old baseline accepted."""
    from audit.fingerprint import card_fingerprints

    base = Path(os.path.abspath(path)).parent
    rows = set()
    for card in cards:
        if card.error:
            continue
        fps = card_fingerprints(card)
        key = _source_key(card.source, base)
        for f in list(card.findings) + [s for s in card.suppressed if getattr(s, "kind", "") == "external"]:
            excerpt = " ".join((f.excerpt or "").split())
            if len(excerpt) > 80:
                excerpt = excerpt[:79] + "\u2026"
            rows.add((key, f.rule, fps[id(f)], excerpt))
    return {
        "audit-baseline": BASELINE_VERSION,
        "about": "Findings accepted on purpose; audit check --baseline fails only on findings not listed. "
                 "Matching uses the fingerprint (rule + normalised excerpt + occurrence), not line numbers.",
        "findings": [{"source": s, "rule": r, "fingerprint": fp, "excerpt": ex or None}
                     for s, r, fp, ex in sorted(rows)],
    }


def write_baseline(cards, path) -> int:
    from audit.report.output import write_atomic

    payload = baseline_payload(cards, path)
    write_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    return len(payload["findings"])
