"""Text layout shared by every stage: paragraphs, and a markup-free view for parsing.

Saved articles come hard-wrapped (paragraphs split by blank lines, lines by single
newlines) or one paragraph per line. Both are read the same way here. The analysis
view drops Markdown emphasis marks, so the parser is not confused by ``*Reuters:*``,
and keeps a map back to the stored text so every finding still points at its characters.
"""

from __future__ import annotations

import re

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"\n")
_EMPHASIS = re.compile(r"(?<![\w*_])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*_])")


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blank-line separated if the text has blank lines,
    else one paragraph per line."""
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE
    bounds, position = [], 0
    for match in separator.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


_WRAPPED_LINE = re.compile(r"(?<=[^\n])\n(?=[^\n])")


def unwrap_lines(text: str) -> str:
    """Hard-wrapped paragraphs joined into single lines, newline for space (same length).

    Only texts whose paragraphs are separated by blank lines are hard-wrapped; in the
    others every line is a paragraph and stays one.
    """
    if not _BLANK_LINE.search(text):
        return text
    return _WRAPPED_LINE.sub(" ", text)


_DOUBLED_MARKS = re.compile(r"''|``")


def single_char_quote_pairs(text: str) -> str:
    """Typewriter quote pairs (``''word''``, ````word''``) as one straight double mark
    plus a space, same length: opening ``' "'`` before a word, closing ``'" '`` after one."""

    def one(match: re.Match[str]) -> str:
        start = match.start()
        before = text[start - 1] if start > 0 else " "
        return ' "' if before.isspace() or before in "([{—–-" else '" '

    return _DOUBLED_MARKS.sub(one, text)


def strip_markup(text: str) -> tuple[str, list[int] | None]:
    """``text`` without emphasis marks, and where each of its characters came from.

    The map has one entry per character of the result plus one for its end; ``None``
    means nothing was removed and offsets are the same.
    """
    removed = [m.span() for m in _EMPHASIS.finditer(text)]
    if not removed:
        return text, None
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for start, end in removed:
        pieces.append(text[position:start])
        offsets.extend(range(position, start))
        position = end
    pieces.append(text[position:])
    offsets.extend(range(position, len(text) + 1))
    return "".join(pieces), offsets
