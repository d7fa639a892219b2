"""Text that must appear as typed inside Markdown: a search query, a slug from the URL.

Streamlit renders captions, info boxes and most labels as Markdown (with GFM
autolinks, KaTeX and its own ``:icon:`` and ``:color[...]`` directives), so a
query such as ``![x](http://host/pixel.png)`` would load an image. CommonMark lets
any ASCII punctuation be escaped with a backslash; escaping all of it leaves no
syntax for any of those extensions to find.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def escape_markdown(text: str) -> str:
    """``text`` as Markdown that renders exactly as ``text``, on one line.

    Line breaks become spaces (a caption is one line; a newline could start a
    heading or a list), and NUL, which no renderer shows, becomes U+FFFD.
    """
    flat = _LINE_BREAKS.sub(" ", text.replace("\x00", "\ufffd"))
    return _PUNCTUATION.sub(r"\\\1", flat)
