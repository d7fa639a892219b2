"""Text that must appear as typed inside Markdown: a search query, a slug from the URL.

Streamlit renders captions, info boxes and most labels as Markdown (with GFM
autolinks, KaTeX and its own ``:icon:`` and ``:color[...]`` directives), so a
query such as ``![x](http://host/pixel.png)`` would load an image. CommonMark lets
any ASCII punctuation be escaped with a backslash, and we escape all of it except
what cannot start any syntax in the middle of a line (``, ; ? ' " % = ^ / -``, and
``_`` between two letters or digits, as in ``merge_and_unload``), so ordinary words
stay as they are in the Markdown source.
"""

from __future__ import annotations

import re
import string

_INERT = set(",;?'\"%=^/-")  # markup only at the start of a line, if at all
_SPECIAL = re.compile("[" + re.escape(string.punctuation) + "]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders exactly as ``text``, on one line.

    Line breaks become spaces (a caption is one line; a newline could start a
    heading or a list), and NUL, which no renderer shows, becomes U+FFFD.
    """
    flat = _LINE_BREAKS.sub(" ", text.replace("\x00", "\ufffd"))
    return _SPECIAL.sub(lambda m: _escaped(flat, m.start()), flat)


def _escaped(text: str, i: int) -> str:
    char = text[i]
    if i > 0 and char in _INERT:
        return char
    if char == "_" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
        return char  # intraword: never emphasis in CommonMark
    return "\\" + char
