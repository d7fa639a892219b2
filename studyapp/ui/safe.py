"""Text that came from a person (a display name, a query) shown as text, never as Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """``text`` with every Markdown (and KaTeX) character escaped, for st.markdown and labels."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
