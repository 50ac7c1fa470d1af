"""Loading and parsing: decoding, sniffing, blocks, structure, and exact source positions."""

from __future__ import annotations

import codecs

import pytest

from audit.document.decode import decode
from audit.document.load import Input, load, parse, sniff_format
from audit.document.normalize import normalize, normalize_tracked
from audit.errors import InputError


def test_normalize_maps_scraped_characters():
    assert normalize("stem\u00a0cells \u201csafe\u201d \u2014 it\u2019s co\u00adoperative") == \
        "stem cells \"safe\" - it's cooperative"
    assert normalize("  a \n\t b  ") == "a b"
    assert normalize("\uff21\uff22") == "AB"      # NFKC full-width letters


@pytest.mark.parametrize("raw", ["a\u00a0\u00a0b \u201cq\u201d\u2026", "  x\n\ny ", "plain ascii", "\u00adx\u00ad"])
def test_tracked_normalisation_agrees_with_fast_path(raw):
    text, index = normalize_tracked(raw)
    assert text == normalize(raw)
    assert len(index) == len(text) + 1


def test_decode_bom_meta_and_detection():
    assert decode(codecs.BOM_UTF8 + "caf\u00e9".encode(), name="x")[0] == "caf\u00e9"
    assert decode(codecs.BOM_UTF16_LE + "caf\u00e9".encode("utf-16-le"), name="x")[0] == "caf\u00e9"
    html = '<html><head><meta charset="windows-1252"></head><body>\u201cquoted\u201d</body></html>'
    text, enc = decode(html.encode("cp1252"), name="x")
    assert "\u201cquoted\u201d" in text and enc == "windows-1252"
    latin = ("Die Behandlung von R\u00fcckenschmerzen ist schwierig und \u00e4u\u00dferst teuer. " * 20).encode("latin-1")
    assert "R\u00fcckenschmerzen" in decode(latin, name="x")[0]
    with pytest.raises(InputError, match="x: binary"):
        decode(b"\x00\x01\x02" * 100, name="x")


def test_sniffing_overrides_a_lying_extension(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text("<!DOCTYPE html><html><body><p>Hello there.</p></body></html>", encoding="utf-8")
    assert load(Input(str(p), path=p)).format == "html"
    q = tmp_path / "noext"
    q.write_text("# Title\n\nSome *markdown* with a [link](https://example.org).\n", encoding="utf-8")
    assert load(Input(str(q), path=q)).format == "markdown"
    assert sniff_format("just words", "html") == "text"


def test_text_blocks_lists_and_headings():
    doc = parse("Title Line\n\nThey are two types, which are:\n\n  \u2022 First kind of cell.\n\n"
                "  \u2022 Second kind of cell.\n\nA closing paragraph.\n", source="t", fmt="text")
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["title", "paragraph", "list-item", "list-item", "paragraph"]
    [lst] = doc.structure.lists
    assert len(lst.items) == 2 and doc.blocks[lst.lead_in].text.endswith("which are:")


def test_markdown_headings_and_numbered_list():
    doc = parse("# Main\n\nIntro:\n\n1. one\n2. two\n3. three\n\n## Next\n", source="m", fmt="markdown")
    assert [b.kind for b in doc.blocks] == ["title", "paragraph", "list-item", "list-item", "list-item", "heading"]
    assert doc.structure.lists[0].ordered


HTML = """<!DOCTYPE html>
<html><head><title>Back pain &amp; stem cells</title>
<meta name="author" content="Ana Ruiz, PhD">
<script type="application/ld+json">{"@type": "Article", "datePublished": "2021-03-03"}</script>
<style>p { color: red }</style></head>
<body>
<p>Caf&eacute; owners said <b>stem&nbsp;cells</b> help.</p>
<script>var hidden = "sperm cells";</script>
<ul><li>One</li><li>Two <a href="https://www.nih.gov/x">NIH</a></li></ul>
<img src="x.jpg" alt="Doctor giving an injection">
<noscript>enable javascript</noscript>
</body></html>"""


def test_html_blocks_skip_invisible_text():
    doc = parse(HTML, source="h.html", fmt="html")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "Back pain & stem cells"
    assert "Caf\u00e9 owners said stem cells help." in texts
    assert not any("hidden" in t or "javascript" in t or "color" in t for t in texts)
    assert ("alt", "Doctor giving an injection") in [(b.kind, b.text) for b in doc.blocks]
    assert doc.links[0].href == "https://www.nih.gov/x" and doc.links[0].text == "NIH"
    st = doc.structure
    assert st.authors[0].name == "Ana Ruiz, PhD" and "PhD" in st.authors[0].credentials
    assert any(v == "2021-03-03" for _, v, _ in st.dates)


def test_html_positions_are_exact_despite_entities():
    doc = parse(HTML, source="h.html", fmt="html")
    lines = HTML.split("\n")
    block = next(b for b in doc.blocks if b.text.startswith("Caf"))
    start = block.text.index("stem cells")
    span = doc.locate(block, start, start + len("stem cells"))
    assert span.excerpt == "stem\u00a0cells"          # the original characters, not the normalised ones
    line = lines[span.line - 1]
    assert line[span.column - 1:].startswith("stem&nbsp;cells")
    # the character after the entity-bearing word is located exactly too
    owners = doc.locate(block, block.text.index("owners"), block.text.index("owners") + 6)
    assert lines[owners.line - 1][owners.column - 1:owners.end_column - 1] == "owners"


def test_columns_count_code_points(tmp_path):
    doc = parse("\u00e9\u00e9\u00e9 \U0001F600 sperm cells here.\n", source="t", fmt="text")
    b = doc.blocks[0]
    i = b.text.index("sperm")
    span = doc.locate(b, i, i + 11)
    assert (span.line, span.column, span.end_column) == (1, 7, 18)


def test_references_section_and_citation_like_entries():
    doc = parse("Title\n\nBody text here.\n\nReferences\n\n1. Smith J. (2020). Exercise for back pain. "
                "Spine Journal. https://doi.org/10.1000/xyz123\n", source="t", fmt="text")
    [ref] = doc.structure.references
    assert ref.doi == "10.1000/xyz123" and ref.year == 2020 and ref.title == "Exercise for back pain."
    doc = parse('Title\n\nBody.\n\n "Some Page Title." https://clinic.example.com/blog/a. Accessed 24 Oct. 2022.\n',
                source="t", fmt="text")
    [ref] = doc.structure.references
    assert ref.title == "Some Page Title" and ref.accessed


def test_byline_and_text_dates():
    doc = parse("Headline\n\nBy Jane Roe, RN | Updated March 3, 2021\n\nBody text.\n", source="t", fmt="text")
    st = doc.structure
    assert st.authors and st.authors[0].name.startswith("Jane Roe")
    assert st.dates and "March 3, 2021" in st.dates[0][1]
    doc = parse("Headline\n\nSee ref. Accessed 24 Oct. 2022.\n", source="t", fmt="text")
    assert not doc.structure.dates


def test_broken_html_never_crashes():
    for junk in ["<", "<html><body><p>unclosed <b>bold <i>x", "</p></div>text", "<p>" * 500 + "deep"]:
        doc = parse(junk, source="j", fmt="html") if "text" in junk or "deep" in junk or "bold" in junk else None
        if doc:
            assert doc.blocks


def test_domain_class_reads_the_same_host_as_the_registered_domain():
    """A query or user part that looks like a host must not lend its class to the URL."""
    from audit.document.domains import DomainClassifier, host_of, registered_domain
    from audit.rulepack import load_rules

    classify = DomainClassifier(load_rules().lexicons).classify
    assert host_of("http://user@Example.COM.:8080/a?b#c") == "example.com"
    assert registered_domain("https://evil.example.com?.nhs.uk") == "example.com"
    assert classify("https://evil.example.com?.nhs.uk") == "commercial"
    assert classify("https://evil.example.com#.gov") == "commercial"
    assert classify("https://www.nhs.uk/conditions/") == "government"
    assert classify("https://www.cdc.gov/x") == "government"
