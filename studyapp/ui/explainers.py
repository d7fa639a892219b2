"""Live explainers embedded in unit text: sliders and a Plotly figure, no torch.

The names and maths are in ``studyapp.core.explainers``; this module draws them.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from studyapp.core import explainers as ex


def render(name: str, params: dict, key: str) -> None:
    """Draw the explainer ``name`` with its presets; ``key`` keeps widgets unique per block."""
    with st.container(border=True):
        st.caption("VISUAL EXPLAINER · move the sliders")
        DRAW[name](params, key)


def _slider(param: ex.Param, params: dict, key: str, column) -> int:
    return column.slider(param.label, param.low, param.high, int(params.get(param.name, param.default)),
                         key=f"{key}-{param.name}", help=param.help)


def _lora_params(params: dict, key: str) -> None:
    cols = st.columns(3)
    d, k, r = (_slider(p, params, key, c) for p, c in zip(ex.LORA_PARAMS, cols))
    full, lora = ex.full_params(d, k), ex.lora_params(d, k, r)
    m1, m2, m3 = st.columns(3)
    m1.metric("Full update d·k", f"{full:,}")
    m2.metric("LoRA r·(d+k)", f"{lora:,}")
    m3.metric("LoRA / full", f"{ex.lora_share(d, k, r):.3%}")
    ranks = list(range(1, min(256, ex.break_even_rank(d, k)) + 1))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ranks, y=[ex.lora_params(d, k, x) for x in ranks], name="LoRA r·(d+k)",
                             line=dict(color="#6C4CE0", width=3)))
    fig.add_trace(go.Scatter(x=ranks, y=[full] * len(ranks), name="full d·k", line=dict(color="#E0564C", dash="dash")))
    fig.add_trace(go.Scatter(x=[r], y=[lora], mode="markers", name=f"r = {r}", marker=dict(size=12, color="#222")))
    fig.update_layout(xaxis_title="rank r", yaxis_title="trainable parameters", yaxis_type="log",
                      height=320, margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h"))
    st.plotly_chart(fig, key=f"{key}-chart")
    st.caption(f"LoRA saves parameters while r < d·k/(d+k) ≈ {ex.break_even_rank(d, k):,} for this shape.")


def _lora_scaling(params: dict, key: str) -> None:
    cols = st.columns(2)
    r, alpha = (_slider(p, params, key, c) for p, c in zip(ex.SCALING_PARAMS, cols))
    ranks = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ranks, y=[ex.scaling(alpha, x) for x in ranks], name="lora_alpha / r"))
    fig.add_trace(go.Scatter(x=ranks, y=[ex.scaling(alpha, x, use_rslora=True) for x in ranks], name="rsLoRA: lora_alpha / √r"))
    fig.update_layout(xaxis_type="log", xaxis_title="rank r", yaxis_title="scaling", height=300,
                      margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h"))
    st.metric("scaling at this r", f"{ex.scaling(alpha, r):.3g}", help="peft multiplies B·A·x by this")
    st.plotly_chart(fig, key=f"{key}-chart")


DRAW = {"lora-params": _lora_params, "lora-scaling": _lora_scaling}
assert set(DRAW) == set(ex.NAMES), "every registered explainer needs a drawing"
