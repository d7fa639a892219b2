"""Matched words highlighted in Markdown, without breaking code, maths or links.

The index marks every matched token with two private-use characters (FTS5's
``highlight()``, so "quantized" is marked where the question said "quantization").
Here the marks become the caller's Markdown (Streamlit's ``:orange-background[...]``,
or ``**...**`` in a terminal) wherever Markdown is read as text, and are dropped inside
code, maths and link targets, where a mark would change what renders.
"""

from __future__ import annotations

import re

from studyapp.buddy.index import MARK_CLOSE, MARK_OPEN

# Regions where Markdown is not prose: fenced code, inline code, display and inline maths,
# and the target of a link, ](...).
PROTECTED = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$|\]\([^)\s]*\)", re.S)

JOINED = re.compile(f"{MARK_CLOSE}([ ._-]?){MARK_OPEN}")


def strip_marks(text: str) -> str:
    """The text without any marks."""
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def render_marks(marked: str, before: str = ":orange-background[", after: str = "]") -> str:
    """Replace the index's marks with ``before``/``after`` outside protected regions.

    Inside code, maths and link targets the marks are removed, so those render as written.
    """
    out, cursor = [], 0
    for match in PROTECTED.finditer(marked):
        out.append(_styled(marked[cursor : match.start()], before, after))
        out.append(strip_marks(match.group(0)))
        cursor = match.end()
    out.append(_styled(marked[cursor:], before, after))
    return "".join(out)


def _styled(prose: str, before: str, after: str) -> str:
    # Adjacent marked tokens ("double quantization", "Llama-2-7b") read better as one highlight.
    prose = JOINED.sub(r"\1", prose)
    return prose.replace(MARK_OPEN, before).replace(MARK_CLOSE, after)
