"""Table totals that do not add up.

Only HTML tables carry their rows and columns; in scraped plain text the
cells run together and cannot be parsed safely.  For each table, a row
whose first cell says "Total" is compared, column by column, with the sum
of the rows above it (since the previous total row); columns where any
cell fails to parse as a number are skipped.  A difference larger than
rounding (0.5 %) is reported on the total row's cell.
"""

from __future__ import annotations

import re

from audit.checks.base import Hit

_TOTAL = re.compile(r"^\s*(?:grand\s+)?totals?\b", re.I)
_NUMBER = re.compile(r"^[\s$\u20ac\u00a3]*(-?\d{1,3}(?:,\d{3})+|-?\d+)(?:\.(\d+))?\s*%?\s*$")


def _num(text: str) -> float | None:
    m = _NUMBER.match(text or "")
    if not m:
        return None
    whole = m.group(1).replace(",", "")
    return float(f"{whole}.{m.group(2)}") if m.group(2) else float(whole)


def _rows(table):
    for tr in table.iter("tr"):
        yield ["".join(td.itertext()).strip() for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]


def check_table_totals(rule, ctx):
    doc = ctx.doc
    if doc.format != "html" or not any(b.kind == "cell" and _TOTAL.match(b.text) for b in doc.blocks):
        return
    import lxml.etree as etree

    try:
        root = etree.fromstring(doc.content.encode("utf-8", "replace"), etree.HTMLParser(recover=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return
    if root is None:
        return
    total_cells = [b for b in doc.blocks if b.kind == "cell" and _TOTAL.match(b.text)]
    seen = 0
    for table in root.iter("table"):
        body: list[list[str]] = []
        for cells in _rows(table):
            if not cells:
                continue
            if _TOTAL.match(cells[0]):
                block = total_cells[seen] if seen < len(total_cells) else None
                seen += 1
                for col in range(1, len(cells)):
                    stated = _num(cells[col])
                    column = [_num(r[col]) if col < len(r) else None for r in body]
                    if stated is None or not column or any(v is None for v in column):
                        continue
                    actual = sum(column)
                    if abs(actual - stated) > max(0.005 * abs(actual), 0.01) and block is not None:
                        yield Hit(block, 0, len(block.text), {
                            "match": f"{cells[0]}: {cells[col]}", "expected": f"{actual:,.10g}",
                            "found": cells[col]})
                body = []
            elif any(_num(c) is not None for c in cells[1:]):
                body.append(cells)      # header rows and text rows are not part of the sum
