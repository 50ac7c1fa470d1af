"""The compiled HTML walk (audit/document/_fastwalk.pyx) fills a Document exactly as the Python one.

Both walk the same libxml2 tree; every block (kind, raw and normalised text, context, list ids,
anchors, line/column of its ends), link, embed, meta, JSON-LD, time, comment and title must be
equal, on every page of the shared corpus, on the seeds, and on generated broken HTML -- with
the markup lxml handles specially (comments, CDATA, processing instructions, namespaced names,
lines past 65,535) mixed in.  Skipped, saying why, where the extension was not built.
"""

from __future__ import annotations

import pytest
from _support import CORPUS, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fast_path import FRAGMENTS as BROKEN_MARKUP
from test_fast_path import _signature

from audit.document import html
from audit.document.decode import decode_keeping_utf8
from audit.document.model import Document

pytestmark = pytest.mark.skipif(
    html._walk_compiled is None,
    reason="audit.document._fastwalk is not built (no C compiler at install time?); "
           "the pure-Python walk is in use")


def _document(text: str, utf8: bytes | None, walker) -> Document:
    doc = Document(source="page.html", format="html", content=text)
    saved = html._walk_compiled
    html._walk_compiled = walker          # None: parse_html falls back to the Python walk
    try:
        html.parse_html(doc, utf8)
    finally:
        html._walk_compiled = saved
    return doc


def _same(text: str, utf8: bytes | None = None) -> None:
    compiled = _signature(_document(text, utf8, html._walk_compiled))
    python = _signature(_document(text, utf8, None))
    assert compiled == python


def _pages():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the shared benchmark corpus)")
    return sorted(CORPUS.glob("*.html"))


def test_identical_on_every_corpus_page():
    pages = _pages()
    for path in pages:
        text, _enc, utf8 = decode_keeping_utf8(path.read_bytes(), name=path.name)
        try:
            _same(text, utf8)
        except AssertionError:
            pytest.fail(f"the walks differ on {path.name}")
    assert len(pages) > 100


def test_identical_on_the_seeds():
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    assert seeds
    for path in seeds:
        text, _enc, utf8 = decode_keeping_utf8(path.read_bytes(), name=path.name)
        _same(text, utf8)


SPECIAL = [
    "<p>before<!-- a comment -->after</p><!---->",
    "<p>a<![CDATA[ cdata ]]>b</p>",
    "<p>a<?php echo 1; ?>b</p>",
    "<svg:rect xmlns:svg='http://www.w3.org/2000/svg'>in svg</svg:rect><p xml:lang=en lang=de>x</p>",
    "<p class=a class=b id=c id=d>duplicate attributes</p>",
    "<input disabled><p hidden>boolean attributes</p>",
    "<div>" * 600 + "deep" + "</div>" * 600,
    "\n" * 70_000 + "<p>after 70,000 lines <img alt='picture'><!-- late --></p>",
    "<P CLASS=X>Upper case</P><UL><LI>item</UL>",
    "<head><title>t</title></head><body><head><meta name=x content=y></head><p>two heads</p>",
    "<p>text</p></body></html><p>after the end</p><!-- trailing -->tail",
    "<time datetime=2020-01-01>Jan <b>1</b></time><script type=application/ld+json>{}</script>",
    "<iframe src=x data=y></iframe><object data='o.swf'></object><embed src=e>",
]


@pytest.mark.parametrize("markup", SPECIAL)
def test_identical_on_special_markup(markup):
    _same("<html><body>" + markup)


# the broken-markup pieces of test_fast_path, plus what lxml treats specially
FRAGMENTS = BROKEN_MARKUP + ["<![CDATA[", "]]>", "<?pi x?>", "<ol>", "</ul>", "<meta name=author content=A>",
                             "<head>", "<title>", "</title>", "</time>", "<svg>", "</svg>", "<x:y>", "</x:y>",
                             "<body>", "</html>", "<div class='ad x' role=dialog>"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10)), max_size=80))
def test_identical_on_generated_markup(parts):
    text = "<html><body>" + "".join(parts)
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:           # lone surrogates: parsed from the str, same for both
        utf8 = None
    _same(text, utf8)
