"""Plotly figures for the Statistics page, in the one chart style (``chart_style.styled``)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import plotly.graph_objects as go

from studyapp.core.stats import Day, Retention
from studyapp.ui import chart_style

YOUNG, MATURE, LEARNING, CRAM = chart_style.SERIES[2], chart_style.SERIES[0], chart_style.SERIES[1], chart_style.SERIES[4]


def _empty(fig: go.Figure, text: str) -> None:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font=dict(color=chart_style.INK))


def retention_figure(series: list[tuple[date, Retention]], desired: float, grouping: str) -> go.Figure:
    """True retention per period (all, young, mature) against the desired retention (dashed)."""
    fig = go.Figure()
    for name, colour, passed, total in (("all", chart_style.INK, "passed", "total"),
                                        ("young", YOUNG, "young_passed", "young"),
                                        ("mature", MATURE, "mature_passed", "mature")):
        points = [(start, getattr(r, passed), getattr(r, total)) for start, r in series if getattr(r, total)]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in points], y=[p[1] / p[2] * 100 for p in points], name=name, mode="lines+markers",
            line=dict(color=colour, width=3 if name == "all" else 1.5), customdata=[[p[1], p[2]] for p in points],
            hovertemplate=f"{name} · %{{x}}: %{{y:.1f}}% (%{{customdata[0]}} of %{{customdata[1]}} recalled)"
                          "<extra></extra>"))
    fig.add_hline(y=desired * 100, line_dash="dash", line_color=chart_style.MUTED_INK,
                  annotation_text=f"desired {desired:.0%}", annotation_position="bottom right")
    fig.update_layout(xaxis_title=grouping, yaxis_title="recalled (%)")
    fig.update_yaxes(range=[0, 102])
    if not series:
        _empty(fig, "No reviews of review-state cards yet")
    return chart_style.styled(fig, height=320, title=f"True retention per {grouping}")


def reviews_figure(days: dict[date, Day], today: date, span: int = 30) -> go.Figure:
    """Reviews on each of the last ``span`` study days: new/learning, young and mature reviews, cram."""
    dates = [today - timedelta(days=span - 1 - i) for i in range(span)]
    rows = [days.get(d, Day()) for d in dates]
    fig = go.Figure()
    for name, colour, values in (("new & learning", LEARNING, [r.learning for r in rows]),
                                 ("young", YOUNG, [r.young for r in rows]),
                                 ("mature", MATURE, [r.mature for r in rows]),
                                 ("cram (not scheduled)", CRAM, [r.cram for r in rows])):
        fig.add_trace(go.Bar(x=dates, y=values, name=name, marker_color=colour,
                             hovertemplate=f"%{{x|%a %d %b}}: %{{y}} {name}<extra></extra>"))
    fig.update_layout(barmode="stack", xaxis_title="day", yaxis_title="reviews")
    fig.update_yaxes(rangemode="tozero")
    if not any(r.reviews or r.cram for r in rows):
        _empty(fig, f"No reviews in the last {span} days")
    return chart_style.styled(fig, height=300, title=f"Reviews a day, last {span} days")


def time_figure(days: dict[date, Day], today: date, span: int = 30) -> go.Figure:
    """Minutes spent reviewing on each of the last ``span`` study days (cramming stacked on top)."""
    dates = [today - timedelta(days=span - 1 - i) for i in range(span)]
    rows = [days.get(d, Day()) for d in dates]
    fig = go.Figure()
    for name, colour, values in (("reviews", MATURE, [r.milliseconds / 60000 for r in rows]),
                                 ("cram", CRAM, [r.cram_milliseconds / 60000 for r in rows])):
        fig.add_trace(go.Bar(x=dates, y=values, name=name, marker_color=colour,
                             hovertemplate=f"%{{x|%a %d %b}}: %{{y:.1f}} min ({name})<extra></extra>"))
    fig.update_layout(barmode="stack", xaxis_title="day", yaxis_title="minutes")
    fig.update_yaxes(rangemode="tozero")
    if not any(r.milliseconds or r.cram_milliseconds for r in rows):
        _empty(fig, f"No timed reviews in the last {span} days")
    return chart_style.styled(fig, height=300, title=f"Time spent a day (minutes), last {span} days")


def binned(values: list[float], edges: list[float]) -> list[int]:
    """How many ``values`` fall in each bin [edges[i], edges[i+1]); the last bin takes everything above."""
    counts = [0] * (len(edges) - 1)
    for v in values:
        counts[next((i for i in range(len(edges) - 1) if v < edges[i + 1]), len(edges) - 2)] += 1
    return counts


def histogram(values: list[float], edges: list[float], labels: list[str], *, title: str,
              x_title: str) -> go.Figure:
    """Cards per bin of ``values`` (one labelled bar per bin)."""
    fig = go.Figure(go.Bar(x=labels, y=binned(values, edges), marker_color=chart_style.PRIMARY,
                           hovertemplate="%{x}: %{y} cards<extra></extra>"))
    fig.update_layout(xaxis_title=x_title, yaxis_title="cards")
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    if not values:
        _empty(fig, "No studied cards here yet")
    return chart_style.styled(fig, height=280, title=title)


STABILITY_EDGES = [0, 1, 3, 7, 14, 21, 30, 60, 120, 365, math.inf]  # days; 21: Anki's mature line
STABILITY_LABELS = ["<1", "1–3", "3–7", "7–14", "14–21", "21–30", "30–60", "60–120", "120–365", "365+"]


def stability_figure(stabilities: list[float]) -> go.Figure:
    """Cards by FSRS stability: days until predicted recall falls to 90%."""
    return histogram(stabilities, STABILITY_EDGES, STABILITY_LABELS, title="Stability (days)",
                     x_title="stability (days)")


def difficulty_figure(difficulties: list[float]) -> go.Figure:
    """Cards by FSRS difficulty, 1 (easiest) to 10 (hardest)."""
    edges = [1, 2, 3, 4, 5, 6, 7, 8, 9, math.inf]
    labels = [f"{a}–{a + 1}" for a in range(1, 10)]
    return histogram(difficulties, edges, labels, title="Difficulty (1 easiest – 10 hardest)", x_title="difficulty")


def retrievability_figure(values: list[float]) -> go.Figure:
    """Cards by predicted recall now, in tenths."""
    edges = [i / 10 for i in range(10)] + [math.inf]
    labels = [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    return histogram(values, edges, labels, title="Retrievability now (%)", x_title="predicted recall now")


def workload_figure(chosen, saved, today: date) -> go.Figure:
    """Expected reviews on each coming day at the retention being chosen (bars) and at the saved one
    (a line, when they differ); both are ``core.workload.Workload``."""
    dates = [today + timedelta(days=i) for i in range(len(chosen.per_day))]
    fig = go.Figure(go.Bar(x=dates, y=list(chosen.per_day), name=f"at {chosen.desired_retention:.2f}",
                           marker_color=chart_style.PRIMARY,
                           hovertemplate="%{x|%a %d %b}: %{y:.1f} reviews expected<extra></extra>"))
    if saved is not None and saved.desired_retention != chosen.desired_retention:
        fig.add_trace(go.Scatter(x=dates, y=list(saved.per_day), name=f"at {saved.desired_retention:.2f} (saved)",
                                 mode="lines", line=dict(color=chart_style.SERIES[1], width=2),
                                 hovertemplate="%{x|%a %d %b}: %{y:.1f} reviews expected<extra></extra>"))
    fig.update_layout(xaxis_title="day", yaxis_title="reviews (expected)")
    fig.update_yaxes(rangemode="tozero")
    return chart_style.styled(fig, height=260, title=f"Expected reviews a day, next {len(dates)} days")
