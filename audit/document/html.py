"""HTML into Blocks, with every block anchored to its place in the source.

lxml (libxml2) parses the page: it is an order of magnitude faster than
BeautifulSoup and tolerant of broken markup.  lxml only knows the line of
each element, so an :class:`_Aligner` walks the decoded source alongside the
text nodes (text nodes are exact source substrings except for character
references and CR characters) to recover exact offsets.  BeautifulSoup
objects are accepted by the API by serialising them and taking this path, so
findings never depend on which parser the caller started from.
"""

from __future__ import annotations

import html as _html
import re
from bisect import bisect_right

from audit.document.model import Block, Document, Embed, Link

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
            if s == body[i]:
                i += 1
                j += 1
                continue
            if s == "&":
                m = _ENTITY.match(src, j)
                if m:
                    decoded = _html.unescape(m.group())
                    if decoded and body.startswith(decoded, i):
                        i += len(decoded)
                        j = m.end()
                        anchors.append((lead + i, j))
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
