"""Plain text and Markdown into Blocks.

Paragraphs are runs of non-blank lines.  A line that starts with a list
marker ("•", "-", "*", "1.", "2)") starts a list item; consecutive items
with the same kind of marker form one list, even across blank lines.  In
Markdown, ``#`` lines are headings.  In plain text, a short line that stands
alone and does not end like a sentence is taken as a heading.
"""

from __future__ import annotations

import re

from audit.document.model import Block, Document

_ITEM = re.compile(r"^[ \t\u00a0]*(?P<m>[•●▪◦‣∙·*+\-–]|\d{1,3}[.)]|[a-zA-Z][.)](?=\s))[ \t\u00a0]+(?=\S)")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TEXT_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*audit-[A-Za-z]")   # '# audit-ignore ID' (audit/suppress.py)


def _looks_like_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 120:
        return False
    if s[-1] in ".,;!" and not s.endswith("..."):
        return False
    if s.endswith(":"):
        return False
    return len(s.split()) <= 14


def parse_text(doc: Document, *, markdown: bool = False) -> Document:
    content = doc.content
    lines = content.split("\n")
    offset = 0
    para: list[tuple[int, str]] = []     # (source offset, line text)
    list_id = 0
    current_list: tuple[int, bool] | None = None   # (id, ordered)
    blank_run = 0
    first_block = True

    def flush_para():
        nonlocal para, first_block
        if not para:
            return
        raw_parts, anchors, pos = [], [], 0
        for off, text in para:
            if raw_parts:
                raw_parts.append("\n")
                pos += 1
            anchors.append((pos, off))
            raw_parts.append(text)
            pos += len(text)
        raw = "".join(raw_parts)
        kind = "paragraph"
        if len(para) == 1 and _looks_like_heading(raw):
            kind = "title" if first_block else "heading"
        doc.add(Block(kind, raw, anchors, level=1 if kind != "paragraph" else 0))
        first_block = False
        para = []

    in_comment = False
    for line in lines:
        start = offset
        offset += len(line) + 1
        text = line[:-1] if line.endswith("\r") else line
        if markdown:
            if in_comment or text.lstrip().startswith("<!--"):
                doc.comments.append((text.strip(), start))
                in_comment = "-->" not in text
                flush_para()
                continue
        elif _TEXT_DIRECTIVE.match(text):     # a suppression line is not text to audit
            doc.comments.append((text.strip(), start))
            flush_para()
            continue
        stripped = text.strip(" \t\u00a0\ufeff")
        if not stripped:
            flush_para()
            blank_run += 1
            continue
        lead = len(text) - len(text.lstrip(" \t\u00a0\ufeff"))
        if markdown:
            h = _MD_HEADING.match(text)
            if h:
                flush_para()
                current_list = None
                level = len(h.group(1))
                body_start = h.start(2)
                body = h.group(2)
                doc.add(Block("title" if first_block and level == 1 else "heading", body,
                              [(0, start + body_start)], level=level))
                first_block = False
                continue
            if _MD_RULE.match(text):
                flush_para()
                continue
        m = _ITEM.match(text)
        if m and not (markdown is False and m.group("m") in "-*" and _MD_RULE.match(text)):
            flush_para()
            marker = m.group("m")
            ordered = marker[0].isdigit() or (marker[0].isalpha())
            if current_list is None or current_list[1] != ordered or blank_run > 2:
                list_id += 1
                current_list = (list_id, ordered)
            body = text[m.end():]
            doc.add(Block("list-item", body, [(0, start + m.end())], list_id=current_list[0],
                          ordered=ordered, marker=marker))
            first_block = False
            blank_run = 0
            continue
        current_list = None   # prose ends a list; the next item starts a new one
        para.append((start + lead, text[lead:]))
        blank_run = 0
    flush_para()
    return doc
