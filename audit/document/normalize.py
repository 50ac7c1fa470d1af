"""Text normalisation for matching, with a way back to the original characters.

Rules match against normalised text (NFKC, one kind of space, straight quotes,
ASCII hyphens, no soft hyphens) so that scraped pages full of U+00A0 and curly
quotes match the same phrases as clean drafts.  Reports must show the exact
original excerpt, so :func:`normalize_tracked` also returns, for every
normalised character, the index of the original character it came from.

Normalisation is defined per character (a cached per-character NFKC mapping)
followed by whitespace collapsing.  That definition lets the fast path
(``str.translate`` + ``split``/``join``) and the tracked path agree by construction;
both work on whole strings in C, not character by character in Python.
"""

from __future__ import annotations

import re
import unicodedata
from unicodedata import is_normalized as _is_normalized

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
        if len(out) != 1:
            _ODD.add(ch)
        return out


_TABLE = _CharMap()
_SPACES = re.compile(r" {2,}")


_ASCII_WS = {ord(c): " " for c in "\t\n\r\x0b\x0c"}
_ASCII_WS.update({c: " " for c in range(0, 32) if chr(c) not in "\t\n\r\x0b\x0c"})
_ASCII_WS[127] = " "


# Characters whose mapping is not their NFKC form: the special cases, control characters and
# the non-ASCII spaces (these map to a space, like everything ``split()`` splits on).  Any other
# character that the table changes is not NFKC-stable on its own, so a text in NFKC (checked
# in C by ``unicodedata.is_normalized``) has none.  Verified over every code point.
_NOT_NFKC = "".join(sorted(
    set(_SPECIAL) | {chr(c) for c in range(32) if chr(c) not in "\t\n\x0b\x0c\r"}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | set("\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
          "\u2028\u2029\u202f\u205f\u3000")))
_NOT_NFKC_RE = re.compile("[" + re.escape(_NOT_NFKC) + "]")
_NOT_NFKC_MAP: dict[str, str] = {}      # filled on first use (the table computes each entry)


def normalize(text: str) -> str:
    """Return the matching form of ``text``: mapped characters, single spaces, stripped.

    After mapping, the only whitespace left is U+0020 (every ``isspace()`` character maps to a
    space), so collapsing runs and stripping is ``" ".join(s.split())``, done in C.

    ``str.translate`` with a dict costs ~50 ns per character, and most non-ASCII block text
    only has a few characters that change (curly quotes, dashes, non-breaking spaces, soft
    hyphens).  So those few are found with one regex and replaced one by one with
    ``str.replace`` (each replacement is printable ASCII or nothing, so order cannot matter
    and the result is what the table gives); if what is left is in NFKC, every character maps
    to itself and ``split()`` finishes the job.  Only other texts are translated.
    """
    if text.isascii():
        out = " ".join(text.split())
        if out.isprintable():          # else a control character split() keeps (NUL, ESC, DEL...)
            return out
        return " ".join(text.translate(_ASCII_WS).split())
    found = _NOT_NFKC_RE.findall(text)
    if found:
        table = _NOT_NFKC_MAP
        for ch in set(found):
            out = table.get(ch)
            if out is None:
                out = table[ch] = _TABLE[ord(ch)]
            text = text.replace(ch, out)
    if _is_normalized("NFKC", text):
        return " ".join(text.split())
    return " ".join(text.translate(_TABLE).split())


def normalize_tracked(text: str) -> tuple[str, list[int]]:
    """Like :func:`normalize`, plus ``index[i]`` = original index of normalised char ``i``.

    ``index`` has one extra trailing entry: the original index just past the
    last kept character, so a half-open span ``[s, e)`` maps to
    ``[index[s], index[e - 1] + 1)``.

    Computed by slices rather than per character: characters that map to one character keep
    their index; the few that map to none or several (soft hyphen, ellipsis, ligatures) are
    found with a regex; runs of spaces are found with another.
    """
    if text.isascii():
        mapped = text.translate(_ASCII_WS)
        pre = None                         # identity: mapped[k] comes from text[k]
    else:
        mapped = text.translate(_TABLE)
        odd = _odd_chars().search(text)
        if odd is None:
            pre = None
        else:
            pre = []
            prev = 0
            for m in _odd_chars().finditer(text, odd.start()):
                i = m.start()
                pre.extend(range(prev, i))
                pre.extend([i] * len(_TABLE[ord(text[i])]))
                prev = i + 1
            pre.extend(range(prev, len(text)))
    end = len(mapped.rstrip(" "))
    pos = len(mapped) - len(mapped.lstrip(" "))
    if pos >= end:
        return "", [0]
    segments = []
    for m in _SPACES.finditer(mapped, pos, end):
        segments.append((pos, m.start() + 1))
        pos = m.end()
    segments.append((pos, end))
    index: list[int] = []
    if pre is None:
        for a, b in segments:
            index.extend(range(a, b))
    else:
        for a, b in segments:
            index.extend(pre[a:b])
    out = "".join([mapped[a:b] for a, b in segments])
    index.append(index[-1] + 1)
    return out, index


_ODD: set[str] = set()          # characters whose mapping is not exactly one character
_ODD_RE = [None, -1]            # compiled class of _ODD, and the size it was built for


def _odd_chars():
    """A compiled class of the characters in ``_ODD`` (rebuilt when the table learns more)."""
    if _ODD_RE[1] != len(_ODD):
        _ODD_RE[0] = re.compile("[" + re.escape("".join(sorted(_ODD))) + "]") if _ODD else re.compile("(?!)")
        _ODD_RE[1] = len(_ODD)
    return _ODD_RE[0]


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing its length (needed for offset-safe matching).

    The one character whose lower case is longer, U+0130 'İ' ('i' + combining dot), becomes
    plain 'i': case-insensitive rule patterns (the ``regex`` module) match it as 'i', so the
    literal prefilter and the phrase automaton must see an 'i' there too.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower()[0] for c in text)
