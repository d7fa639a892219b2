"""Plotly figures for Home: the review forecast and the study calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import plotly.graph_objects as go

LAYOUT = dict(margin=dict(l=10, r=10, t=30, b=10), height=260, template="plotly_white")


def forecast_figure(days: list[tuple[date, int]]) -> go.Figure:
    """Bar chart of reviews due on each coming day (overdue cards are due today)."""
    labels = ["Today" if i == 0 else d.strftime("%a %d") for i, (d, _) in enumerate(days)]
    fig = go.Figure(go.Bar(x=labels, y=[n for _, n in days], marker_color="#6C4CE0",
                           hovertemplate="%{x}: %{y} reviews<extra></extra>"))
    fig.update_layout(title="Reviews due, next 14 days", yaxis_title="cards", yaxis_rangemode="tozero", **LAYOUT)
    if not any(n for _, n in days):
        fig.add_annotation(text="Nothing scheduled yet: review some cards first", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def calendar_figure(activity: Counter, today: date, weeks: int = 12) -> go.Figure:
    """GitHub-style heatmap of study actions per day over the last ``weeks`` weeks."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    z, text = [[None] * weeks for _ in range(7)], [[""] * weeks for _ in range(7)]
    for offset in range((today - start).days + 1):
        day = start + timedelta(days=offset)
        week, weekday = divmod(offset, 7)
        z[weekday][week] = activity.get(day, 0)
        text[weekday][week] = f"{day:%a %d %b}: {activity.get(day, 0)} actions"
    fig = go.Figure(go.Heatmap(
        z=z, text=text, hoverinfo="text", xgap=3, ygap=3, showscale=False,
        zmin=0, zmax=max([1, *activity.values()]),
        colorscale=[[0, "#EEEAFB"], [0.01, "#C9BCF5"], [1, "#4B2BBF"]],
        y=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    ))
    fig.update_layout(title="Study activity", xaxis=dict(showticklabels=False), yaxis=dict(autorange="reversed"), **LAYOUT)
    return fig
