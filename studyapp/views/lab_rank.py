"""Lab · Rank decomposition: what training put into a layer's B and A, and what rank r can express."""

from __future__ import annotations

import streamlit as st

from studyapp.lab import decompose
from studyapp.lab.registry import linear_layer_names
from studyapp.lab.settings import RankSettings
from studyapp.ui import chart_style, lab_charts, lab_errors, lab_results
from studyapp.ui import lab_controls as lc

LEARNED, RANDOM = "A learned update", "Random A and B"

st.title("Rank decomposition")
st.caption("LoRA's update of a layer is ΔW = scaling · B·A, with B (d × r) and A (r × k): rank at "
           "most r. See what a fine-tune really put there, and what any rank-r update can express.")
lc.warm_up_note()
# A link with rank presets (?r=4) asks for the random view.
linked = any(spec.url_key in st.query_params for spec in RankSettings.specs())
view = st.segmented_control("Show", [LEARNED, RANDOM], default=RANDOM if linked else LEARNED, key="rank-view",
                            help="A learned update comes from your last live fine-tune in this session, or "
                                 "else from the adapter bundled with the Lab. Random A and B show the "
                                 "shape of any rank-r update.") or (RANDOM if linked else LEARNED)

if view == LEARNED:
    trained = st.session_state.get("lab-learned")  # (model, kind, layers), set by the Live fine-tune page
    with lab_errors.guard("Loading the adapter"):
        model, kind, layers = trained or lab_results.bundled_layers()
    source = (f"your last live fine-tune ({kind}, {model})" if trained else
              f"the adapter bundled with the Lab: {model}, r = 8 on every linear layer, 200 steps on the "
              "support data (`studyapp lab train` made it; docs/lab.md has the command)")
    st.markdown(f"From {source}.")
    names = [layer.name for layer in layers]
    name = st.selectbox("Layer", names, key="rank-learned-layer", help=RankSettings.spec("layer").help)
    report = decompose.learned_report(name, layers, model=model)
    layer = layers[names.index(name)]
    c1, c2, c3 = st.columns(3)
    with c1:
        chart_style.show(lab_charts.matrix_heatmap(layer.B, f"B ({report.d} × {report.r})"), key="rank-l-B")
    with c2:
        chart_style.show(lab_charts.matrix_heatmap(layer.A, f"A ({report.r} × {report.k})"), key="rank-l-A")
    with c3:
        title = f"scaling · B·A ({report.d} × {report.k})"
        chart_style.show(lab_charts.matrix_heatmap(layer.delta, title), key="rank-l-delta")
    top = report.energy_kept
    half = next(k for k, share in top if share >= 0.5)
    st.markdown(f"**Numerical rank {report.numerical_rank}** (at most r = {report.r}). The top singular "
                f"direction alone keeps **{top[0][1]:.0%}** of the update; {half} of {report.r} keep half.")
    left, right = st.columns(2)
    with left:
        chart_style.show(lab_charts.singular_values(report.update_singular_values[: 2 * report.r],
                                                    report.w0_singular_values, report.r), key="rank-l-sv")
        st.caption("Singular values of the learned update against those of the random base W0: the update "
                   "uses r directions at most, W0 all of them.")
    with right:
        chart_style.show(lab_charts.energy_kept(top), key="rank-l-energy")
        st.caption("By Eckart–Young, keeping the top k directions is the best rank-k approximation, and it "
                   "loses exactly the rest of the update's energy (squared Frobenius norm).")
    st.stop()

page = lc.presets(RankSettings())
c1, c2, c3, c4 = st.columns(4)
model = lc.widget(RankSettings.spec("model"), page.model, "rank-model", where=c1)
layers = linear_layer_names(model)
layer = c2.selectbox("Layer", layers, index=layers.index(page.layer) if page.layer in layers else 0,
                     key="rank-layer", help=RankSettings.spec("layer").help)
r = lc.widget(RankSettings.spec("r"), page.r, "rank-r", where=c3, slider=True)
alpha = lc.widget(RankSettings.spec("lora_alpha"), page.lora_alpha, "rank-alpha", where=c4)
with lab_errors.guard("Wrapping the layer"):
    m, report = lab_results.random_layer(RankSettings(model, layer, int(r), float(alpha)).check())
st.caption("One layer of a small Llama with random weights, wrapped with A and B both random "
           "(init_lora_weights='no_init'), so the update is not zero and its rank shows.")
limit = lab_charts.shared_limit(m.W, m.delta)
c1, c2 = st.columns(2)
with c1:
    title = f"W0 ({report.d} × {report.k})"
    chart_style.show(lab_charts.matrix_heatmap(m.W, title, limit=limit), key="rank-W")
with c2:
    title = f"scaling · B·A ({report.d} × {report.k})"
    chart_style.show(lab_charts.matrix_heatmap(m.delta, title, limit=limit), key="rank-delta")
st.caption("W0 and the update share one colour range, so their colours compare.")
c3, c4 = st.columns(2)
with c3:
    chart_style.show(lab_charts.matrix_heatmap(m.B, f"B ({report.d} × {report.r})"), key="rank-B")
with c4:
    chart_style.show(lab_charts.matrix_heatmap(m.A, f"A ({report.r} × {report.k})"), key="rank-A")

left, right = st.columns(2)
with left:
    st.markdown(f"**Singular values of the update**: numerical rank **{report.numerical_rank}** "
                f"(at most r = {report.r}).")
    chart_style.show(lab_charts.singular_values(report.update_singular_values, report.w0_singular_values,
                                                report.r), key="rank-singular")
with right:
    d, k = report.d, report.k
    st.markdown(f"**Parameters**: full d·k = {d * k:,}; LoRA r·(d + k) = {report.r * (d + k):,} "
                f"at r = {report.r}.")
    ranks = sorted({1, 2, 4, 8, 16, 32, 64, report.r} | {x for x in (96, 128) if x <= min(d, k)})
    chart_style.show(lab_charts.param_counts(decompose.param_count_curve(d, k, ranks)), key="rank-params")

st.subheader("How well can rank r approximate a real matrix?")
st.caption("The best rank-r approximation of W0 is its truncated SVD (Eckart–Young). Relative error "
           "‖W0 − W_r‖ / ‖W0‖ as r grows. Random weights are nearly full-rank, so the error falls "
           "slowly; LoRA's bet is that the *update* a task needs is low-rank, not the weights.")
chart_style.show(lab_charts.error_curve(report.w0_error_curve), key="rank-error")
