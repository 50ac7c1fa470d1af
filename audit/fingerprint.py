"""Finding fingerprints that survive edits elsewhere in the document.

A fingerprint identifies "the same finding" across runs so that a baseline
(``--baseline``) and SARIF ``partialFingerprints`` (code-scanning alert
tracking) keep matching after lines are inserted above a finding.  It is a
hash of three things and deliberately *not* of the line or column:

* the rule id,
* the excerpt, normalised (NFKC, case-folded, whitespace collapsed), so
  re-wrapping a paragraph or changing curly to straight quotes keeps it,
* the occurrence index: the n-th finding of that rule with that excerpt in
  the document (in source order), so two identical "click here" links get
  two fingerprints, and removing the first shifts only the ones after it.

Document-level findings (no excerpt) hash the rule id and index only.  The
index is counted over all findings of the document, suppressed or not, so
adding an ``audit-ignore`` for one occurrence never changes another's
fingerprint.  The source path is not part of the hash: SARIF pairs the
fingerprint with the artifact location, and the baseline stores it per source.
"""

from __future__ import annotations

import hashlib
import unicodedata

from audit.model import Finding

VERSION = "v1"
KEY = f"auditFingerprint/{VERSION}"    # the partialFingerprints key in SARIF


def normalise_excerpt(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(rule: str, excerpt: str | None, index: int) -> str:
    data = f"{VERSION}\x00{rule}\x00{normalise_excerpt(excerpt)}\x00{index}".encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:32]


def fingerprints(findings) -> dict[int, str]:
    """``id(finding) -> fingerprint`` for findings of ONE document (any order given)."""
    counts: dict[tuple[str, str], int] = {}
    out: dict[int, str] = {}
    for f in sorted(findings, key=Finding.sort_key):
        key = (f.rule, normalise_excerpt(f.excerpt))
        index = counts.get(key, 0)
        counts[key] = index + 1
        out[id(f)] = fingerprint(f.rule, f.excerpt, index)
    return out


def card_fingerprints(card) -> dict[int, str]:
    """Fingerprints of a Scorecard's findings and suppressed findings, keyed by ``id()``."""
    return fingerprints(list(card.findings) + list(getattr(card, "suppressed", ()) or ()))
