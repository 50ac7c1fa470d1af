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
_PROBE = re.compile(r"[a-zA-Z0-9 ,.;:!?()\-/]{1,24}")       # a safe prefix to search for
_MARKUP_AND_SPACE = re.compile(r"(?:\s|<[^>]*>)*")
_SPECIAL = re.compile("[&\r]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


class _Aligner:
    """Finds where each text node sits in the source, moving forward only.

    The common case costs a few C-level string searches: a short probe from the start of the
    text is found in the source after the cursor (skipping hits inside tags), and the whole
    text is compared in place.  Only a text whose source spelling differs (character
    references, CR characters) takes :meth:`_follow`, which still compares runs between two
    ``&``/``\r`` characters at C speed.
    """

    __slots__ = ("src", "cursor", "_doc", "_starts", "_nlines", "_special", "log", "done")

    def __init__(self, doc: Document):
        self.src = doc.content
        self.cursor = 0
        self._doc = doc
        self._starts: list[int] | None = None
        self._nlines = 0
        self._special = (1, 0)          # cache: no '&'/'\r' from [0] up to [1]; see _next_special
        # Lazy alignment: the parser logs (anchors list, offset in block, text, line, advance)
        # for every text node; run_to() replays the log in order, exactly as if each node had
        # been located when it was read, up to the node a position is asked for.
        self.log: list[tuple] = []
        self.done = 0

    @property
    def line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = self._doc._line_starts
            self._nlines = len(self._starts)
        return self._starts

    def _line_offset(self, line: int | None) -> int:
        if not line or line < 1:
            return 0
        return self.line_starts[min(line, self._nlines) - 1]

    def run_to(self, last: int) -> None:
        """Locate the logged text nodes up to ``last`` (inclusive), filling their anchors."""
        log = self.log
        locate = self.locate
        for k in range(self.done, last + 1):
            target, size, text, line, advance = log[k]
            found = locate(text, line, advance=advance)
            if len(found) == 1:
                ti, so = found[0]
                target.append((size + ti, so))
            else:
                target.extend([(size + ti, so) for ti, so in found])
        if last >= self.done:
            self.done = last + 1

    def locate(self, text: str, line: int | None, *, advance: bool = True) -> list[tuple[int, int]]:
        """Anchors ``(text_index, source_offset)`` for ``text``; best effort, never fails."""
        src = self.src
        start = self.cursor
        if line and line >= 1:
            lo = self.line_starts[min(line, self._nlines) - 1]
            if lo > start:
                start = lo
        body = text.lstrip()
        lead = len(text) - len(body)
        if not body:
            return [(0, start)]
        m = _PROBE.match(body)
        if m is not None:
            probe = m.group()
            j = src.find(probe, start)
            tries = 0
            while j >= 0 and tries < 8 and src.rfind("<", 0, j) > src.rfind(">", 0, j):
                j = src.find(probe, j + 1)   # that hit sits inside a tag (an attribute)
                tries += 1
            if j < 0 or (line and j - start > 200_000):
                j = start if not line else self._line_offset(line)
                return [(lead, j)]
        else:
            j = _MARKUP_AND_SPACE.match(src, start).end()   # up to the first text character
        if src.startswith(body, j):
            if advance:
                self.cursor = j + len(body)
            return [(lead, j)]
        return self._follow(body, lead, j, advance)

    def _next_special(self, j: int) -> int:
        """The first ``&`` or ``\r`` at or after ``j`` (``len(src)`` if none), cached."""
        lo, at = self._special
        if lo <= j <= at:
            return at
        m = _SPECIAL.search(self.src, j)
        at = m.start() if m is not None else len(self.src)
        self._special = (j, at)
        return at

    def _follow(self, body: str, lead: int, j: int, advance: bool) -> list[tuple[int, int]]:
        """Walk source and text together through character references and CRs."""
        src = self.src
        anchors = [(lead, j)]
        i, size, slen = 0, len(body), len(src)
        while i < size and j < slen:
            k = self._next_special(j)
            if k > j:                            # a run of ordinary characters: compare it whole
                n = k - j if k - j < size - i else size - i
                if src.startswith(body[i:i + n], j):
                    i += n
                    j += n
                    continue
                while src[j] == body[i]:         # stops inside the run: find where, then give up
                    i += 1
                    j += 1
                break
            s = src[j]
            if s == "&":                         # a reference first: "&amp;" is one "&" in the text
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

    __slots__ = ("doc", "aligner", "log", "parts", "anchors", "size", "kind", "level", "list_id", "ordered",
                 "context", "pending_links")

    def __init__(self, doc: Document, aligner: _Aligner):
        self.doc = doc
        self.aligner = aligner
        self.log = aligner.log
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
        parts = self.parts
        if not parts and text.isspace():
            return
        self.log.append((self.anchors, self.size, text, line, True))   # located lazily
        parts.append(text)
        self.size += len(text)

    def newline(self) -> None:
        if self.parts:
            self.parts.append("\n")
            self.size += 1

    def flush(self) -> None:
        if self.parts:
            raw = "".join(self.parts)
            block = Block(self.kind, raw, self.anchors, level=self.level, list_id=self.list_id,
                          ordered=self.ordered, context=self.context,
                          align=(self.aligner, len(self.log) - 1))
            doc = self.doc
            doc.add(block)
            if block.index >= 0 and self.pending_links:
                for s, e, href in self.pending_links:
                    doc.links.append(Link(raw[s:e].strip(), href, block.index, s, e))
            self.parts, self.anchors, self.size, self.pending_links = [], [], 0, []
        elif self.pending_links:
            self.pending_links = []


_MAIN_TAGS = ("article", "main")
_CONTEXT_SET = frozenset(_CONTEXT_ATTRS)


def _context_of(el, tag=None) -> str:
    """Ancestor tokens rules look at: id/class/role/aria/data-* names, and main-content markers."""
    if tag is None:
        tag = el.tag
    items = el.items()
    if not items:
        return "tag=" + tag if tag in _MAIN_TAGS else ""
    tokens = ["tag=" + tag] if tag in _MAIN_TAGS else []
    if len(items) == 1:                    # the common case: one class or id
        name, v = items[0]
        if name in _CONTEXT_SET:
            if v:
                tokens.append(f"{name}={'.'.join(v.split())}")
        elif name.startswith("data-"):
            tokens.append(name)
        return " ".join(tokens)
    get = el.get
    for name in _CONTEXT_ATTRS:
        v = get(name)
        if v:
            tokens.append(f"{name}={'.'.join(v.split())}")
    for name, _ in items:
        if name.startswith("data-"):
            tokens.append(name)
    return " ".join(tokens)


_PARSERS: dict[str | None, object] = {}


def _parser(encoding: str | None = None):
    """One plain libxml2 HTML parser per process and input encoding (no lxml.html classes)."""
    parser = _PARSERS.get(encoding)
    if parser is None:
        import lxml.etree as etree

        parser = _PARSERS[encoding] = etree.HTMLParser(
            recover=True, remove_comments=False, remove_pis=True, no_network=True, huge_tree=True,
            encoding=encoding)
    return parser


def _parse_tree(text: str):
    """libxml2 parses UTF-8 bytes about twice as fast as a Python str (same tree)."""
    import lxml.etree as etree

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:           # lone surrogates (JSONL input): let lxml take the str
        data = None
    try:
        if data is not None:
            return etree.fromstring(data, _parser("utf-8"))
        return etree.fromstring(text, _parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


_PLAIN = ("paragraph", 0, None, False)
_LISTS = frozenset({"ul", "ol", "menu"})
_EMBEDS = frozenset({"script", "iframe", "embed", "object"})
_START_SPECIAL = _SKIP | _EMBEDS | {"meta", "body"}


def parse_html(doc: Document) -> Document:
    """Fill ``doc`` (whose ``content`` is decoded HTML) with blocks and metadata."""
    import lxml.etree as etree

    src = doc.content
    m = _XML_DECL.match(src)
    text_for_parser = src if not m else " " * m.end() + src[m.end():]
    if "\x00" in text_for_parser:
        text_for_parser = text_for_parser.replace("\x00", " ")
    root = _parse_tree(text_for_parser)
    if root is None:
        return doc   # nothing parseable: an empty document, reported by the caller
    aligner = _Aligner(doc)
    b = _Builder(doc, aligner)
    log = aligner.log
    append = b.append
    flush = b.flush
    blocks = doc.blocks
    # Ancestor context, computed lazily: ctx[d] is the joined context of the open elements up to
    # depth d, or None until a block (or an embed) below needs it; most inline elements never
    # do.  The builder's own context is lazy too: ``b.context`` None means "ctx[pending]",
    # computed when a block is actually made (most block elements only wrap other blocks).
    ctx: list[str | None] = [""]
    ctx_els: list = [None]
    own_cache: dict = {}
    pending = 0

    def context(top: int) -> str:
        i = top
        while ctx[i] is None:
            i -= 1
        joined = ctx[i]
        for k in range(i + 1, top + 1):
            el_k = ctx_els[k]
            items = el_k.items()
            tag_k = el_k.tag
            if items or tag_k in _MAIN_TAGS:
                key = (tag_k in _MAIN_TAGS and tag_k, tuple(items))
                own = own_cache.get(key)
                if own is None:
                    own = own_cache[key] = _context_of(el_k, tag_k)
                if own:
                    joined = joined + " " + own if joined else own
            ctx[k] = joined
        return joined

    kind_stack: list[tuple[str, int, int | None, bool]] = []
    list_stack: list[tuple[int, bool]] = []
    list_counter = 0
    link_stack: list[tuple[int, int, str | None]] = []   # (block count, raw start, href)
    in_body = False
    skip_tags, block_tags, block_kind, special = _SKIP, _BLOCK, _BLOCK_KIND, _START_SPECIAL

    walker = etree.iterwalk(root, events=("start", "end", "comment"))
    for event, el in walker:
        tag = el.tag
        if event == "comment":
            if isinstance(el.text, str):
                doc.comments.append((el.text.strip(), aligner._line_offset(el.sourceline)))
            append(el.tail, None)
            continue
        if tag.__class__ is not str:
            if event == "end":
                append(el.tail, None)
            continue
        tag = tag.lower()
        if event == "start":
            if tag in special:
                if tag == "body":
                    in_body = True
                if tag == "head":
                    _read_head(doc, el, aligner)
                    walker.skip_subtree()
                    continue
                if tag in _EMBEDS:
                    src_attr = el.get("src") or el.get("data")
                    if src_attr and in_body:
                        top = len(ctx) - 1
                        doc.embeds.append(Embed(tag, src_attr, el.sourceline or 0,
                                                ctx[top] if ctx[top] is not None else context(top)))
                    if tag == "script" and (el.get("type") or "").lower() == "application/ld+json":
                        if el.text:
                            doc.jsonld.append(el.text)
                if tag == "meta":
                    _read_meta(doc, el)
                if tag in skip_tags:
                    walker.skip_subtree()
                    continue
            ctx_els.append(el)
            ctx.append(None)
            if tag in block_tags:
                if b.parts:
                    if b.context is None:
                        b.context = context(pending)
                    flush()
                if tag in _LISTS:
                    list_counter += 1
                    list_stack.append((list_counter, tag == "ol"))
                kind = block_kind.get(tag)
                if kind:
                    level = int(tag[1]) if kind == "heading" else 0
                    lid, ordered = (list_stack[-1] if list_stack else (None, False)) \
                        if kind == "list-item" else (None, False)
                    kind_stack.append((kind, level, lid, ordered))
                b.kind, b.level, b.list_id, b.ordered = kind_stack[-1] if kind_stack else _PLAIN
                b.context = None
                pending = len(ctx) - 1
            elif tag == "br":
                b.newline()
            elif tag == "img":
                alt = el.get("alt")
                if alt and alt.strip() and in_body:
                    if b.context is None:
                        b.context = context(pending)
                    saved = (b.parts, b.anchors, b.size, b.pending_links, b.kind)
                    b.parts, b.anchors, b.size, b.pending_links = [], [], 0, []
                    b.kind = "alt"
                    append(alt, el.sourceline)
                    flush()
                    b.parts, b.anchors, b.size, b.pending_links, b.kind = saved
            elif tag == "time":
                dt = el.get("datetime")
                doc.times.append((dt or "", "".join(el.itertext()).strip(), len(blocks)))
            if tag == "a":
                link_stack.append((len(blocks), b.size, el.get("href")))
            text = el.text
            if text and (b.parts or not text.isspace()):
                log.append((b.anchors, b.size, text, el.sourceline, True))   # located lazily
                b.parts.append(text)
                b.size += len(text)
        else:  # end
            if tag in skip_tags:
                append(el.tail, None)
                continue
            top = len(ctx) - 1
            if top > 0:
                if top == pending and b.context is None and (b.parts or tag not in block_tags):
                    b.context = context(pending)      # the entry goes: fix the builder's context now
                ctx.pop()
                ctx_els.pop()
                top -= 1
            if tag == "a" and link_stack:
                count_, start, href = link_stack.pop()
                if count_ == len(blocks) and b.size > start:
                    b.pending_links.append((start, b.size, href))
            if tag in block_tags:
                if b.parts:
                    flush()
                if tag in block_kind and kind_stack:
                    kind_stack.pop()
                if tag in _LISTS and list_stack:
                    list_stack.pop()
                b.kind, b.level, b.list_id, b.ordered = kind_stack[-1] if kind_stack else _PLAIN
                b.context = ctx[top]
                if b.context is None:
                    pending = top
            tail = el.tail
            if tail and (b.parts or not tail.isspace()):
                log.append((b.anchors, b.size, tail, None, True))
                b.parts.append(tail)
                b.size += len(tail)
    if b.parts and b.context is None:
        b.context = context(pending)
    flush()
    return doc


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
            anchors: list[tuple[int, int]] = []
            aligner.log.append((anchors, 0, el.text, el.sourceline, False))
            doc.add(Block("title", el.text, anchors, level=0, align=(aligner, len(aligner.log) - 1)))
        elif tag == "script" and (el.get("type") or "").lower() == "application/ld+json" and el.text:
            doc.jsonld.append(el.text)
        elif tag == "link" and el.get("rel") and el.get("href"):
            doc.meta.setdefault("link:" + " ".join(el.get("rel").split()).lower(), []).append(el.get("href"))
