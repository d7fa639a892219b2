"""The Lab's pages, stated once: the router registers them, the sidebar links them, the
course checker accepts links to them (``/lab-build?model=...``), and a URL fuzz learns which
presets each reads (``url_parameters``: the settings classes named here, whose Settings say
each preset's key and kind; tests/lab/test_settings.py checks each page reads exactly these).

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
    presets: tuple[str, ...] = ()  # the lab.settings classes whose presets the page reads from its URL


PANELS = (
    Panel("views/lab_build.py", "Build and wrap", ":material/construction:", "lab-build",
          ("BuildSettings", "LoraSettings")),
    Panel("views/lab_rank.py", "Rank decomposition", ":material/grid_on:", "lab-rank", ("RankSettings",)),
    Panel("views/lab_memory.py", "4-bit vs 16-bit", ":material/memory:", "lab-memory",
          ("EstimateSettings", "QuantizeSettings")),
    Panel("views/lab_train.py", "Live fine-tune", ":material/monitoring:", "lab-train",
          ("TrainSettings", "LoraSettings")),
)


def url_paths() -> frozenset[str]:
    """The URL paths of every Lab page (what a unit may link to)."""
    return frozenset(p.url_path for p in PANELS)


def url_parameters(view: str) -> dict[str, str]:
    """URL key -> kind ("number", "bool" or "text") of every preset Lab page `view` reads.

    Raises:
        KeyError: `view` is not a Lab page.
    """
    from studyapp.lab import settings

    panel = next((p for p in PANELS if p.view == view), None)
    if panel is None:
        raise KeyError(f"{view!r} is not a Lab page")
    kinds = {bool: "bool", int: "number", float: "number"}
    return {spec.url_key: kinds.get(spec.kind, "text")
            for name in panel.presets for spec in getattr(settings, name).specs()}
