"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning, GitLab, Azure DevOps and IDE viewers.

What the consumers need, and the mistakes other linters made (semgrep
#9633, #5729) that this module avoids:

* one ``tool.driver`` with **unique** rule descriptors (only rules that have a
  result in this run, sorted by id) carrying the rationale as
  ``fullDescription``, a help text, the default level and the category;
* results that point at their descriptor by ``ruleId`` and ``ruleIndex``;
* **relative** artifact URIs against ``%SRCROOT%`` (declared in
  ``originalUriBaseIds``), so the same run uploads the same paths on any
  runner; URLs stay absolute; stdin is ``stdin``;
* regions in code points (``columnKind`` is ``unicodeCodePoints``), end column
  exclusive, and the excerpt as the snippet; a document-level finding has a
  location with only its artifactLocation;
* ``partialFingerprints`` that survive line shifts (audit/fingerprint.py), so
  an alert keeps its identity when text is inserted above it;
* suppressed findings kept, with ``suppressions`` (``inSource`` for a comment,
  ``external`` for the baseline), so reviewers see what was silenced;
* scores per source as properties of the run's ``artifacts``; unreadable
  inputs as tool execution notifications, not as results.
"""

from __future__ import annotations

import json
import re

from audit.fingerprint import KEY, card_fingerprints
from audit.model import Finding
from audit.report.common import SARIF_LEVEL, artifact_location, root_uri, summary

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# Where users read about the rules.  The project has no public home page recorded in its
# metadata yet; an installed package that declares one (Project-URL Homepage) wins.
DEFAULT_INFORMATION_URI = "https://example.invalid/audit"
_MIME = {"html": "text/html", "markdown": "text/markdown", "text": "text/plain"}
_FIELD = re.compile(r"\{\w+\}")


def information_uri() -> str:
    try:
        from importlib.metadata import metadata

        for entry in metadata("audit").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("homepage", "documentation", "source") and url.strip():
                return url.strip()
        home = metadata("audit").get("Home-page")
        if home and home != "UNKNOWN":
            return home
    except Exception:    # not installed, or metadata without the fields
        pass
    return DEFAULT_INFORMATION_URI


def _plain(template: str | None) -> str:
    return _FIELD.sub("\u2026", template or "").strip()


def _descriptor(rule_id: str, ctx, sample: Finding) -> dict:
    from audit.suppress import META_RULES

    rule = ctx.rules.get(rule_id)
    if rule is not None:
        level, category, weight = rule.level, rule.category, rule.weight
        short = rule.summary() if hasattr(rule, "summary") else _plain(rule.message)
        rationale, suggestion = rule.rationale, _plain(getattr(rule, "suggestion", None))
        criterion = getattr(rule, "criterion", None)
    elif rule_id in META_RULES:
        spec = META_RULES[rule_id]
        level, category, weight = spec["level"], spec["category"], spec["weight"]
        short, rationale, suggestion, criterion = spec["message"], spec["rationale"], spec["suggestion"], None
    else:   # a rule this run does not know (a saved run re-rendered): describe it from its finding
        level, category, weight = sample.level, sample.category, None
        short, rationale, suggestion, criterion = rule_id, sample.message, sample.suggestion or "", None
    short = _plain(short).rstrip(".") or rule_id
    help_text = rationale + (f"\n\nFix: {suggestion}" if suggestion else "") + \
        (f"\n\nCriterion: {criterion}" if criterion else "")
    help_md = f"**Why it matters.** {rationale}" + (f"\n\n**Fix.** {suggestion}" if suggestion else "") + \
        (f"\n\n**Criterion.** {criterion}" if criterion else "")
    props: dict = {"category": category, "tags": ["credibility", category]}
    if weight is not None:
        props["weight"] = float(weight)
    return {
        "id": rule_id,
        "name": rule_id.split(".", 1)[-1].replace(".", ""),
        "shortDescription": {"text": short + "."},
        "fullDescription": {"text": rationale},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(level, "warning")},
        "properties": props,
    }


def _result(f: Finding, rule_index: int, location: dict, fp: str) -> dict:
    physical: dict = {"artifactLocation": location}
    if f.line is not None:
        region = {"startLine": f.line, "startColumn": f.column,
                  "endLine": f.end_line or f.line, "endColumn": f.end_column or f.column}
        if f.excerpt:
            region["snippet"] = {"text": f.excerpt}
        physical["region"] = region
    props: dict = {"category": f.category, "points": f.points}
    if f.suggestion:
        props["suggestion"] = f.suggestion
    result = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL.get(f.level, "warning"),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {KEY: fp},
        "properties": props,
    }
    kind = getattr(f, "kind", None)
    if kind:
        sup = {"kind": kind, "status": "accepted"}
        if getattr(f, "justification", None):
            sup["justification"] = f.justification
        result["suppressions"] = [sup]
    return result


def build(cards, ctx) -> dict:
    rule_ids: dict[str, Finding] = {}
    for card in cards:
        for f in list(card.findings) + list(card.suppressed or ()):
            rule_ids.setdefault(f.rule, f)
    order = sorted(rule_ids)
    index = {rid: i for i, rid in enumerate(order)}
    artifacts, results, notes = [], [], []
    for card in cards:
        location = artifact_location(card.source, ctx.root)
        if card.error:
            notes.append({"level": "error", "message": {"text": card.error},
                          "locations": [{"physicalLocation": {"artifactLocation": location}}],
                          "descriptor": {"id": "Audit.InputError"}})
            continue
        art_index = len(artifacts)
        artifacts.append({
            "location": dict(location),
            "mimeType": _MIME.get(card.format or "", "text/plain"),
            "properties": {
                "score": card.score, "band": card.band, "passed": bool(card.passed),
                "categories": {k: v.score for k, v in card.categories.items()},
            },
        })
        location = dict(location, index=art_index)
        fps = card_fingerprints(card)
        for f in sorted(list(card.findings) + list(card.suppressed or ()), key=Finding.sort_key):
            results.append(_result(f, index[f.rule], location, fps[id(f)]))
    s = summary(cards)
    uri = ctx.information_uri or information_uri()
    run = {
        "tool": {"driver": {
            "name": "audit",
            "version": ctx.version,
            "semanticVersion": ctx.version,
            "informationUri": uri,
            "rules": [_descriptor(rid, ctx, rule_ids[rid]) for rid in order],
        }},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri(ctx.root),
                                             "description": {"text": "The directory audit ran in."}}},
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "sources": s["sources"], "failed": s["failed"], "unreadable": s["errors"],
            "meanScore": round(s["mean"], 2) if s["mean"] is not None else None,
        },
    }
    if not notes:
        del run["invocations"][0]["toolExecutionNotifications"]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(cards, ctx) -> str:
    return json.dumps(build(cards, ctx), indent=2, ensure_ascii=False) + "\n"
