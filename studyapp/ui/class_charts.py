"""Figures for the instructor's Class page."""

from __future__ import annotations

import plotly.graph_objects as go

from studyapp.ui import chart_style


def mastery_distribution(rows, unit_titles: dict[str, str]) -> go.Figure:
    """One box per unit: how mastered the unit is across the class (each dot a student).

    Boxes are named "Unit N" (full titles would overlap on the axis); the hover names the unit.
    """
    fig = go.Figure()
    for slug, title in unit_titles.items():
        values = [100 * r.mastery[slug] for r in rows if slug in r.mastery]
        fig.add_trace(go.Box(y=values, name=f"Unit {title.split('.')[0]}", boxpoints="all", jitter=0.4, pointpos=0,
                             marker=dict(color=chart_style.PRIMARY, size=7), line=dict(color=chart_style.PRIMARY),
                             hovertemplate="%{y:.0f}% mastered<extra>" + title.replace("%", "%%") + "</extra>"))
    fig.update_layout(showlegend=False, yaxis=dict(title="cards mastered (%)", range=[-2, 102]))
    fig.update_xaxes(tickangle=0)
    return chart_style.styled(fig, height=320, title="Mastery across the class, per unit")
