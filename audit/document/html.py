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
from weakref import ref as _weakref

from audit.document.model import Block, Document, Embed, Link, line_starts
from audit.document.normalize import normalize

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

    __slots__ = ("src", "cursor", "_doc", "_starts", "_nlines", "_special", "log", "done", "_walk", "_absent")

    def __init__(self, doc: Document):
        self.src = doc.content
        self.cursor = 0
        self._doc = _weakref(doc)     # no cycle doc -> block -> aligner -> doc: freed at once
        self._starts: list[int] | None = None
        self._nlines = 0
        self._absent: dict[str, int] = {}   # probe -> an offset it does not occur after
        self._walk = (1, 0, 64)         # (line, its start offset, window chars per line): _line_offset
        self._special = (1, 0)          # cache: no '&'/'\r' from [0] up to [1]; see _next_special
        # Lazy alignment: the parser logs (anchors list, offset in block, text, line, advance)
        # for every text node; run_to() replays the log in order, exactly as if each node had
        # been located when it was read, up to the node a position is asked for.
        self.log: list[tuple] = []
        self.done = 0

    @property
    def line_starts(self) -> list[int]:
        if self._starts is None:
            doc = self._doc()
            self._starts = doc._line_starts if doc is not None else line_starts(self.src)
            self._nlines = len(self._starts)
        return self._starts

    def _line_offset(self, line: int | None) -> int:
        """Offset of the first character of ``line`` (1-based, clamped to the last line).

        Comments ask for this while the page is parsed, but many pages never need any other
        position, so until the line table exists the lines are counted forward from the
        previous answer, in C: ``str.count`` over a window sized from the lines seen so far,
        ``str.rfind`` for the last newline in it (a window with too many lines is shrunk).
        """
        if not line or line < 1:
            return 0
        if self._starts is not None:
            return self._starts[min(line, self._nlines) - 1]
        at, off, width = self._walk
        if line < at:
            at, off = 1, 0
        src = self.src
        need = line - at
        while need:
            end = off + width * need
            found = src.count("\n", off, end)
            if found > need:          # short lines: aim at about half the lines needed
                width = (end - off) // (2 * found) or 1   # (strictly smaller: this ends)
                continue
            if found:
                off = src.rfind("\n", off, end) + 1
                at += found
                need -= found
                continue
            j = src.find("\n", off)   # a long line: step over it
            if j < 0:
                break                 # no more newlines: this is the last line
            off = j + 1
            at += 1
            need -= 1
            width *= 2
        self._walk = (at, off, width)
        return off

    def run_to(self, last: int) -> None:
        """Locate the logged text nodes up to ``last`` (inclusive), filling their anchors.

        For each text node: search a short probe from the start of its text after the cursor
        (or after the start of its line, if later), skipping hits inside a tag; if the whole
        text is there, anchor it and move the cursor past it, else follow it through
        character references (:meth:`_follow`).  A node that cannot be found is anchored at
        its line (or the cursor).  One loop with the source, its line starts and the cursor
        in local variables: a page that needs positions replays hundreds of text nodes here,
        and a method call per node was most of the cost of the common case.
        """
        done = self.done
        if last < done:
            return
        log = self.log
        src = self.src
        starts = self.line_starts
        nlines = self._nlines
        cursor = self.cursor
        find, rfind, startswith = src.find, src.rfind, src.startswith
        probe_match = _PROBE.match
        absent = self._absent
        for k in range(done, last + 1):
            target, size, text, line, advance = log[k]
            start = cursor
            if line and line >= 1:
                lo = starts[(line if line < nlines else nlines) - 1]
                if lo > start:
                    start = lo
            body = text.lstrip()
            if not body:
                target.append((size, start))
                continue
            lead = len(text) - len(body)
            m = probe_match(body)
            if m is not None:
                probe = m.group()
                gone = absent.get(probe)
                if gone is not None and start >= gone:
                    j = -1                   # known: no occurrence after ``gone`` (no rescan)
                else:
                    j = find(probe, start)
                    if j < 0:
                        absent[probe] = start
                tries = 0
                while j >= 0 and tries < 8 and rfind("<", 0, j) > rfind(">", 0, j):
                    j = find(probe, j + 1)   # that hit sits inside a tag (an attribute)
                    tries += 1
                if j < 0 or (line and j - start > 200_000):
                    if line:
                        j = starts[(line if line < nlines else nlines) - 1] if line >= 1 else 0
                    else:
                        j = start
                    target.append((size + lead, j))
                    continue
            else:
                j = _MARKUP_AND_SPACE.match(src, start).end()   # up to the first text character
            if startswith(body, j):
                if advance:
                    cursor = j + len(body)
                target.append((size + lead, j))
                continue
            self.cursor = cursor
            found = self._follow(body, lead, j, advance)
            cursor = self.cursor
            target.extend([(size + ti, so) for ti, so in found])
        self.cursor = cursor
        self.done = last + 1

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


_MAIN_TAGS = ("article", "main")
_CONTEXT_SET = frozenset(_CONTEXT_ATTRS)


def _context_of(tag: str, items: list[tuple[str, str]]) -> str:
    """Ancestor tokens rules look at: id/class/role/aria/data-* names, and main-content markers.

    Works from ``el.items()`` alone: each lxml attribute call costs a few hundred ns, so one
    ``items()`` per element beats an ``el.get`` per context attribute.  The first occurrence
    of a name wins, as with ``el.get``.
    """
    tokens = ["tag=" + tag] if tag in _MAIN_TAGS else []
    if len(items) == 1:                    # the common case: one class or id
        name, v = items[0]
        if name in _CONTEXT_SET:
            if v:
                tokens.append(f"{name}={'.'.join(v.split())}")
        elif name.startswith("data-"):
            tokens.append(name)
        return " ".join(tokens)
    found: dict[str, str] = {}
    data: list[str] = []
    for name, v in items:
        if name in _CONTEXT_SET:
            if name not in found:
                found[name] = v
        elif name.startswith("data-"):
            data.append(name)
    if found:
        for name in _CONTEXT_ATTRS:
            v = found.get(name)
            if v:
                tokens.append(f"{name}={'.'.join(v.split())}")
    tokens.extend(data)
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


def _parse_tree(text: str, data: bytes | None = None):
    """libxml2 parses UTF-8 bytes about twice as fast as a Python str (same tree).

    ``data``, when given, is ``text.encode("utf-8")`` already (the input's own bytes).
    """
    import lxml.etree as etree

    if data is None:
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

# What the walk does with an element, by (lower-case) tag, so that one dict lookup picks the
# branch: most elements are plain inline ones (span, b, em...) and take the shortest path.
_INLINE, _DIV, _KIND, _ITEM, _LIST, _BR, _IMG, _TIME, _A, _SPECIAL_TAG, _NOT_ELEMENT = range(11)
_SKIPPED = -1      # on the code stack: an element whose subtree was skipped (only its tail counts)
_CODES: dict = {tag: _DIV for tag in _BLOCK}
_CODES.update({tag: _KIND for tag in _BLOCK_KIND})
_CODES.update({tag: _LIST for tag in _LISTS})
_CODES.update({"li": _ITEM, "br": _BR, "img": _IMG, "time": _TIME, "a": _A})
_CODES.update({tag: _SPECIAL_TAG for tag in _START_SPECIAL})
# the block state a kind element opens (list items take theirs from the enclosing list)
_KIND_STATE = {tag: (kind, int(tag[1]) if kind == "heading" else 0, None, False)
               for tag, kind in _BLOCK_KIND.items()}


def _code(codes: dict, tag) -> int:
    """The branch for a tag not in ``codes`` as spelled (upper case, custom, or not a tag)."""
    if tag.__class__ is not str:
        code = _NOT_ELEMENT
    else:
        code = _CODES.get(tag.lower(), _INLINE)
    codes[tag] = code
    return code


def _context(ctx: list, ctx_els: list, classes: dict, top: int) -> str:
    """The joined context of the open elements up to depth ``top``, extending ``ctx`` to it.

    ``ctx`` holds the joined context of depths ``0 .. len(ctx) - 1`` (always a prefix of the
    open elements: a depth is computed with all those above it), so most inline elements,
    which no block below ever needs, cost nothing here.  ``classes`` caches the token of a
    lone ``class`` attribute (the common case: the same few class names repeat all over a
    page).
    """
    k = len(ctx)
    if k > top:
        return ctx[top]
    joined = ctx[k - 1]
    for el in ctx_els[k:top + 1]:
        items = el.items()
        if items:
            if len(items) == 1 and items[0][0] == "class":
                v = items[0][1]
                own = classes.get(v)
                if own is None:
                    own = classes[v] = "class=" + ".".join(v.split()) if v else ""
                tag = el.tag
                if tag in _MAIN_TAGS:
                    own = "tag=" + tag + " " + own if own else "tag=" + tag
            else:
                own = _context_of(el.tag, items)
        else:
            tag = el.tag
            own = "tag=" + tag if tag in _MAIN_TAGS else ""
        if own:
            joined = joined + " " + own if joined else own
        ctx.append(joined)
    return joined


def parse_html(doc: Document, utf8: bytes | None = None) -> Document:
    """Fill ``doc`` (whose ``content`` is decoded HTML) with blocks and metadata.

    ``utf8``, when given, is ``doc.content.encode("utf-8")``, spared from being computed again.

    libxml2 parses; one walk of its tree (compiled if built, else ``_walk_python``) reads the
    blocks.  Text nodes are only logged by the walk; the aligner locates them in the source
    when a position is first asked for (``_Aligner.run_to``).
    """
    src = doc.content
    m = _XML_DECL.match(src)
    text_for_parser = src if not m else " " * m.end() + src[m.end():]
    # (a NUL byte is searched for with memchr; a NUL in a UCS-2/UCS-4 str by a plain loop)
    if (b"\x00" in utf8) if utf8 is not None else ("\x00" in text_for_parser):
        text_for_parser = text_for_parser.replace("\x00", " ")
    root = _parse_tree(text_for_parser, utf8 if text_for_parser is src else None)
    if root is None:
        return doc   # nothing parseable: an empty document, reported by the caller
    (_walk_compiled or _walk_python)(doc, root, _Aligner(doc))
    return doc


def _walk_python(doc: Document, root, aligner: _Aligner) -> None:
    """Read blocks, links, embeds, metadata and comments from libxml2's tree into ``doc``.

    The reference walk, and the one used where the compiled walk (``_fastwalk``) is not
    built; both must fill a Document identically (``tests/batch/test_compiled_walk.py``).

    One pass of ``iterwalk``, once per element of every page where it runs, so it is written
    for CPython's sake: the state of the block being read lives in local variables (not on a builder
    object), one dict lookup per event picks the branch, plain inline elements take the
    shortest path, and a block is only made (normalised, given its context) when it has text.
    """
    import lxml.etree as etree

    log = aligner.log
    log_append = log.append
    blocks = doc.blocks
    links = doc.links
    parsed_block = Block._parsed
    codes = dict(_CODES)
    skip_tags, kind_state = _SKIP, _KIND_STATE
    # Ancestor context, computed lazily (see _context).  The block's own context is lazy too:
    # ``bctx`` None means "ctx[pending]", computed when a block is actually made (most block
    # elements only wrap other blocks).
    ctx: list[str] = [""]
    ctx_els: list = [None]
    classes: dict = {}
    pending = 0
    # the block being read: its text pieces, anchors (filled lazily), length, state, context
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    size = 0
    state = _PLAIN
    bctx: str | None = ""
    plinks: list[tuple[int, int, str | None]] = []    # links inside it: (raw start, raw end, href)

    def make_block(state, parts, anchors, bctx, plinks) -> None:
        raw = "".join(parts)
        text = normalize(raw)
        if not text:
            return
        kind, level, list_id, ordered = state
        block = parsed_block(kind, raw, text, anchors, level, list_id, ordered, bctx,
                             (aligner, len(log) - 1))
        index = block.index = len(blocks)
        blocks.append(block)
        for s, e, href in plinks:
            links.append(Link(raw[s:e].strip(), href, index, s, e))

    kind_stack: list[tuple[str, int, int | None, bool]] = []
    list_stack: list[tuple[int, bool]] = []
    list_counter = 0
    link_stack: list[tuple[int, int, str | None]] = []   # (block count, raw start, href)
    in_body = False

    code_stack: list[int] = []     # the branch of every open element, so "end" needs no tag
    depth = 0                      # len(ctx_els) - 1: the depth of the innermost open element
    walker = etree.iterwalk(root, events=("start", "end", "comment"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            code = codes.get(tag)
            if code is None:
                code = _code(codes, tag)
            if code >= _SPECIAL_TAG:
                if code == _NOT_ELEMENT:
                    code_stack.append(_SKIPPED)
                    continue
                tag = tag.lower()
                if tag == "body":
                    in_body = True
                    code = _DIV
                else:
                    code = _INLINE
                    if tag == "head":
                        _read_head(doc, el, aligner)
                        walker.skip_subtree()
                        code_stack.append(_SKIPPED)
                        continue
                    if tag in _EMBEDS:
                        src_attr = el.get("src") or el.get("data")
                        if src_attr and in_body:
                            doc.embeds.append(Embed(tag, src_attr, el.sourceline or 0,
                                                    _context(ctx, ctx_els, classes, depth)))
                        if tag == "script" and (el.get("type") or "").lower() == "application/ld+json":
                            if el.text:
                                doc.jsonld.append(el.text)
                    elif tag == "meta":
                        _read_meta(doc, el)
                    if tag in skip_tags:
                        walker.skip_subtree()
                        code_stack.append(_SKIPPED)
                        continue
            code_stack.append(code)
            ctx_els.append(el)
            depth += 1
            if code == _INLINE:
                pass
            elif code <= _LIST:                              # a block element
                if parts:
                    if bctx is None:
                        bctx = _context(ctx, ctx_els, classes, pending)
                    make_block(state, parts, anchors, bctx, plinks)
                    parts, anchors, size, plinks = [], [], 0, []
                if code == _KIND:
                    kind_stack.append(kind_state[tag if tag in kind_state else tag.lower()])
                elif code == _ITEM:
                    if list_stack:
                        lid, ordered = list_stack[-1]
                        kind_stack.append(("list-item", 0, lid, ordered))
                    else:
                        kind_stack.append(("list-item", 0, None, False))
                elif code == _LIST:
                    list_counter += 1
                    list_stack.append((list_counter, tag == "ol" or tag.lower() == "ol"))
                state = kind_stack[-1] if kind_stack else _PLAIN
                bctx = None
                pending = depth
            elif code == _A:
                link_stack.append((len(blocks), size, el.get("href")))
            elif code == _BR:
                if parts:
                    parts.append("\n")
                    size += 1
            elif code == _IMG:
                alt = el.get("alt")
                if alt and alt.strip() and in_body:
                    if bctx is None:
                        bctx = _context(ctx, ctx_els, classes, pending)
                    alt_anchors: list[tuple[int, int]] = []
                    log_append((alt_anchors, 0, alt, el.sourceline, True))
                    make_block(("alt", state[1], state[2], state[3]), [alt], alt_anchors, bctx, ())
            elif code == _TIME:
                dt = el.get("datetime")
                doc.times.append((dt or "", "".join(el.itertext()).strip(), len(blocks)))
            text = el.text
            if text and (parts or not text.isspace()):
                log_append((anchors, size, text, el.sourceline, True))   # located lazily
                parts.append(text)
                size += len(text)
        elif event == "end":
            code = code_stack.pop()
            if code == _INLINE or code > _LIST:             # not a block element
                if depth > 0:
                    if depth == pending and bctx is None:
                        bctx = _context(ctx, ctx_els, classes, pending)  # the entry goes
                    if len(ctx) > depth:
                        ctx.pop()
                    ctx_els.pop()
                    depth -= 1
                if code == _A and link_stack:
                    count_, start, href = link_stack.pop()
                    if count_ == len(blocks) and size > start:
                        plinks.append((start, size, href))
            elif code == _SKIPPED:
                pass
            else:
                if depth > 0:
                    if depth == pending and bctx is None and parts:
                        bctx = _context(ctx, ctx_els, classes, pending)  # the entry goes
                    if len(ctx) > depth:
                        ctx.pop()
                    ctx_els.pop()
                    depth -= 1
                if parts:
                    make_block(state, parts, anchors, bctx, plinks)
                    parts, anchors, size, plinks = [], [], 0, []
                if code == _KIND or code == _ITEM:
                    if kind_stack:
                        kind_stack.pop()
                elif code == _LIST and list_stack:
                    list_stack.pop()
                state = kind_stack[-1] if kind_stack else _PLAIN
                if len(ctx) > depth:
                    bctx = ctx[depth]
                else:
                    bctx = None
                    pending = depth
            tail = el.tail
            if tail and (parts or not tail.isspace()):
                log_append((anchors, size, tail, None, True))
                parts.append(tail)
                size += len(tail)
        else:                                                 # a comment
            text = el.text
            if isinstance(text, str):
                doc.comments.append((text.strip(), aligner._line_offset(el.sourceline)))
            tail = el.tail
            if tail and (parts or not tail.isspace()):
                log_append((anchors, size, tail, None, True))
                parts.append(tail)
                size += len(tail)
    if parts:
        if bctx is None:
            bctx = _context(ctx, ctx_els, classes, pending)
        make_block(state, parts, anchors, bctx, plinks)


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


# The same walk compiled with Cython over libxml2's nodes (audit/document/_fastwalk.pyx), when
# the install could build it; imported last because it reads this module's tables.
try:
    from audit.document._fastwalk import walk as _walk_compiled
except ImportError:              # no compiler at install time, or lxml's C-API changed
    _walk_compiled = None
