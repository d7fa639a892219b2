"""A unit's cards by level (new, learning, young, mature) as one stacked bar, with its legend.

Plain HTML, not a Plotly figure: six small bars on Home would cost six charts.
The bar is an image to assistive tech with its counts as its label, and every
count is also written out in the legend, so colour is never the only carrier.
"""

from __future__ import annotations

import html

import streamlit as st

from studyapp.core.mastery import Level

# Light to dark as the memory gets stronger; the theme's purple for mature.
COLOURS = {Level.NEW: "#E6E2F3", Level.LEARNING: "#E8A25C", Level.YOUNG: "#9C84EC", Level.MATURE: "#3B1FA8"}
ORDER = (Level.MATURE, Level.YOUNG, Level.LEARNING, Level.NEW)


def bar(levels: dict, key: str) -> None:
    """Draw the stacked bar for ``levels`` (Level -> count) with a one-line legend."""
    total = sum(levels.values()) or 1
    label = ", ".join(f"{levels.get(lv, 0)} {lv.value}" for lv in ORDER)
    segments = "".join(
        f'<span style="width:{100 * levels.get(lv, 0) / total:.2f}%;background:{COLOURS[lv]}"></span>'
        for lv in ORDER if levels.get(lv, 0))
    legend = " ".join(
        f'<span class="lvl-key"><i style="background:{COLOURS[lv]}"></i>{levels.get(lv, 0)} {lv.value}</span>'
        for lv in ORDER)
    with st.container(key=f"levels-{key}"):
        st.html(f'<div class="lvl-bar" role="img" aria-label="Cards by level: {html.escape(label)}">'
                f'{segments}</div><div class="lvl-legend" aria-hidden="true">{legend}</div>')
