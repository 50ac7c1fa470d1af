"""Positive credibility signals: what a page does right earns points.

These mirror the JAMA benchmarks (authorship, currency, attribution,
disclosure) and QUEST: a named author (more with credentials), a
publication or update date, references to peer-reviewed, government or
academic sources, and a disclosure statement.
"""

from __future__ import annotations

from audit.document.structure import SCHOLARLY
from audit.model import Signal

AUTHORITATIVE = ("government", "academic", "journal")


def collect(doc, classifier, points: dict[str, float]) -> list[Signal]:
    st = doc.structure
    out: list[Signal] = []
    people = [a for a in st.authors if a.name]
    if people:
        a = people[0]
        out.append(Signal("named-author", points.get("named-author", 0), a.name))
        creds = next((x for x in people if x.credentials), None)
        if creds:
            out.append(Signal("author-credentials", points.get("author-credentials", 0),
                              f"{creds.name} ({', '.join(dict.fromkeys(creds.credentials))})"))
    if st.dates:
        out.append(Signal("dated", points.get("dated", 0), st.dates[0][1]))
    good = []
    for ref in st.references:
        classes = {classifier.classify(u) for u in ref.urls}
        if ref.doi or classes & set(AUTHORITATIVE) or SCHOLARLY.search(ref.text):
            good.append(ref)
    if good:
        out.append(Signal("authoritative-references", points.get("authoritative-references", 0),
                          f"{len(good)} of {len(st.references)} references are peer-reviewed, government or academic"))
    if st.disclosure is not None:
        b, s, e = st.disclosure
        out.append(Signal("disclosure", points.get("disclosure", 0), doc.blocks[b].text[s:e]))
    return [s for s in out if s.points]
