"""Lab · Live fine-tune: LoRA on a small Llama, the loss curve as it trains, then the checks."""

from __future__ import annotations

import tempfile
import time

import plotly.graph_objects as go
import streamlit as st

from studyapp.lab import train
from studyapp.ui import lab_controls as lc

st.title("Live fine-tune")
st.caption("A short LoRA fine-tune of a small Llama (random weights) on bundled customer-support "
           "exchanges. The loss falls within seconds; press Stop at any time.")

c1, c2, c3 = st.columns(3)
steps = c1.slider("Steps", 10, 300, lc.preset("steps", 60), key="train-steps", help=train.TrainSettings.__dataclass_fields__["steps"].metadata["help"])
lr = c2.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], value=1e-2, key="train-lr",
                      help=train.TrainSettings.__dataclass_fields__["learning_rate"].metadata["help"])
model = c3.selectbox("Model", ["tiny-llama", "small-llama"], key="train-model",
                     help=train.TrainSettings.__dataclass_fields__["model"].metadata["help"])
settings = lc.lora_controls(key="train", targets_default="all-linear")
state = st.session_state.setdefault("lab-train", {"history": [], "report": None, "stopped": False})


def loss_figure(history: list) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[h[0] for h in history], y=[h[1] for h in history], mode="lines",
                               line=dict(color="#6C4CE0", width=3)))
    fig.update_layout(height=320, xaxis_title="step", yaxis_title="training loss (nats/token)",
                      margin=dict(l=10, r=10, t=10, b=10))
    return fig


def run_training(chart, progress) -> None:
    """Train, redrawing the chart at most every 0.3 s (so at least three times a second)."""
    fine_tune = train.FineTune(train.TrainSettings(model=model, steps=steps, learning_rate=lr), settings)
    state.update(history=[], report=None, stopped=False)
    last_draw = 0.0
    for step in fine_tune.steps():
        state["history"].append((step.step, step.loss))
        if time.perf_counter() - last_draw > 0.3 or step.step == steps:
            chart.plotly_chart(loss_figure(state["history"]), key=f"train-live-{step.step}")
            progress.progress(step.step / steps, text=f"step {step.step}/{steps} · loss {step.loss:.3f}")
            last_draw = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        state["report"] = fine_tune.after_training(folder).to_dict()


if lc.show_settings_problems(settings):
    st.stop()
start, stop = st.columns([1, 1])
go_clicked = start.button("Train", key="train-start", type="primary")
# A click on Stop reruns the page, which ends the running loop; the curve so far is kept.
if stop.button("Stop", key="train-stop"):
    state["stopped"] = bool(state["history"]) and state["report"] is None
chart, progress = st.empty(), st.empty()
if go_clicked:
    lc.run_heavy(lambda: run_training(chart, progress), train.fine_tune_bytes(train.TrainSettings(model=model)),
                 "Fine-tune")
if state["history"]:
    chart.plotly_chart(loss_figure(state["history"]), key="train-final")
    first, last = state["history"][0][1], state["history"][-1][1]
    st.markdown(f"Loss **{first:.3f} → {last:.3f}** over {len(state['history'])} steps"
                + (" (stopped)." if state["stopped"] else "."))

report = state["report"]
if report:
    st.subheader("After training")
    merge, saved, alpha = report["merge"], report["saved"], report["alpha"]
    c1, c2, c3 = st.columns(3)
    c1.metric("merge_and_unload: max |merged − unmerged|", f"{merge['max_abs_diff']:.2e}",
              help=f"float32 rounding only; logits are up to {merge['max_abs_logit']:.1f} in size")
    c2.metric("Adapter on disk", lc.mb(sum(saved["adapter_files"].values())),
              help=", ".join(f"{k}: {v:,} B" for k, v in saved["adapter_files"].items()))
    c3.metric("Full model on disk", lc.mb(sum(saved["full_files"].values())))
    st.markdown(f"Reloading the saved adapter gives outputs that differ by **{report['reload_max_abs_diff']:.2e}**.")
    st.markdown(
        f"**Doubling lora_alpha after training** (scaling {alpha['scaling_before']:.3g} → {alpha['scaling_after']:.3g}) "
        f"moves the logits by up to {alpha['max_abs_diff']:.3g} (training itself moved them by "
        f"{alpha['trained_vs_base']:.3g}); the loss goes from {alpha['loss_trained']:.3f} to {alpha['loss_scaled']:.3f}. "
        "lora_alpha is a training hyper-parameter, not a dial for inference.")
