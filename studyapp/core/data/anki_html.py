"""A card's Markdown as the HTML an Anki field holds, with maths in Anki's MathJax delimiters.

Anki renders ``\\(...\\)`` and ``\\[...\\]`` with MathJax, not ``$...$``. Maths is taken out before
the Markdown is rendered (so ``_`` and ``*`` inside a formula are not read as emphasis), HTML-escaped,
and put back between Anki's delimiters; code spans are left alone (a ``$`` in code is a dollar).
Raw HTML in a card is shown as text (``</s>`` is a token the course talks about, not a tag).
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_CODE = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(?!\s)(.+?)(?<!\s)(?<!\\)\$", re.DOTALL)
_SLOT = "ANKIMATHSLOT{}X"


def to_html(markdown: str) -> str:
    """The HTML of ``markdown`` for an Anki field; a single paragraph is not wrapped in <p>."""
    formulas: list[str] = []
    text = _outside_code(markdown, lambda part: _MATH.sub(lambda m: _keep(m, formulas), part))
    rendered = _MARKDOWN.render(text).strip()
    if rendered.count("<p>") == 1 and rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    for index, formula in enumerate(formulas):
        rendered = rendered.replace(_SLOT.format(index), formula)
    return rendered


def _keep(match: re.Match, formulas: list[str]) -> str:
    display, inline = match.group(1), match.group(2)
    formulas.append(f"\\[{html.escape(display, quote=False)}\\]" if display is not None
                    else f"\\({html.escape(inline, quote=False)}\\)")
    return _SLOT.format(len(formulas) - 1)


def _outside_code(text: str, change) -> str:
    parts, at = [], 0
    for code in _CODE.finditer(text):
        parts += [change(text[at:code.start()]), code.group()]
        at = code.end()
    return "".join([*parts, change(text[at:])])
