"""The document path as it was before the performance work (issue 5), kept as a slow reference.

``tests/batch/test_fast_path.py`` parses pages with this module and with the package
(``audit.document.html``/``model``/``normalize``) and requires identical Documents (blocks,
raw and normalised text, anchors, contexts, links, embeds, metadata, positions) and identical
findings.  It is a verbatim copy of audit/document/normalize.py and model.py at 1b33627 and of
audit/document/html.py at 1eab39d (imports merged), so it depends on nothing that the
performance work touched.

When the parser's *behaviour* changes on purpose, make the same change here.  One such change
so far: the aligner tries a character reference before plain equality at "&", so "&amp;" (whose
text is "&", equal to the source's first character) no longer stops the alignment and shifts
every later position in its text node by four columns.
"""

# ruff: noqa
# ---- audit/document/normalize.py at 1b33627 ----
from __future__ import annotations

import re
import unicodedata

_SPECIAL = {
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
}


class _CharMap(dict):
    """Lazily filled translate table: each character maps to its normalised form."""

    def __missing__(self, code):
        ch = chr(code)
        if ch in _SPECIAL:
            out = _SPECIAL[ch]
        elif ch.isspace() or unicodedata.category(ch) == "Zs":
            out = " "
        elif unicodedata.category(ch) == "Cc":
            out = " "
        else:
            out = unicodedata.normalize("NFKC", ch)
            # NFKC can introduce characters that have their own mapping (e.g. U+2024).
            out = "".join(_SPECIAL.get(c, c) for c in out)
        self[code] = out
        return out


_TABLE = _CharMap()
_SPACES = re.compile(r" {2,}")


def _map_chars(text: str) -> str:
    if text.isascii():
        return text.translate(_ASCII_WS)
    return text.translate(_TABLE)


_ASCII_WS = {ord(c): " " for c in "\t\n\r\x0b\x0c"}
_ASCII_WS.update({c: " " for c in range(0, 32) if chr(c) not in "\t\n\r\x0b\x0c"})
_ASCII_WS[127] = " "


def normalize(text: str) -> str:
    """Return the matching form of ``text``: mapped characters, single spaces, stripped."""
    return _SPACES.sub(" ", _map_chars(text)).strip(" ")


def normalize_tracked(text: str) -> tuple[str, list[int]]:
    """Like :func:`normalize`, plus ``index[i]`` = original index of normalised char ``i``.

    ``index`` has one extra trailing entry: the original index just past the
    last kept character, so a half-open span ``[s, e)`` maps to
    ``[index[s], index[e - 1] + 1)``.
    """
    out: list[str] = []
    index: list[int] = []
    prev_space = True  # leading spaces are stripped
    for i, ch in enumerate(text):
        if ch.isascii():
            mapped = " " if (ord(ch) < 32 or ord(ch) == 127) else ch
        else:
            mapped = _TABLE[ord(ch)]
        for c in mapped:
            if c == " ":
                if prev_space:
                    continue
                prev_space = True
            else:
                prev_space = False
            out.append(c)
            index.append(i)
    while out and out[-1] == " ":
        out.pop()
        index.pop()
    index.append(index[-1] + 1 if index else 0)
    return "".join(out), index


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length (needed for offset-safe matching)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)

# ---- audit/document/model.py at 1b33627 ----
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any



@dataclass(frozen=True, slots=True)
class Span:
    """A located excerpt: 1-based line/column, end column exclusive (as in SARIF)."""

    line: int
    column: int
    end_line: int
    end_column: int
    excerpt: str


class Block:
    """One unit of visible text with its origin."""

    __slots__ = (
        "index", "kind", "raw", "anchors", "text", "level", "list_id", "ordered",
        "context", "marker", "__dict__",
    )

    def __init__(self, kind: str, raw: str, anchors: list[tuple[int, int]], *,
                 level: int = 0, list_id: int | None = None, ordered: bool = False,
                 context: str = "", marker: str = ""):
        self.index = -1
        self.kind = kind            # title, heading, paragraph, list-item, cell, caption, alt
        self.raw = raw
        self.anchors = anchors
        self.text = normalize(raw)
        self.level = level          # heading level (1-6), 0 otherwise
        self.list_id = list_id      # items of one list share an id
        self.ordered = ordered      # numbered list
        self.context = context      # ancestor id/class/role/aria/data tokens (HTML)
        self.marker = marker        # list marker as written ("1.", "•", "-")

    def __repr__(self) -> str:
        return f"Block({self.index}, {self.kind!r}, {self.text[:40]!r})"

    @cached_property
    def _tracked(self) -> list[int]:
        text, index = normalize_tracked(self.raw)
        return index

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` to the matching span of ``raw``."""
        index = self._tracked
        if not self.text:
            return 0, len(self.raw)
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return index[start], index[end - 1] + 1

    def source_offset(self, raw_index: int) -> int:
        """Map a raw index to an offset in the decoded source text."""
        anchors = self.anchors
        if not anchors:
            return 0
        i = bisect_right(anchors, (raw_index, float("inf"))) - 1
        if i < 0:
            ra, sa = anchors[0]
        else:
            ra, sa = anchors[i]
        return max(0, sa + (raw_index - ra))


@dataclass(slots=True)
class Link:
    """A hyperlink: its visible text, its target and where it sits."""

    text: str
    href: str | None
    block: int
    raw_start: int
    raw_end: int


@dataclass(slots=True)
class Embed:
    """An iframe, script or similar element that loads something from elsewhere."""

    tag: str
    src: str
    line: int
    context: str


@dataclass
class Document:
    """A decoded input split into Blocks, plus metadata the parser saw."""

    source: str
    format: str                 # text, markdown, html
    content: str                # the decoded source text, positions refer to it
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)   # name/property -> contents
    jsonld: list[str] = field(default_factory=list)             # raw JSON-LD payloads
    times: list[tuple[str, str, int]] = field(default_factory=list)  # (datetime, text, block)
    comments: list[tuple[str, int]] = field(default_factory=list)    # (text, source offset)
    html_title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, block: Block) -> None:
        if not block.text:
            return
        block.index = len(self.blocks)
        self.blocks.append(block)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        find = self.content.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a source offset."""
        starts = self._line_starts
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def locate(self, block: Block, start: int, end: int, *, raw: bool = False) -> Span:
        """Locate a span of ``block.text`` (or of ``block.raw`` when ``raw``)."""
        rs, re_ = (start, end) if raw else block.raw_span(start, end)
        s_off = block.source_offset(rs)
        e_off = block.source_offset(max(rs, re_ - 1)) + 1
        line, col = self.line_col(s_off)
        end_line, end_col = self.line_col(e_off)
        if (end_line, end_col) < (line, col):
            end_line, end_col = line, col
        return Span(line, col, end_line, end_col, block.raw[rs:re_])

    @cached_property
    def structure(self):
        """Title, authors, dates, lists, references, sentences (computed once, on demand)."""
        from audit.document.structure import Structure

        return Structure(self)

# ---- audit/document/html.py at 1eab39d ----
import html as _html
import re
from bisect import bisect_right


_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "object",
                   "iframe", "select", "textarea", "canvas", "video", "audio", "head"})
_BLOCK_KIND = {
    "p": "paragraph", "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
    "h5": "heading", "h6": "heading", "li": "list-item", "td": "cell", "th": "cell",
    "caption": "caption", "figcaption": "caption", "dt": "paragraph", "dd": "paragraph",
    "blockquote": "paragraph", "pre": "paragraph", "title": "title", "address": "paragraph",
}
_BLOCK = frozenset(_BLOCK_KIND) | frozenset({
    "div", "section", "article", "header", "footer", "nav", "aside", "main", "form", "table",
    "tr", "thead", "tbody", "tfoot", "ul", "ol", "dl", "figure", "hr", "body", "html",
    "fieldset", "legend", "details", "summary", "option", "button", "label", "center",
    "dialog", "menu",
})
_CONTEXT_ATTRS = ("id", "class", "role", "aria-label", "aria-modal")
_ENTITY = re.compile(r"&(#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_PROBE_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.;:!?()-/")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


class _Aligner:
    """Finds where each text node sits in the source, moving forward only."""

    def __init__(self, src: str):
        self.src = src
        self.cursor = 0
        starts = [0]
        pos = src.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = src.find("\n", pos + 1)
        self.line_starts = starts

    def _line_offset(self, line: int | None) -> int:
        if not line or line < 1:
            return 0
        starts = self.line_starts
        return starts[min(line, len(starts)) - 1]

    def locate(self, text: str, line: int | None, *, advance: bool = True) -> list[tuple[int, int]]:
        """Anchors ``(text_index, source_offset)`` for ``text``; best effort, never fails."""
        src = self.src
        start = max(self.cursor, self._line_offset(line))
        body = text.lstrip()
        lead = len(text) - len(body)
        if not body:
            return [(0, start)]
        n = 0
        for ch in body:
            if ch not in _PROBE_OK or n >= 24:
                break
            n += 1
        if n:
            probe = body[:n]
            j = src.find(probe, start)
            tries = 0
            while j >= 0 and tries < 8 and src.rfind("<", 0, j) > src.rfind(">", 0, j):
                j = src.find(probe, j + 1)   # that hit sits inside a tag (an attribute)
                tries += 1
            if j < 0 or (line and j - start > 200_000):
                j = start if not line else self._line_offset(line)
                return [(lead, j)]
        else:
            j = start
            # skip markup and whitespace up to the first text character
            while j < len(src) and (src[j].isspace() or src[j] == "<"):
                if src[j] == "<":
                    k = src.find(">", j)
                    if k < 0:
                        break
                    j = k + 1
                else:
                    j += 1
        if src.startswith(body, j):
            if advance:
                self.cursor = j + len(body)
            return [(lead, j)]
        anchors = [(lead, j)]
        i, size, slen = 0, len(body), len(src)
        while i < size and j < slen:
            s = src[j]
            if s == "&":   # deliberate change (see the module docstring): a reference first
                m = _ENTITY.match(src, j)
                if m:
                    decoded = _html.unescape(m.group())
                    if decoded and body.startswith(decoded, i):
                        i += len(decoded)
                        j = m.end()
                        anchors.append((lead + i, j))
                        continue
            if s == body[i]:
                i += 1
                j += 1
                continue
            if s == "\r":
                j += 1
                anchors.append((lead + i, j))
                continue
            break   # cannot follow any further: keep the rest linear from here
        if advance:
            self.cursor = j
        return anchors


class _Builder:
    """Accumulates the text of the block being read."""

    def __init__(self, doc: Document, aligner: _Aligner):
        self.doc = doc
        self.aligner = aligner
        self.parts: list[str] = []
        self.anchors: list[tuple[int, int]] = []
        self.size = 0
        self.kind = "paragraph"
        self.level = 0
        self.list_id: int | None = None
        self.ordered = False
        self.context = ""
        self.pending_links: list[tuple[int, int, str | None]] = []

    def append(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        if not self.parts and not text.strip():
            return
        for ti, so in self.aligner.locate(text, line):
            self.anchors.append((self.size + ti, so))
        self.parts.append(text)
        self.size += len(text)

    def newline(self) -> None:
        if self.parts:
            self.parts.append("\n")
            self.size += 1

    def flush(self) -> None:
        if self.parts:
            raw = "".join(self.parts)
            block = Block(self.kind, raw, self.anchors, level=self.level, list_id=self.list_id,
                          ordered=self.ordered, context=self.context)
            self.doc.add(block)
            if block.index >= 0:
                for s, e, href in self.pending_links:
                    self.doc.links.append(Link(raw[s:e].strip(), href, block.index, s, e))
        self.parts, self.anchors, self.size, self.pending_links = [], [], 0, []


def _context_of(el) -> str:
    """Ancestor tokens rules look at: id/class/role/aria/data-* names, and main-content markers."""
    tag = el.tag
    if not len(el.attrib):
        return "tag=" + tag if tag in ("article", "main") else ""
    tokens = ["tag=" + tag] if tag in ("article", "main") else []
    for name in _CONTEXT_ATTRS:
        v = el.get(name)
        if v:
            tokens.append(f"{name}={'.'.join(v.split())}")
    for name in el.keys():
        if name.startswith("data-"):
            tokens.append(name)
    return " ".join(tokens)


_PARSER = None


def _parser():
    """One plain libxml2 HTML parser per process (no lxml.html element classes: faster)."""
    global _PARSER
    if _PARSER is None:
        import lxml.etree as etree

        _PARSER = etree.HTMLParser(recover=True, remove_comments=False, remove_pis=True,
                                   no_network=True, huge_tree=True)
    return _PARSER


def parse_html(doc: Document) -> Document:
    """Fill ``doc`` (whose ``content`` is decoded HTML) with blocks and metadata."""
    import lxml.etree as etree

    src = doc.content
    m = _XML_DECL.match(src)
    text_for_parser = src if not m else " " * m.end() + src[m.end():]
    if "\x00" in text_for_parser:
        text_for_parser = text_for_parser.replace("\x00", " ")
    try:
        root = etree.fromstring(text_for_parser, _parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return doc   # nothing parseable: an empty document, reported by the caller
    aligner = _Aligner(src)
    b = _Builder(doc, aligner)
    context_stack: list[str] = []
    kind_stack: list[tuple[str, int, int | None, bool]] = []
    list_stack: list[tuple[int, bool]] = []
    list_counter = 0
    link_stack: list[tuple[int, int, str | None]] = []   # (block count, raw start, href)
    in_body = False

    walker = etree.iterwalk(root, events=("start", "end", "comment"))
    for event, el in walker:
        tag = el.tag
        if event == "comment":
            if isinstance(el.text, str):
                doc.comments.append((el.text.strip(), aligner._line_offset(el.sourceline)))
            b.append(el.tail, None)
            continue
        if not isinstance(tag, str):
            if event == "end":
                b.append(el.tail, None)
            continue
        tag = tag.lower()
        if event == "start":
            if tag == "body":
                in_body = True
            if tag == "head":
                _read_head(doc, el, aligner)
                walker.skip_subtree()
                continue
            if tag in ("script", "iframe", "embed", "object"):
                src_attr = el.get("src") or el.get("data")
                if src_attr and in_body:
                    doc.embeds.append(Embed(tag, src_attr, el.sourceline or 0,
                                            " ".join(filter(None, context_stack))))
                if tag == "script" and (el.get("type") or "").lower() == "application/ld+json":
                    if el.text:
                        doc.jsonld.append(el.text)
            if tag == "meta":
                _read_meta(doc, el)
            if tag in _SKIP:
                walker.skip_subtree()
                continue
            context_stack.append(_context_of(el))
            if tag in _BLOCK:
                b.flush()
                if tag in ("ul", "ol", "menu"):
                    list_counter += 1
                    list_stack.append((list_counter, tag == "ol"))
                kind = _BLOCK_KIND.get(tag)
                if kind:
                    level = int(tag[1]) if kind == "heading" else 0
                    lid, ordered = (list_stack[-1] if list_stack else (None, False)) \
                        if kind == "list-item" else (None, False)
                    kind_stack.append((kind, level, lid, ordered))
                _set_block_state(b, kind_stack, context_stack)
            elif tag == "br":
                b.newline()
            elif tag == "img":
                alt = el.get("alt")
                if alt and alt.strip() and in_body:
                    saved = (b.parts, b.anchors, b.size, b.pending_links, b.kind)
                    b.parts, b.anchors, b.size, b.pending_links = [], [], 0, []
                    b.kind = "alt"
                    b.append(alt, el.sourceline)
                    b.flush()
                    b.parts, b.anchors, b.size, b.pending_links, b.kind = saved
            elif tag == "time":
                dt = el.get("datetime")
                doc.times.append((dt or "", "".join(el.itertext()).strip(), len(doc.blocks)))
            if tag == "a":
                link_stack.append((len(doc.blocks), b.size, el.get("href")))
            b.append(el.text, el.sourceline)
        else:  # end
            if tag in _SKIP:
                b.append(el.tail, None)
                continue
            if context_stack:
                context_stack.pop()
            if tag == "a" and link_stack:
                count, start, href = link_stack.pop()
                if count == len(doc.blocks) and b.size > start:
                    b.pending_links.append((start, b.size, href))
            if tag in _BLOCK:
                b.flush()
                if tag in _BLOCK_KIND and kind_stack:
                    kind_stack.pop()
                if tag in ("ul", "ol", "menu") and list_stack:
                    list_stack.pop()
                _set_block_state(b, kind_stack, context_stack)
            b.append(el.tail, None)
    b.flush()
    return doc


def _set_block_state(b: _Builder, kind_stack, context_stack) -> None:
    if kind_stack:
        b.kind, b.level, b.list_id, b.ordered = kind_stack[-1]
    else:
        b.kind, b.level, b.list_id, b.ordered = "paragraph", 0, None, False
    b.context = " ".join(filter(None, context_stack))


def _read_meta(doc: Document, el) -> None:
    key = el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv")
    content = el.get("content")
    if key and content is not None:
        doc.meta.setdefault(key.strip().lower(), []).append(content.strip())


def _read_head(doc: Document, head, aligner: _Aligner) -> None:
    """Title, meta tags and JSON-LD live in <head>; none of it is visible text except the title."""
    for el in head.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag == "meta":
            _read_meta(doc, el)
        elif tag == "title" and el.text and el.text.strip() and doc.html_title is None:
            doc.html_title = el.text.strip()
            anchors = aligner.locate(el.text, el.sourceline, advance=False)
            doc.add(Block("title", el.text, anchors, level=0))
        elif tag == "script" and (el.get("type") or "").lower() == "application/ld+json" and el.text:
            doc.jsonld.append(el.text)
        elif tag == "link" and el.get("rel") and el.get("href"):
            doc.meta.setdefault("link:" + " ".join(el.get("rel").split()).lower(), []).append(el.get("href"))
