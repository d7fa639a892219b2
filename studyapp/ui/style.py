"""A little CSS on top of the theme: the recall card and the unit header."""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
.st-key-drill-card { cursor: pointer; min-height: 12rem; transition: box-shadow .15s ease; }
.st-key-drill-card:hover { box-shadow: 0 4px 18px rgba(108, 76, 224, .18); }
.st-key-drill-card h4 { padding-top: .2rem; }
</style>
"""


def apply() -> None:
    """Inject the app's CSS once per run."""
    st.html(CSS)
