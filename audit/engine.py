"""Rules over a Document -> Findings -> Scorecard.

The Engine is built once per run (rules selected, overrides applied, phrase
automaton compiled) and then audits documents one at a time; it holds no
per-document state, so a process pool or a Dask worker can build one and
reuse it for millions of pages.
"""

from __future__ import annotations

import dataclasses
import string
from importlib import import_module

from audit.checks.base import Context, Hit
from audit.config import Settings
from audit.errors import InputError
from audit.matching import PhraseIndex, PrefilteredContext
from audit.model import Finding, Scorecard
from audit.rulepack import Rule, RuleSet
from audit.score import score

_KIND_MODULES = ("existence", "substitution", "occurrence", "conditional", "repetition", "presence")


class _Fields(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _fmt(template: str, args: dict) -> str:
    try:
        return string.Formatter().vformat(template, (), _Fields(args))
    except (ValueError, IndexError):
        return template


class Engine:
    prefilter = True     # skip blocks a regex cannot match (matching.required_literals)

    def __init__(self, ruleset: RuleSet, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.ruleset = ruleset
        self.lexicons = ruleset.lexicons
        self.rules: list[Rule] = []
        for rule in ruleset.rules:
            over = self.settings.rules.get(rule.id, {})
            if over:
                rule = dataclasses.replace(
                    rule, level=over.get("level", rule.level), weight=float(over.get("weight", rule.weight)),
                    enabled=over.get("enabled", rule.enabled))
            if rule.enabled and self.settings.selected(rule.id, rule.category):
                self.rules.append(rule)
        self.weights = {r.id: r.weight for r in self.rules}
        self.shared: dict = {}     # lexicon-derived data checks build once (Context.derived)
        # one Aho-Corasick pass over the document's joined, lower-cased text finds every phrase
        # and, for each regex rule, which blocks hold a literal its pattern needs
        # (matching.required_literals)
        self.index = PhraseIndex([r for r in self.rules if r.phrases],
                                 [r for r in self.rules if r.regex is not None] if self.prefilter else ())
        self.runners = {k: import_module(f"audit.checks.{k}").run for k in _KIND_MODULES}
        from audit.document.domains import DomainClassifier

        self.classifier = DomainClassifier(self.lexicons)
        from audit.suppress import Suppressor

        self.suppressor = Suppressor(self)   # suppression comments and the baseline (loaded once)

    # -- one document -----------------------------------------------------------------------
    def context(self, doc) -> PrefilteredContext:
        """What every check of this engine sees for ``doc``: its phrase hits and prefilter
        candidates (one automaton pass), the lexicons, the domain classifier, the settings and
        the data derived from them once per engine."""
        phrase_hits, candidates = self.index.scan_document(doc)
        ctx = PrefilteredContext(doc, phrase_hits, candidates)
        ctx.lexicons = self.lexicons
        ctx.classifier = self.classifier
        ctx.settings = self.settings
        ctx.engine = self
        ctx.shared = self.shared
        return ctx

    def findings(self, doc) -> list[Finding]:
        ctx = self.context(doc)
        seen: set = set()
        out: list[Finding] = []
        host = domain = None
        if self.settings.per_domain_ignores:
            from audit.suppress import source_domain

            host, domain = source_domain(doc)
        for rule in self.rules:
            if doc.format not in rule.formats:
                continue
            if self.settings.per_path_ignores and self.settings.ignored_for_path(doc.source, rule.id, rule.category):
                continue
            if domain and self.settings.ignored_for_domain(host, domain, rule.id, rule.category):
                continue
            try:
                hits = list(self._run(rule, ctx))
            except Exception as exc:  # a broken plugin must not stop the other rules or documents
                doc.extra.setdefault("rule_errors", []).append(f"{rule.id}: {type(exc).__name__}: {exc}")
                continue
            for hit in hits:
                f = self._finding(rule, hit, doc)
                key = (f.rule, f.line, f.column, f.end_line, f.end_column)
                if key in seen:
                    continue
                seen.add(key)
                out.append(f)
        out.sort(key=Finding.sort_key)
        return out

    def _run(self, rule: Rule, ctx: Context):
        if rule.kind == "code":
            from audit.checks.registry import get_check

            return get_check(rule.params["check"])(rule, ctx)
        return self.runners[rule.kind](rule, ctx)

    def _finding(self, rule: Rule, hit: Hit, doc) -> Finding:
        args = dict(hit.args)
        suggestion = hit.suggestion
        if suggestion is None and rule.suggestion:
            suggestion = _fmt(rule.suggestion, args)
        if suggestion is not None:
            args.setdefault("suggestion", suggestion)
        f = Finding(rule.id, rule.category, rule.level, _fmt(rule.message, args), suggestion=suggestion)
        if hit.block is not None:
            span = doc.locate(hit.block, hit.start, hit.end, raw=hit.raw)
            f.line, f.column, f.end_line, f.end_column = span.line, span.column, span.end_line, span.end_column
            f.excerpt = span.excerpt
        return f

    def audit_document(self, doc) -> Scorecard:
        from audit import signals as sig

        findings, suppressed = self.suppressor.apply(doc, self.findings(doc))
        signals = sig.collect(doc, self.classifier, self.settings.scoring.signals)
        value, band, categories = score(findings, self.weights, signals, self.settings.scoring)
        card = Scorecard(doc.source, doc.format, value, band, categories, signals, findings)
        card.fetch = doc.extra.get("fetch")
        card.suppressed = suppressed
        card.passed = self.passes(card)
        card.rule_errors = list(doc.extra.get("rule_errors", ()))
        return card

    def passes(self, card: Scorecard) -> bool:
        return self.settings.passes(card.error, card.score, (f.level for f in card.findings))

    def audit_input(self, item) -> Scorecard:
        """Load and audit one input; an unreadable input becomes an error record."""
        from audit.document.load import load

        try:
            doc = load(item, max_bytes=self.settings.max_size, allow_private=self.settings.allow_private)
        except InputError as exc:
            return Scorecard(item.source, error=str(exc))
        except RecursionError:
            return Scorecard(item.source, error=f"{item.source}: document is nested too deeply to parse")
        return self.audit_document(doc)
