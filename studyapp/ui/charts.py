"""Plotly figures for Home: the review forecast and the study calendar, in the one chart style."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import plotly.graph_objects as go

from studyapp.core.nudges import plural
from studyapp.ui import chart_style

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def forecast_figure(days: list[tuple[date, int]]) -> go.Figure:
    """Bar chart of reviews due on each coming day (overdue cards are due today)."""
    labels = ["Today" if i == 0 else d.strftime("%a %d") for i, (d, _) in enumerate(days)]
    fig = go.Figure(go.Bar(x=labels, y=[n for _, n in days], marker_color=chart_style.PRIMARY,
                           hovertemplate="%{x}: %{y} reviews<extra></extra>"))
    fig.update_layout(xaxis_title="day", yaxis_title="cards due", yaxis_rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", dtick=None if any(n > 5 for _, n in days) else 1)
    if not any(n for _, n in days):
        fig.add_annotation(text="Nothing scheduled yet: review some cards first", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5, font=dict(color=chart_style.INK))
    return chart_style.styled(fig, height=280, title=f"Reviews due, next {len(days)} days")


def calendar_figure(activity: Counter, today: date, weeks: int = 12, *, noun: str = "study action",
                    title: str = "Study activity (reviews and quiz answers)") -> go.Figure:
    """GitHub-style heatmap of study actions (each a ``noun``) per day over the last ``weeks`` weeks,
    with month labels under the weeks where a month starts and a colour scale of actions per day."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    z, text = [[None] * weeks for _ in range(7)], [[""] * weeks for _ in range(7)]
    for offset in range((today - start).days + 1):
        day = start + timedelta(days=offset)
        week, weekday = divmod(offset, 7)
        z[weekday][week] = activity.get(day, 0)
        text[weekday][week] = f"{day:%a %d %b}: {plural(activity.get(day, 0), noun)}"
    top = max([1, *(activity.get(start + timedelta(days=i), 0) for i in range((today - start).days + 1))])
    fig = go.Figure(chart_style.heatmap(
        z, zmin=0, zmax=top, diverging=False, colorbar_title=f"{noun.split()[-1]}s a day", text=text, hoverinfo="text",
        xgap=3, ygap=3, x=list(range(weeks)), y=list(WEEKDAYS),
    ))
    ticks = _month_ticks(start, weeks)
    fig.update_xaxes(tickvals=[w for w, _ in ticks], ticktext=[m for _, m in ticks], showgrid=False,
                     zeroline=False, title_text="")
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return chart_style.styled(fig, height=280, title=title)


def _month_ticks(start: date, weeks: int) -> list[tuple[int, str]]:
    """(week column, 'Mar') under each column holding the 1st of a month, and under the first
    column unless a month begins within two columns of it (the labels would collide)."""
    ticks = []
    for week in range(weeks):
        firsts = [start + timedelta(days=7 * week + d) for d in range(7)]
        ticks += [(week, f"{day:%b}") for day in firsts if day.day == 1]
    if not ticks or ticks[0][0] >= 2:
        ticks.insert(0, (0, f"{start:%b}"))
    return ticks
