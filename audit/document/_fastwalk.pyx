# cython: language_level=3
"""The HTML walk of ``html._walk_python``, compiled, reading libxml2's nodes directly.

Why: after libxml2 has parsed a page, turning its tree into blocks in Python cost more than
the parse itself -- ``lxml.etree.iterwalk`` makes a Python proxy for every element and the
loop body runs ~1,900 times per page.  Here the tree is walked through its C structs, and
Python objects are only made for what the Document keeps (text, blocks, links, contexts).

It must fill a Document exactly as the Python walk does: same events in the same order, text
and tails collected as lxml collects them, attributes and proxies taken from lxml's own public
C-API functions (``lxml.etree.__pyx_capi__``), lines read from the node as ``sourceline``
reads them.  ``tests/batch/test_compiled_walk.py`` compares the two walks on the corpus, the
seeds, special markup and generated broken HTML.

The only layouts this file declares itself are libxml2's ``xmlNode``/``xmlAttr`` (its public
ABI, unchanged since libxml2 2.x) and lxml's public ``LxmlElement`` object (``etree.h``); no
headers are needed to build it.  The capsule signatures are checked at import, and any
mismatch raises ImportError, so ``html.py`` falls back to the Python walk.
"""

from cpython.pycapsule cimport PyCapsule_GetName, PyCapsule_GetPointer
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport strcmp, strlen

import lxml.etree

from audit.document import html as _html
from audit.document.model import Block, Embed, Link
from audit.document.normalize import normalize

cdef extern from *:
    """
    typedef struct audit_xml_node {
        void *_private;
        int type;
        const char *name;
        struct audit_xml_node *children;
        struct audit_xml_node *last;
        struct audit_xml_node *parent;
        struct audit_xml_node *next;
        struct audit_xml_node *prev;
        void *doc;
        void *ns;
        char *content;
        struct audit_xml_attr *properties;
        void *nsDef;
        void *psvi;
        unsigned short line;
        unsigned short extra;
    } audit_xml_node;
    typedef struct audit_xml_attr {
        void *_private;
        int type;
        const char *name;
        struct audit_xml_node *children;
        struct audit_xml_node *last;
        struct audit_xml_node *parent;
        struct audit_xml_attr *next;
        struct audit_xml_attr *prev;
        void *doc;
        void *ns;
    } audit_xml_attr;
    typedef struct {
        PyObject_HEAD
        void *_doc;
        audit_xml_node *_c_node;
        PyObject *_tag;
    } audit_lxml_element;
    """
    ctypedef struct audit_xml_attr
    ctypedef struct audit_xml_node:
        int type
        const char *name
        audit_xml_node *children
        audit_xml_node *parent
        audit_xml_node *next
        void *ns
        char *content
        audit_xml_attr *properties
        unsigned short line
    ctypedef struct audit_xml_attr:
        const char *name
        audit_xml_attr *next
        void *ns
    ctypedef struct audit_lxml_element:
        void *_doc
        audit_xml_node *_c_node

ctypedef audit_xml_node node_t

# libxml2's node types (xmlElementType); lines from 65535 up are stored elsewhere: ask lxml
cdef enum:
    ELEMENT = 1
    TEXT = 3
    CDATA = 4
    ENTITY_REF = 5
    PI = 7
    COMMENT = 8
    XINCLUDE_START = 19
    XINCLUDE_END = 20
    BIG_LINE = 65535

# -- lxml's public C-API, through the capsules lxml.etree exports ----------------------------------
ctypedef object (*collect_attributes_t)(node_t *, int)
ctypedef object (*attribute_value_t)(node_t *, audit_xml_attr *)
ctypedef object (*element_factory_t)(void *, node_t *)
ctypedef object (*node_text_t)(node_t *)

cdef dict _CAPI = getattr(lxml.etree, "__pyx_capi__", {})   # missing: ImportError below, not AttributeError
_SIGNATURES = {
    "collectAttributes": "PyObject *(xmlNode *, int)",
    "attributeValue": "PyObject *(xmlNode *, xmlAttr *)",
    "elementFactory": "struct LxmlElement *(struct LxmlDocument *, xmlNode *)",
    "textOf": "PyObject *(xmlNode *)",
    "tailOf": "PyObject *(xmlNode *)",
    "namespacedName": "PyObject *(xmlNode *)",
}


cdef void *_capi(str name) except NULL:
    capsule = _CAPI.get(name)
    if capsule is None:
        raise ImportError(f"lxml.etree has no C-API function {name}")
    cdef const char *signature = PyCapsule_GetName(capsule)
    if signature is NULL or signature.decode() != _SIGNATURES[name]:
        raise ImportError(f"lxml.etree's {name} has an unexpected signature")
    return PyCapsule_GetPointer(capsule, signature)


cdef collect_attributes_t _collect_attributes = <collect_attributes_t>_capi("collectAttributes")
cdef attribute_value_t _attribute_value = <attribute_value_t>_capi("attributeValue")
cdef element_factory_t _element_factory = <element_factory_t>_capi("elementFactory")
cdef node_text_t _text_of = <node_text_t>_capi("textOf")               # el.text
cdef node_text_t _tail_of = <node_text_t>_capi("tailOf")               # el.tail
cdef node_text_t _namespaced_name = <node_text_t>_capi("namespacedName")   # el.tag

# -- the Python walk's tables, shared so the two walks cannot drift apart --------------------------
cdef dict _CODES = _html._CODES
cdef dict _KIND_STATE = _html._KIND_STATE
cdef frozenset _SKIP = _html._SKIP
cdef frozenset _EMBEDS = _html._EMBEDS
cdef tuple _MAIN_TAGS = _html._MAIN_TAGS
cdef tuple _PLAIN = _html._PLAIN
_context_of = _html._context_of
_read_head = _html._read_head
_read_meta = _html._read_meta
cdef int C_INLINE = _html._INLINE
cdef int C_DIV = _html._DIV
cdef int C_KIND = _html._KIND
cdef int C_ITEM = _html._ITEM
cdef int C_LIST = _html._LIST
cdef int C_BR = _html._BR
cdef int C_IMG = _html._IMG
cdef int C_TIME = _html._TIME
cdef int C_A = _html._A
cdef int C_SPECIAL_TAG = _html._SPECIAL_TAG
cdef int C_NOT_ELEMENT = _html._NOT_ELEMENT
cdef int C_SKIPPED = _html._SKIPPED
_code = _html._code
_parsed_block = Block._parsed
if not (C_INLINE < C_DIV < C_KIND < C_ITEM < C_LIST < C_BR < C_SPECIAL_TAG < C_NOT_ELEMENT):
    raise ImportError("html.py's branch codes changed order; _fastwalk relies on it")


# -- what lxml would say of a node -----------------------------------------------------------------
cdef inline str _str(const char *s):
    return PyUnicode_DecodeUTF8(s, strlen(s), NULL)


cdef inline node_t *_text_or_skip(node_t *n) noexcept:
    """lxml's _textNodeOrSkip: this text node, past XInclude markers, or NULL."""
    while n is not NULL:
        if n.type == TEXT or n.type == CDATA:
            return n
        if n.type == XINCLUDE_START or n.type == XINCLUDE_END:
            n = n.next
            continue
        return NULL
    return NULL


cdef bint _blank(node_t *n) noexcept:
    """True if the text lxml would collect from ``n`` is absent, empty or all white space.

    Only ASCII white space is recognised here (what ``str.isspace`` also calls white space);
    anything else answers False and is judged by ``str.isspace`` as in the Python walk.  Most
    text between tags is indentation, and this spares making a str of it.
    """
    cdef const unsigned char *p
    n = _text_or_skip(n)
    while n is not NULL:
        p = <const unsigned char *>n.content
        if p is not NULL:
            while p[0] != 0:
                if not (p[0] == 32 or 9 <= p[0] <= 13 or 28 <= p[0] <= 31):
                    return False
                p += 1
        n = _text_or_skip(n.next)
    return True


cdef inline bint _walked(node_t *n) noexcept:
    """Nodes iterwalk reports: elements, comments, entity references, processing instructions."""
    return n.type == ELEMENT or n.type == COMMENT or n.type == ENTITY_REF or n.type == PI


cdef inline node_t *_next_walked(node_t *n) noexcept:
    while n is not NULL and not _walked(n):
        n = n.next
    return n


cdef object _line(node_t *n, void *cdoc):
    """``el.sourceline``."""
    if n.line == BIG_LINE:
        return _element_factory(cdoc, n).sourceline
    if n.line > 0:
        return n.line
    return None


cdef object _get(node_t *n, const char *name):
    """``el.get(name)`` for a name without a namespace: the first such attribute's value."""
    cdef audit_xml_attr *attr = n.properties
    while attr is not NULL:
        if attr.ns is NULL and strcmp(attr.name, name) == 0:
            return _attribute_value(n, attr)
        attr = attr.next
    return None


cdef str _tag(node_t *n):
    if n.ns is NULL:
        return _str(n.name)
    return _namespaced_name(n)     # "{namespace}name": rare in HTML, let lxml spell it


cdef str _context(list ctx, node_t **els, dict classes, Py_ssize_t top):
    """``html._context``: the joined context of the open elements up to depth ``top``."""
    cdef Py_ssize_t k = len(ctx)
    if k > top:
        return ctx[top]
    cdef str joined = ctx[k - 1]
    cdef str own, tag, v
    cdef node_t *n
    cdef Py_ssize_t i
    for i in range(k, top + 1):
        n = els[i]
        if n.properties is not NULL:
            items = _collect_attributes(n, 3)
            if len(items) == 1 and items[0][0] == "class":
                v = items[0][1]
                own = classes.get(v)
                if own is None:
                    own = "class=" + ".".join(v.split()) if v else ""
                    classes[v] = own
                tag = _tag(n)
                if tag in _MAIN_TAGS:
                    own = "tag=" + tag + " " + own if own else "tag=" + tag
            else:
                own = _context_of(_tag(n), items)     # several attributes: rarer
        else:
            tag = _tag(n)
            own = "tag=" + tag if tag in _MAIN_TAGS else ""
        if own:
            joined = joined + " " + own if joined else own
        ctx.append(joined)
    return joined


cdef class _Walk:
    """The state of one walk; its methods are the Python walk's branches."""

    cdef object doc, aligner
    cdef list log, blocks, links
    cdef void *cdoc
    cdef dict codes, classes
    cdef list ctx
    cdef node_t **els          # the open elements by depth (els[0] unused, like ctx_els[0])
    cdef Py_ssize_t els_cap
    cdef int *code_stack
    cdef Py_ssize_t code_len, code_cap
    cdef Py_ssize_t depth, pending
    # the block being read
    cdef list parts, anchors, plinks
    cdef Py_ssize_t size
    cdef tuple state
    cdef object bctx           # str, or None: "ctx[pending]", computed when a block is made
    cdef list kind_stack, list_stack, link_stack
    cdef Py_ssize_t list_counter
    cdef bint in_body

    def __cinit__(self):
        self.els_cap = 64
        self.els = <node_t **>malloc(self.els_cap * sizeof(node_t *))
        self.code_cap = 64
        self.code_stack = <int *>malloc(self.code_cap * sizeof(int))
        if self.els is NULL or self.code_stack is NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.els)
        free(self.code_stack)

    cdef int push_code(self, int code) except -1:
        cdef int *grown
        if self.code_len == self.code_cap:
            grown = <int *>realloc(self.code_stack, 2 * self.code_cap * sizeof(int))
            if grown is NULL:
                raise MemoryError()
            self.code_stack = grown
            self.code_cap *= 2
        self.code_stack[self.code_len] = code
        self.code_len += 1
        return 0

    cdef int push_element(self, node_t *n) except -1:
        cdef node_t **grown
        self.depth += 1
        if self.depth == self.els_cap:
            grown = <node_t **>realloc(self.els, 2 * self.els_cap * sizeof(node_t *))
            if grown is NULL:
                raise MemoryError()
            self.els = grown
            self.els_cap *= 2
        self.els[self.depth] = n
        return 0

    cdef str context(self, Py_ssize_t top):
        return _context(self.ctx, self.els, self.classes, top)

    cdef int make_block(self, tuple state, list parts, list anchors, str bctx, list plinks) except -1:
        raw = "".join(parts)
        text = normalize(raw)
        if not text:
            return 0
        kind, level, list_id, ordered = state
        block = _parsed_block(kind, raw, text, anchors, level, list_id, ordered, bctx,
                              (self.aligner, len(self.log) - 1))
        index = len(self.blocks)
        block.index = index
        self.blocks.append(block)
        for s, e, href in plinks:
            self.links.append(Link(raw[s:e].strip(), href, index, s, e))
        return 0

    cdef int flush(self) except -1:
        """Make the block being read (if it has text) and start a new one."""
        if self.bctx is None:
            self.bctx = self.context(self.pending)
        self.make_block(self.state, self.parts, self.anchors, self.bctx, self.plinks)
        self.parts, self.anchors, self.size, self.plinks = [], [], 0, []
        return 0

    cdef int add_text(self, str text, node_t *n) except -1:
        """Log and keep a text (``n``: its element, whose line it has) or a tail (``n`` NULL)."""
        if text and (self.parts or not text.isspace()):
            line = _line(n, self.cdoc) if n is not NULL else None
            self.log.append((self.anchors, self.size, text, line, True))   # located lazily
            self.parts.append(text)
            self.size += len(text)
        return 0

    cdef bint start(self, node_t *n) except -1:
        """The "start" event of an element; False when its subtree is skipped."""
        cdef str tag = _tag(n)
        code = self.codes.get(tag)
        if code is None:
            code = _code(self.codes, tag)
        cdef int c = code
        if c >= C_SPECIAL_TAG:
            tag = tag.lower()
            if tag == "body":
                self.in_body = True
                c = C_DIV
            else:
                c = C_INLINE
                if tag == "head":
                    _read_head(self.doc, _element_factory(self.cdoc, n), self.aligner)
                    self.push_code(C_SKIPPED)
                    return False
                if tag in _EMBEDS:
                    src_attr = _get(n, b"src") or _get(n, b"data")
                    if src_attr and self.in_body:
                        self.doc.embeds.append(Embed(tag, src_attr, _line(n, self.cdoc) or 0,
                                                     self.context(self.depth)))
                    if tag == "script" and (_get(n, b"type") or "").lower() == "application/ld+json":
                        script = _text_of(n)
                        if script:
                            self.doc.jsonld.append(script)
                elif tag == "meta":
                    _read_meta(self.doc, _element_factory(self.cdoc, n))
                if tag in _SKIP:
                    self.push_code(C_SKIPPED)
                    return False
        self.push_code(c)
        self.push_element(n)
        if c == C_INLINE:
            pass
        elif c <= C_LIST:                                    # a block element
            if self.parts:
                self.flush()
            if c == C_KIND:
                self.kind_stack.append(_KIND_STATE[tag if tag in _KIND_STATE else tag.lower()])
            elif c == C_ITEM:
                if self.list_stack:
                    lid, ordered = self.list_stack[-1]
                    self.kind_stack.append(("list-item", 0, lid, ordered))
                else:
                    self.kind_stack.append(("list-item", 0, None, False))
            elif c == C_LIST:
                self.list_counter += 1
                self.list_stack.append((self.list_counter, tag == "ol" or tag.lower() == "ol"))
            self.state = self.kind_stack[-1] if self.kind_stack else _PLAIN
            self.bctx = None
            self.pending = self.depth
        elif c == C_A:
            self.link_stack.append((len(self.blocks), self.size, _get(n, b"href")))
        elif c == C_BR:
            if self.parts:
                self.parts.append("\n")
                self.size += 1
        elif c == C_IMG:
            alt = _get(n, b"alt")
            if alt and alt.strip() and self.in_body:
                if self.bctx is None:
                    self.bctx = self.context(self.pending)
                alt_anchors = []
                self.log.append((alt_anchors, 0, alt, _line(n, self.cdoc), True))
                state = self.state
                self.make_block(("alt", state[1], state[2], state[3]), [alt], alt_anchors,
                                self.bctx, [])
        elif c == C_TIME:
            dt = _get(n, b"datetime")
            el = _element_factory(self.cdoc, n)
            self.doc.times.append((dt or "", "".join(el.itertext()).strip(), len(self.blocks)))
        if self.parts or not _blank(n.children):
            text = _text_of(n)
            if text:
                self.add_text(text, n)
        return True

    cdef int end(self, node_t *n) except -1:
        """The "end" event of an element (or of a skipped node): close it, then its tail."""
        self.code_len -= 1
        cdef int c = self.code_stack[self.code_len]
        if c == C_INLINE or c > C_LIST:                     # not a block element
            if self.depth > 0:
                if self.depth == self.pending and self.bctx is None:
                    self.bctx = self.context(self.pending)  # the entry goes
                if len(self.ctx) > self.depth:
                    self.ctx.pop()
                self.depth -= 1
            if c == C_A and self.link_stack:
                count_, start, href = self.link_stack.pop()
                if count_ == len(self.blocks) and self.size > start:
                    self.plinks.append((start, self.size, href))
        elif c == C_SKIPPED:
            pass
        else:
            if self.depth > 0:
                if self.depth == self.pending and self.bctx is None and self.parts:
                    self.bctx = self.context(self.pending)  # the entry goes
                if len(self.ctx) > self.depth:
                    self.ctx.pop()
                self.depth -= 1
            if self.parts:                         # (as written: no context computed here)
                self.make_block(self.state, self.parts, self.anchors, self.bctx, self.plinks)
                self.parts, self.anchors, self.size, self.plinks = [], [], 0, []
            if c == C_KIND or c == C_ITEM:
                if self.kind_stack:
                    self.kind_stack.pop()
            elif c == C_LIST and self.list_stack:
                self.list_stack.pop()
            self.state = self.kind_stack[-1] if self.kind_stack else _PLAIN
            if len(self.ctx) > self.depth:
                self.bctx = self.ctx[self.depth]
            else:
                self.bctx = None
                self.pending = self.depth
        if self.parts or not _blank(n.next):
            tail = _tail_of(n)
            if tail:
                self.add_text(tail, NULL)
        return 0

    cdef int comment(self, node_t *n) except -1:
        text = _str(n.content) if n.content is not NULL else ""
        self.doc.comments.append((text.strip(), self.aligner._line_offset(_line(n, self.cdoc))))
        if self.parts or not _blank(n.next):
            tail = _tail_of(n)
            if tail:
                self.add_text(tail, NULL)
        return 0


def walk(doc, root, aligner):
    """Fill ``doc`` from the tree under ``root`` exactly as ``html._walk_python`` does."""
    if not isinstance(root, lxml.etree._Element):
        raise TypeError("walk() needs an lxml element")
    cdef _Walk w = _Walk()
    w.doc = doc
    w.aligner = aligner
    w.log = aligner.log
    w.blocks = doc.blocks
    w.links = doc.links
    w.cdoc = (<audit_lxml_element *>root)._doc
    w.codes = dict(_CODES)
    w.classes = {}
    w.ctx = [""]
    w.parts, w.anchors, w.plinks = [], [], []
    w.state = _PLAIN
    w.bctx = ""
    w.kind_stack, w.list_stack, w.link_stack = [], [], []
    cdef node_t *top = (<audit_lxml_element *>root)._c_node
    cdef node_t *n = top
    cdef bint descend, ends
    while n is not NULL:
        # the node's own event: "start" (elements and other walked nodes) or "comment"
        descend = False
        ends = True
        if n.type == ELEMENT:
            descend = w.start(n)
        elif n.type == COMMENT:
            w.comment(n)
            ends = False
        else:                                 # an entity reference or processing instruction
            w.push_code(C_SKIPPED)
        if descend:
            child = _next_walked(n.children)
            if child is not NULL:
                n = child
                continue
        # "end" events, then on to the next sibling, climbing as far as needed
        while True:
            if ends:
                w.end(n)
            if n is top:
                n = NULL
                break
            sibling = _next_walked(n.next)
            if sibling is not NULL:
                n = sibling
                break
            n = n.parent
            ends = True
    if w.parts:
        if w.bctx is None:
            w.bctx = w.context(w.pending)
        w.make_block(w.state, w.parts, w.anchors, w.bctx, w.plinks)
