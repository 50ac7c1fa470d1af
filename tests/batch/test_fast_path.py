"""The optimised document path gives exactly what the slow reference gives.

``reference_html`` is the HTML/model/normalisation code from before the performance work.
Both parse the same decoded text; the Documents must be identical (every block's kind, raw
and normalised text, anchors, context, list ids; links, embeds, meta, JSON-LD, times,
comments; the tracked normalisation; the line/column of every block boundary), and so must
the findings of the full default audit.  On the shared corpus (a sample of 60 real pages,
skipped when ../shared is absent) and on generated broken HTML.
"""

from __future__ import annotations

import random

import pytest
import reference_html as ref
from _support import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.document.decode import decode
from audit.document.load import parse
from audit.errors import InputError


def _signature(doc) -> dict:
    blocks = []
    for b in doc.blocks:
        spans = []
        n = len(b.text)
        for s, e in sorted({(0, n), (n // 3, 2 * n // 3 + 1)}):
            if 0 <= s < e <= n:
                sp = doc.locate(b, s, e)
                spans.append(((s, e), b.raw_span(s, e), (sp.line, sp.column, sp.end_line, sp.end_column, sp.excerpt)))
        blocks.append((b.index, b.kind, b.raw, b.text, list(b.anchors), b.level, b.list_id, b.ordered,
                       b.context, b.marker, spans))
    return {
        "blocks": blocks, "links": [tuple(getattr(x, f) for f in ("text", "href", "block", "raw_start", "raw_end"))
                                    for x in doc.links],
        "embeds": [(e.tag, e.src, e.line, e.context) for e in doc.embeds], "meta": doc.meta,
        "jsonld": doc.jsonld, "times": doc.times, "comments": doc.comments, "title": doc.html_title,
    }


def _both(text: str, source="page.html"):
    slow = ref.Document(source=source, format="html", content=text)
    ref.parse_html(slow)
    try:
        fast = parse(text, source=source, fmt="html")
    except InputError:                       # no visible text: the reference must find none either
        assert not slow.blocks
        fast = slow
    return fast, slow


def _findings(engine, doc):
    return [f.to_json() for f in engine.audit_document(doc).findings]


def _corpus_sample(k=60):
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the shared benchmark corpus)")
    files = sorted(CORPUS.glob("*.html"))
    return random.Random(5).sample(files, min(k, len(files)))


def test_documents_and_findings_identical_on_the_corpus(engine):
    for path in _corpus_sample():
        text, _ = decode(path.read_bytes(), name=path.name)
        fast, slow = _both(text, str(path))
        assert _signature(fast) == _signature(slow), path.name
        assert _findings(engine, fast) == _findings(engine, slow), path.name


TRICKY = [
    "<p>A &amp; B said stem cells help.</p>",
    "<p>caf&eacute; &#x201C;quoted&#8221; &notanentity; &amp &lt;tag&gt;</p>",
    "<p>line one\r\nline two\rline three</p>",
    "<ul><li>one<li>two<ol><li>a</ol></ul><p>after",
    "<div class='ad slot' data-ad-unit='x'><p>Buy now</p><div role=dialog><p>Sign up</p></div></div>",
    "<article><p>main</p></article><main id=m><p>more</p></main>",
    "<table><tr><td>cell<td>cell 2</table><figure><img alt=' A picture '><figcaption>Cap</figcaption></figure>",
    "<p>a<br>b<br/>c</p><pre>  pre\n  text</pre>",
    "<p>text with \u00a0nbsp\u00ad soft\u2026 and \ufb01 ligature</p>",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>after decl</p></body></html>",
    "<p>nul\x00byte</p>",
    "<html><head><title>T &amp; t</title><meta name=author content='Ann'><link rel='canonical' href='/c'>"
    "<script type='application/ld+json'>{\"a\": 1}</script></head><body><time datetime=2020-01-02>Jan 2</time>"
    "<!-- a comment --><a href='https://x.org'>link <b>bold</b></a> tail</body></html>",
    "<p title='stem cells'>stem cells in an attribute come first</p>",
    "<p>" + "word " * 3000 + "</p>",
]


@pytest.mark.parametrize("html", TRICKY)
def test_tricky_markup_identical(engine, html):
    fast, slow = _both("<html><body>" + html if "<html" not in html and "<?xml" not in html else html)
    assert _signature(fast) == _signature(slow)
    assert _findings(engine, fast) == _findings(engine, slow)


FRAGMENTS = ["<p>", "</p>", "<div class='ad'>", "</div>", "<a href=", ">", "<", "&amp;", "&#x", "&nbsp;",
             "<script>", "</script>", "<!--", "-->", "<li>", "<ul>", "<h1>", "<img alt='", "'>", "\n",
             "stem cells", "Lorem ipsum dolor sit amet", "1. ", "\u2022 ", "\u00a0", "\u00ad", "\ufeff",
             "&eacute;", "&#8220;", "\r\n", "\r", "<br>", "<td>", "<table>", "<main>", " ", "  ",
             "<span class='x'>", "</span>", "<div id=a data-ad-x=1>", "<img alt='pic'>", "<article>",
             "</article>", "<a href='#'>", "</a>", "<iframe src='https://ads.example/x'>", "</iframe>", "<b>",
             "</b>", "<p class='c d'>", "<li class=ad>", "<script src=x.js></script>", "<time datetime=2020>"]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60))
def test_generated_markup_identical(parts):
    text = "<html><body>" + "".join(parts)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return
    fast, slow = _both(text)
    assert _signature(fast) == _signature(slow)


@pytest.mark.parametrize("html", [
    "<p>A &amp; B said stem cells help.</p>",
    "<p>Tom &amp; Jerry &amp;amp; friends &#38; stem cells &AMP; more</p>",
    "<p>AT&T and stem cells &lt;b&gt; caf&eacute; au lait</p>",
])
def test_positions_after_ampersand_references_are_exact(html):
    """Every word of the text is located at its own place in the source."""
    import re as _re

    src = "<html><body>" + html
    doc = parse(src, source="x", fmt="html")
    block = doc.blocks[0]
    for m in _re.finditer(r"[A-Za-z]+", block.text):
        span = doc.locate(block, m.start(), m.end())
        assert src[span.column - 1:span.end_column - 1] == span.excerpt == m.group(), m.group()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(
    list(" \t\n\r\x00\x1b\x7f\x85\xa0\u00ad\u2026\ufb01\u00a8\u200b\u2024\u00bd\u3000\u2028\u201c"))), max_size=40))
def test_normalisation_identical(text):
    from audit.document.normalize import normalize, normalize_tracked

    assert normalize(text) == ref.normalize(text)
    assert normalize_tracked(text) == ref.normalize_tracked(text)
