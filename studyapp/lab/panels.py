"""The Lab's pages, stated once: the router registers them, the sidebar links them, and
the course checker accepts links to them (``/lab-build?model=...``).

Light: no torch. ``core/`` never imports this module; callers pass the URL paths in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    """One Lab page: its view file, sidebar title and icon, and URL path."""

    view: str  # relative to studyapp/, as st.Page wants it
    title: str
    icon: str
    url_path: str


PANELS = (
    Panel("views/lab_build.py", "Build and wrap", ":material/construction:", "lab-build"),
    Panel("views/lab_rank.py", "Rank decomposition", ":material/grid_on:", "lab-rank"),
    Panel("views/lab_memory.py", "4-bit vs 16-bit", ":material/memory:", "lab-memory"),
    Panel("views/lab_train.py", "Live fine-tune", ":material/monitoring:", "lab-train"),
)


def url_paths() -> frozenset[str]:
    """The URL paths of every Lab page (what a unit may link to)."""
    return frozenset(p.url_path for p in PANELS)
