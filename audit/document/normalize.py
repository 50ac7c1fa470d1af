"""Text normalisation for matching, with a way back to the original characters.

Rules match against normalised text (NFKC, one kind of space, straight quotes,
ASCII hyphens, no soft hyphens) so that scraped pages full of U+00A0 and curly
quotes match the same phrases as clean drafts.  Reports must show the exact
original excerpt, so :func:`normalize_tracked` also returns, for every
normalised character, the index of the original character it came from.

Normalisation is defined per character (a cached per-character NFKC mapping)
followed by whitespace collapsing.  That definition lets the fast path
(``str.translate`` + one regex) and the tracked path agree by construction.
"""

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
