"""What a page must never show, whatever its URL or data: the checks of the URL fuzz."""

from __future__ import annotations

import math
import re

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from apptest_helpers import APP
from url_params import PIXEL_URL

MD = MarkdownIt("commonmark")


def open_with(page: str, params: dict):
    """The page opened from the real entry point with ``params`` in its URL.

    The first run (it registers the pages, so a Lab page can be switched to by its file)
    is of the search page with no query, the cheapest page: Home would cost twice as much.
    """
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page("views/search.py")
    at.run()
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error",
                  "success", "toast")


def problems(at, ranges: dict) -> list[str]:
    """Everything on the page that hostile input (a URL parameter, stored data) must not cause."""
    found = [f"exception: {_exception_text(e)}" for e in at.exception]
    for kind in MARKDOWN_KINDS:
        found += [f"{kind} renders the URL's Markdown: {e.value[:200]!r}" for e in getattr(at, kind)
                  if _renders_probe(str(e.value))]
    found += [f"popover label renders the URL's Markdown: {label[:200]!r}"
              for label in (p.proto.popover.label for p in at.get("popover")) if _renders_probe(label)]
    for widget in [*at.number_input, *at.slider]:
        low, high = ranges.get(widget.key, (widget.min, widget.max))
        values = widget.value if isinstance(widget.value, (list, tuple)) else [widget.value]
        found += [f"{widget.key} = {v!r}, outside [{low}, {high}]" for v in values
                  if v is None or not math.isfinite(v) or not low <= v <= high]
    found += [f"metric {m.label} = {m.value!r}" for m in at.metric
              if re.search(r"\b(nan|inf|infinity)\b", str(m.value), re.I)]
    return found


def _exception_text(element) -> str:
    # Streamlit redacts the message on screen; the test wants the real one, from the stack.
    return " | ".join([element.proto.type, element.proto.message[:200], *element.proto.stack_trace[-2:]])


CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)


def _renders_probe(markdown: str) -> bool:
    """The probe URL would become an image or a link (GFM autolinks bare URLs outside code)."""
    tokens = [c for t in MD.parse(markdown) if t.type == "inline" for c in t.children or []]
    targets = [str(t.attrGet("src") or t.attrGet("href") or "") for t in tokens
               if t.type in ("image", "link_open")]
    return any("127.0.0.1:9" in t for t in targets) or PIXEL_URL in CODE_SPAN.sub("", markdown)
