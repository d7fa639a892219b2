"""One chart style for every Plotly figure in the app (study pages and the Lab).

Figures are built by functions in ui/ (never by pages) and finished by
:func:`styled`, which sets the theme's colours, readable ticks (AA contrast on
white), the legend above the plot (so it never covers an axis title), and
clean log axes. :func:`show` draws a figure without Plotly's toolbar: its seven
buttons per chart sit in the keyboard Tab order and cover charts on a phone.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

PRIMARY = "#6C4CE0"  # .streamlit/config.toml primaryColor
# Series colours after the primary: distinguishable with the common colour-vision deficiencies.
SERIES = (PRIMARY, "#D9822B", "#1F8A70", "#C0392B", "#5B6770", "#B8860B")
INK = "#1E1B2E"  # textColor of the theme
MUTED_INK = "#4A4560"  # tick labels: 8.9:1 on white (AA needs 4.5:1)
GRID = "#E6E2F3"
DIVERGING = "RdBu_r"  # heatmaps of signed weights: blue negative, red positive, white at zero
SEQUENTIAL = [[0, "#F4F1FD"], [1, "#3B1FA8"]]  # counts and magnitudes: light to the theme's purple
CONFIG = {"displayModeBar": False, "responsive": True}


def styled(fig: go.Figure, *, height: int = 300, title: str | None = None) -> go.Figure:
    """Apply the app's style to ``fig`` in place and return it."""
    fig.update_layout(
        template="plotly_white", height=height, colorway=list(SERIES),
        font=dict(color=INK, size=13), margin=dict(l=10, r=10, t=48 if title else 28, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(color=INK)),
        hoverlabel=dict(font_size=13),
    )
    if title:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top",
                                     font=dict(size=15, color=INK)))
    fig.update_xaxes(tickfont=dict(color=MUTED_INK), title_font=dict(color=INK), gridcolor=GRID,
                     automargin=True)
    fig.update_yaxes(tickfont=dict(color=MUTED_INK), title_font=dict(color=INK), gridcolor=GRID,
                     automargin=True)
    _tidy_log_axes(fig)
    return fig


def _tidy_log_axes(fig: go.Figure) -> None:
    # Plotly labels 2 and 5 between decades on log axes; keep only the powers of ten.
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        if axis.type == "log":
            axis.update(dtick=1, exponentformat="power", minor=dict(showgrid=False))


def heatmap(z, *, zmin: float | None = None, zmax: float | None = None, diverging: bool = True,
            colorbar_title: str = "", show_scale: bool = True, **trace) -> go.Heatmap:
    """A heatmap trace with a colour scale; pass the same zmin/zmax to heatmaps that compare."""
    bar = dict(title=dict(text=colorbar_title, side="right"), thickness=12,
               tickfont=dict(color=MUTED_INK), outlinewidth=0)
    return go.Heatmap(z=z, zmin=zmin, zmax=zmax, zmid=0 if diverging and zmin is None else None,
                      colorscale=DIVERGING if diverging else SEQUENTIAL, showscale=show_scale,
                      colorbar=bar, **trace)


def show(fig: go.Figure, key: str, **kwargs) -> None:
    """Draw ``fig`` full-width, without the Plotly toolbar (see the module docstring)."""
    st.plotly_chart(fig, key=key, config=CONFIG, **kwargs)
