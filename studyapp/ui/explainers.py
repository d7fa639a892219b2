"""Live explainers embedded in unit text: sliders and a Plotly figure, no torch.

The names and maths are in ``studyapp.core.explainers``; this module draws them,
in the one chart style (ui/chart_style.py), with byte sizes in binary units
(core/units.py), as everywhere in the app.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from studyapp.core import explainers as ex
from studyapp.core import units
from studyapp.ui import chart_style


def render(name: str, params: dict, key: str) -> None:
    """Draw the explainer ``name`` with its presets; ``key`` keeps widgets unique per block."""
    with st.container(border=True, key=f"explainer-{key}"):
        st.caption("VISUAL EXPLAINER · move the sliders")
        DRAW[name](params, key)


def _slider(param: ex.Param, params: dict, key: str, column) -> int:
    return column.slider(param.label, param.low, param.high, int(params.get(param.name, param.default)),
                         key=f"{key}-{param.name}", help=param.help)


# Figures are cached by their inputs: a unit page reruns on every rating and tick, and building
# and styling a Plotly figure costs 20-60 ms; the cached figure is only read when it is drawn.
_figure_cache = st.cache_resource(max_entries=256, show_spinner=False)


def _lora_params(params: dict, key: str) -> None:
    cols = st.columns(3)
    d, k, r = (_slider(p, params, key, c) for p, c in zip(ex.LORA_PARAMS, cols))
    with st.container(horizontal=True, gap="medium"):
        st.metric("Full update d·k", f"{ex.full_params(d, k):,}")
        st.metric("LoRA r·(d+k)", f"{ex.lora_params(d, k, r):,}")
        st.metric("LoRA / full", f"{ex.lora_share(d, k, r):.3%}")
    chart_style.show(_lora_params_figure(d, k, r), key=f"{key}-chart")
    st.caption(f"LoRA saves parameters while r < d·k/(d+k) ≈ {ex.break_even_rank(d, k):,} for this shape.")


@_figure_cache
def _lora_params_figure(d: int, k: int, r: int) -> go.Figure:
    ranks = list(range(1, min(256, ex.break_even_rank(d, k)) + 1))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ranks, y=[ex.lora_params(d, k, x) for x in ranks], name="LoRA r·(d+k)",
                             line=dict(color=chart_style.SERIES[0], width=3)))
    fig.add_trace(go.Scatter(x=ranks, y=[ex.full_params(d, k)] * len(ranks), name="full d·k",
                             line=dict(color=chart_style.SERIES[1], dash="dash")))
    fig.add_trace(go.Scatter(x=[r], y=[ex.lora_params(d, k, r)], mode="markers", name=f"r = {r}",
                             marker=dict(size=12, color=chart_style.INK)))
    fig.update_layout(xaxis_title="rank r", yaxis_title="trainable parameters", yaxis_type="log")
    return chart_style.styled(fig, height=320)


def _lora_scaling(params: dict, key: str) -> None:
    cols = st.columns(2)
    r, alpha = (_slider(p, params, key, c) for p, c in zip(ex.SCALING_PARAMS, cols))
    st.metric("scaling at this r", f"{ex.scaling(alpha, r):.3g}", help="peft multiplies B·A·x by this")
    chart_style.show(_scaling_figure(alpha), key=f"{key}-chart")


@_figure_cache
def _scaling_figure(alpha: int) -> go.Figure:
    ranks = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ranks, y=[ex.scaling(alpha, x) for x in ranks], name="lora_alpha / r"))
    fig.add_trace(go.Scatter(x=ranks, y=[ex.scaling(alpha, x, use_rslora=True) for x in ranks],
                             name="rsLoRA: lora_alpha / √r"))
    fig.update_layout(xaxis_type="log", xaxis_title="rank r", yaxis_title="scaling")
    return chart_style.styled(fig, height=300)


def _quant_formats(block: int, nested: int) -> dict[str, float]:
    """Bits per weight of each format the explainer compares."""
    return {"bf16": 16.0, "LLM.int8 (≈8)": 8.0, "NF4": ex.nf4_bits(block),
            "NF4 + double quant": ex.nf4_double_quant_bits(block, nested)}


def _quant_bits(params: dict, key: str) -> None:
    cols = st.columns(3)
    size, block, nested = (_slider(p, params, key, c) for p, c in zip(ex.QUANT_PARAMS, cols))
    with st.container(horizontal=True, gap="medium"):
        for name, bits in _quant_formats(block, nested).items():
            st.metric(name, units.gib(_weight_bytes(size, bits)), help=f"{bits:.4g} bits per weight")
    chart_style.show(_quant_figure(size, block, nested), key=f"{key}-chart")
    st.caption("Only the linear layers are quantized; embeddings, norms and lm_head stay 16-bit "
               "(the LoRA Lab's 4-bit vs 16-bit panel counts them exactly for real models).")


@_figure_cache
def _quant_figure(size: int, block: int, nested: int) -> go.Figure:
    formats = _quant_formats(block, nested)
    fig = go.Figure(go.Bar(x=list(formats), y=[_weight_bytes(size, b) / units.GIB for b in formats.values()],
                           marker_color=["#8C8799", "#B9A8F0", "#8A6CE8", chart_style.PRIMARY],
                           text=[f"{b:.3f} bits" for b in formats.values()], textposition="outside",
                           hovertemplate="%{x}: %{y:.2f} GiB<extra></extra>"))
    fig.update_layout(yaxis_title="GiB for the quantized weights")
    return chart_style.styled(fig, height=300)


def _unmerged_cost(params: dict, key: str) -> None:
    cols = st.columns(3)
    d, k, r = (_slider(p, params, key, c) for p, c in zip(ex.UNMERGED_PARAMS, cols))
    st.metric("Extra multiply-adds per token, unmerged", f"{ex.unmerged_overhead(d, k, r):.2%}",
              help="r·(d+k) for x → A x → B (A x), against d·k for W0 x; merged, the extra cost is zero")
    chart_style.show(_unmerged_figure(d, k), key=f"{key}-chart")
    st.caption("FLOPs are only part of the cost: each unmerged adapter adds two small matmuls and kernel "
               "launches per layer, which weigh more at batch size 1.")


@_figure_cache
def _unmerged_figure(d: int, k: int) -> go.Figure:
    ranks = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    fig = go.Figure(go.Scatter(x=ranks, y=[100 * ex.unmerged_overhead(d, k, x) for x in ranks],
                               mode="lines+markers", name="extra FLOPs"))
    fig.update_layout(xaxis_type="log", xaxis_title="rank r", yaxis_title="extra FLOPs (%)")
    return chart_style.styled(fig, height=280)


def _weight_bytes(params_b: float, bits: float) -> float:
    """Bytes of ``params_b`` billion weights at ``bits`` bits."""
    return ex.weight_gib(params_b, bits) * units.GIB


DRAW = {"lora-params": _lora_params, "lora-scaling": _lora_scaling, "quant-bits": _quant_bits,
        "unmerged-cost": _unmerged_cost}
assert set(DRAW) == set(ex.NAMES), "every registered explainer needs a drawing"
