"""The Document: what every rule sees, and the way back to source positions.

A Document is a list of Blocks (title, headings, paragraphs, list items,
cells, captions, alt text).  Each Block keeps three things:

* ``raw``: its original text (entities decoded, markup removed),
* ``anchors``: sorted ``(raw_index, source_offset)`` pairs; between two
  anchors raw characters and source characters advance together (for HTML
  they are computed on first use: see ``html._Aligner.run_to``),
* ``text``: the normalised form that rules match against.

A match on ``text`` maps to ``raw`` through the tracked normalisation
(computed lazily, only for blocks that produce findings), then to a source
offset through the anchors, then to a 1-based line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from audit.document.normalize import normalize, normalize_tracked

_NEWLINE = re.compile("\n")
_END = re.Match.end


def line_starts(text: str) -> list[int]:
    """Offset of the first character of every line (lines end with ``\n``), at C speed.

    ``finditer`` + ``map(Match.end)`` never leaves C and never copies the lines, about a third
    cheaper than summing the lengths of ``text.split("\n")`` (a page is ~1,700 lines).
    """
    return [0, *map(_END, _NEWLINE.finditer(text))]


@dataclass(frozen=True, slots=True)
class Span:
    """A located excerpt: 1-based line/column, end column exclusive (as in SARIF)."""

    line: int
    column: int
    end_line: int
    end_column: int
    excerpt: str


_new = object.__new__


class Block:
    """One unit of visible text with its origin."""

    __slots__ = (
        "index", "kind", "raw", "_anchors", "_align", "text", "level", "list_id", "ordered",
        "context", "marker", "__dict__",
    )

    def __init__(self, kind: str, raw: str, anchors: list[tuple[int, int]], *,
                 level: int = 0, list_id: int | None = None, ordered: bool = False,
                 context: str = "", marker: str = "", align=None):
        self.index = -1
        self.kind = kind            # title, heading, paragraph, list-item, cell, caption, alt
        self.raw = raw
        self._anchors = anchors
        # (aligner, step): ``anchors`` is filled by running the document's aligner up to
        # ``step`` the first time a position is needed (most blocks never need one).
        self._align = align
        self.text = normalize(raw)
        self.level = level          # heading level (1-6), 0 otherwise
        self.list_id = list_id      # items of one list share an id
        self.ordered = ordered      # numbered list
        self.context = context      # ancestor id/class/role/aria/data tokens (HTML)
        self.marker = marker        # list marker as written ("1.", "•", "-")

    @classmethod
    def _parsed(cls, kind: str, raw: str, text: str, anchors: list[tuple[int, int]], level: int,
                list_id: int | None, ordered: bool, context: str, align) -> Block:
        """A Block whose ``text`` the parser already normalised (to drop empty blocks early).

        Same fields as ``__init__``, positional and without keyword parsing: the HTML walk makes
        one per block of every page, so the call overhead is worth saving.
        """
        self = _new(cls)
        self.index = -1
        self.kind = kind
        self.raw = raw
        self._anchors = anchors
        self._align = align
        self.text = text
        self.level = level
        self.list_id = list_id
        self.ordered = ordered
        self.context = context
        self.marker = ""
        return self

    @property
    def anchors(self) -> list[tuple[int, int]]:
        """Sorted ``(raw_index, source_offset)`` pairs (computed on first use for HTML)."""
        align = self._align
        if align is not None:
            self._align = None
            align[0].run_to(align[1])
        return self._anchors

    @anchors.setter
    def anchors(self, value: list[tuple[int, int]]) -> None:
        self._anchors = value
        self._align = None

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
        return line_starts(self.content)

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
