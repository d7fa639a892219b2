"""Lab · Rank decomposition: W, A, B and B·A of a real layer, and what rank r can express."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from studyapp.lab import decompose
from studyapp.ui import lab_controls as lc

st.title("Rank decomposition")
st.caption("One layer of a small Llama with random weights, wrapped with A and B both random "
           "(so the update is not zero and its rank shows). The update is scaling · B·A, of rank at most r.")

LAYERS = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.0.mlp.down_proj"]
c1, c2, c3 = st.columns(3)
layer = c1.selectbox("Layer", LAYERS, key="rank-layer", help="A linear layer of the small trainable Llama.")
r = c2.slider("r", 1, 32, lc.preset("r", 4), key="rank-r", help="Rank of the adapter: B is d × r, A is r × k.")
alpha = c3.slider("lora_alpha", 1, 64, int(lc.preset("alpha", 8)), key="rank-alpha", help="scaling = lora_alpha / r")


@st.cache_data(show_spinner="Wrapping the layer…", max_entries=32)
def matrices(layer: str, r: int, alpha: int) -> dict:
    m = decompose.demo_layer("small-llama", layer, r=r, lora_alpha=alpha)
    return {"W": m.W, "A": m.A, "B": m.B, "delta": m.delta, "scaling": m.scaling}


m = matrices(layer, r, alpha)
d, k = m["W"].shape
fig = make_subplots(rows=1, cols=4, column_widths=[0.35, 0.15, 0.15, 0.35],
                    subplot_titles=(f"W0 ({d} × {k})", f"B ({d} × {r})", f"A ({r} × {k})", f"scaling · B·A ({d} × {k})"))
for col, name in enumerate(["W", "B", "A", "delta"], start=1):
    fig.add_trace(go.Heatmap(z=m[name], colorscale="RdBu", zmid=0, showscale=False), row=1, col=col)
fig.update_yaxes(autorange="reversed")
fig.update_layout(height=330, margin=dict(l=10, r=10, t=40, b=10))
st.plotly_chart(fig, key="rank-heatmaps")

values = decompose.singular_values(m["delta"])
rank = decompose.numerical_rank(values)
left, right = st.columns(2)
with left:
    st.markdown(f"**Singular values of the update**: numerical rank **{rank}** (at most r = {r}).")
    shown = values[: min(len(values), 3 * r + 8)]
    bars = go.Figure(go.Bar(x=list(range(1, len(shown) + 1)), y=shown, marker_color="#6C4CE0"))
    bars.update_layout(height=280, xaxis_title="index", yaxis_title="singular value", yaxis_type="log",
                       margin=dict(l=10, r=10, t=10, b=10))
    st.plotly_chart(bars, key="rank-singular")
with right:
    ranks = sorted({1, 2, 4, 8, 16, 32, 64, r} | {x for x in (96, 128) if x <= min(d, k)})
    curve = decompose.param_count_curve(d, k, ranks)
    st.markdown(f"**Parameters**: full d·k = {d * k:,}; LoRA r·(d + k) = {r * (d + k):,} at r = {r}.")
    pc = go.Figure([go.Scatter(x=[c.r for c in curve], y=[c.lora for c in curve], name="LoRA r·(d+k)"),
                    go.Scatter(x=[c.r for c in curve], y=[c.full for c in curve], name="full d·k", line=dict(dash="dash"))])
    pc.update_layout(height=280, xaxis_title="r", yaxis_title="parameters", margin=dict(l=10, r=10, t=10, b=10),
                     legend=dict(orientation="h"))
    st.plotly_chart(pc, key="rank-params")

st.subheader("How well can rank r approximate a real matrix?")
st.caption("The best rank-r approximation of W0 is its truncated SVD (Eckart–Young). Relative error "
           "‖W0 − W_r‖ / ‖W0‖ as r grows. Random weights are nearly full-rank, so the error falls slowly; "
           "LoRA's bet is that the *update* a task needs is low-rank, not the weights.")
error_ranks = [x for x in (1, 2, 4, 8, 16, 32, 64, 128, 256) if x <= min(d, k)]
errors = decompose.low_rank_error_curve(np.asarray(m["W"]), error_ranks)
err = go.Figure(go.Scatter(x=[e[0] for e in errors], y=[e[1] for e in errors], mode="lines+markers"))
err.update_layout(height=280, xaxis_type="log", xaxis_title="r", yaxis_title="relative error",
                  margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(err, key="rank-error")
