"""Every Lab figure, built from the Lab's typed results and finished with chart_style.

Pages call one function per figure and draw it with chart_style.show. Byte sizes are in
GiB or MiB (core/units); heatmaps carry a colour scale, and heatmaps a student compares
(W0 and the update) share one colour range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from studyapp.core.units import GIB, MIB
from studyapp.ui import chart_style

PART_TITLES = {"quantized_codes": "weights (codes)", "quant_stats": "quantization constants",
               "kept": "kept in 16-bit"}
ESTIMATE_TITLES = {"weights": "base weights", "lora_weights": "LoRA weights (fp32)",
                   "gradients": "LoRA gradients", "optimizer": "AdamW states", "activations": "activations"}


def format_bars(formats: Mapping[str, object], titles: Mapping[str, str]) -> go.Figure:
    """Weight memory per format (memory.FormatBytes), stacked by part, in GiB."""
    names = [titles[f] for f in formats]
    fig = go.Figure([go.Bar(name=title, x=names, y=[getattr(b, part) / GIB for b in formats.values()],
                            hovertemplate="%{x}: %{y:.2f} GiB<extra>" + title + "</extra>")
                     for part, title in PART_TITLES.items()])
    fig.update_layout(barmode="stack", yaxis_title="GiB (weights only)")
    return chart_style.styled(fig, height=320)


def estimate_stack(estimate) -> go.Figure:
    """A training-memory estimate (memory.TrainingEstimate) stacked by part, in GiB."""
    fig = go.Figure([go.Bar(name=title, x=["estimate"], y=[getattr(estimate, part) / GIB],
                            hovertemplate=f"{title}: %{{y:.2f}} GiB<extra></extra>")
                     for part, title in ESTIMATE_TITLES.items()])
    fig.update_layout(barmode="stack", yaxis_title="GiB")
    return chart_style.styled(fig, height=340)


def matrix_heatmap(z, title: str, *, limit: float | None = None, colorbar_title: str = "value") -> go.Figure:
    """One matrix as a heatmap with a diverging colour scale centred at 0.

    Pass the same `limit` to heatmaps that are compared: their colours then mean the same value.
    """
    z = np.asarray(z)
    limit = float(limit if limit is not None else np.abs(z).max() or 1.0)
    fig = go.Figure(chart_style.heatmap(z, zmin=-limit, zmax=limit, colorbar_title=colorbar_title,
                                        hovertemplate="row %{y}, column %{x}: %{z:.3g}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title="row (out feature)")
    fig.update_xaxes(title="column (in feature)")
    return chart_style.styled(fig, height=300, title=title)


def shared_limit(*matrices) -> float:
    """The largest |value| over `matrices`: one colour range for heatmaps that are compared."""
    return float(max(np.abs(np.asarray(m)).max() for m in matrices)) or 1.0


def singular_values(update: Sequence[float], w0: Sequence[float] | None = None,
                    r: int | None = None) -> go.Figure:
    """Singular values of the update (and of W0, for scale) on a log axis, largest first."""
    fig = go.Figure()
    if w0 is not None:
        fig.add_trace(go.Scatter(x=list(range(1, len(w0) + 1)), y=list(w0), name="W0", mode="lines"))
    fig.add_trace(go.Scatter(x=list(range(1, len(update) + 1)), y=list(update), name="scaling · B·A",
                             mode="lines+markers"))
    if r is not None:
        fig.add_vline(x=r + 0.5, line_dash="dot", line_color=chart_style.MUTED_INK,
                      annotation_text=f"r = {r}", annotation_position="top right")
    fig.update_layout(xaxis_title="index (largest first)", yaxis_title="singular value", yaxis_type="log")
    return chart_style.styled(fig, height=300)


def energy_kept(shares: Sequence[tuple[int, float]]) -> go.Figure:
    """Share of the update's energy (squared Frobenius norm) in its top k singular directions."""
    fig = go.Figure(go.Bar(x=[k for k, _ in shares], y=[100 * s for _, s in shares],
                           text=[f"{100 * s:.0f}%" for _, s in shares], textposition="outside",
                           marker_color=chart_style.PRIMARY,
                           hovertemplate="top %{x}: %{y:.1f}%<extra></extra>"))
    fig.update_layout(xaxis_title="k (top singular directions kept)", yaxis_title="% of the update kept",
                      yaxis_range=[0, 110], xaxis_dtick=1)
    return chart_style.styled(fig, height=300)


def param_counts(curve) -> go.Figure:
    """d·k against r·(d + k) (decompose.ParamCountRow) as r grows."""
    fig = go.Figure([go.Scatter(x=[c.r for c in curve], y=[c.lora for c in curve], name="LoRA r·(d + k)"),
                     go.Scatter(x=[c.r for c in curve], y=[c.full for c in curve], name="full d·k",
                                line=dict(dash="dash"))])
    fig.update_layout(xaxis_title="r", yaxis_title="parameters")
    return chart_style.styled(fig, height=300)


def error_curve(errors: Sequence[tuple[int, float]]) -> go.Figure:
    """Relative error of W0's best rank-r approximation against r (log r)."""
    fig = go.Figure(go.Scatter(x=[r for r, _ in errors], y=[e for _, e in errors], mode="lines+markers",
                               name="‖W0 − W_r‖ / ‖W0‖"))
    fig.update_layout(xaxis_type="log", xaxis_title="r", yaxis_title="relative error", yaxis_range=[0, 1.05])
    return chart_style.styled(fig, height=300)


def loss_curves(histories: Mapping[str, Sequence]) -> go.Figure:
    """Training loss per step, one line per run (LoRA, QLoRA), on one chart."""
    fig = go.Figure([go.Scatter(x=[s.step for s in steps], y=[s.loss for s in steps], mode="lines", name=kind,
                                line=dict(width=3),
                                hovertemplate=f"{kind} step %{{x}}: loss %{{y:.3f}}<extra></extra>")
                     for kind, steps in histories.items() if steps])
    fig.update_layout(xaxis_title="step", yaxis_title="training loss (nats/token)", showlegend=True)
    return chart_style.styled(fig, height=320)


def memory_bars(reports) -> go.Figure:
    """Base weight memory (accounted, measured) and peak memory of each run, in MiB."""
    kinds = [r.kind for r in reports]
    traces = [go.Bar(name=f"base weights, {part}", x=kinds,
                     y=[getattr(r.base_memory, part) / MIB for r in reports])
              for part in ("accounted", "measured")]
    if all(r.peak.bytes is not None for r in reports):
        traces.append(go.Bar(name="peak memory", x=kinds, y=[r.peak.bytes / MIB for r in reports]))
    fig = go.Figure(traces)
    fig.update_layout(barmode="group", yaxis_title="MiB")
    return chart_style.styled(fig, height=320)
