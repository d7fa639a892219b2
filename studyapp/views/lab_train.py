"""Lab · Live fine-tune: LoRA or QLoRA on a small Llama, the loss curve as it trains, then the checks."""

from __future__ import annotations

import itertools

import streamlit as st

from studyapp.core.units import human_bytes
from studyapp.lab import tasks
from studyapp.lab.generate import printable
from studyapp.lab.settings import TrainSettings
from studyapp.lab.train import default_train_lora
from studyapp.ui import chart_style, lab_charts, lab_errors, lab_jobs, lab_tables
from studyapp.ui import lab_controls as lc

LORA, QLORA, BOTH = "LoRA (32-bit base)", "QLoRA (4-bit NF4 base)", "Both, to compare"

st.title("Live fine-tune")
st.caption("A short fine-tune of a small Llama (random weights) on bundled customer-support exchanges, with "
           "a 32-bit base (LoRA) or a base quantized to NF4 by bitsandbytes (QLoRA), or both one after the "
           "other. The loss falls within seconds; Stop ends training and still checks what was trained.")
lc.warm_up_note()

page = lc.presets(TrainSettings())
spec = TrainSettings.spec
c1, c2, c3 = st.columns(3)
steps = lc.widget(spec("steps"), page.steps, "train-steps", where=c1, slider=True)
lr = lc.widget(spec("learning_rate"), page.learning_rate, "train-lr", where=c2)
model = lc.widget(spec("model"), page.model, "train-model", where=c3)
mode = st.segmented_control("Base model", [LORA, QLORA, BOTH], default=QLORA if page.qlora else LORA,
                            key="train-mode", help=spec("qlora").help) or LORA
lora = lc.lora_controls(lc.presets(default_train_lora()), "train")
train = TrainSettings(model=model, steps=int(steps), learning_rate=float(lr), qlora=mode == QLORA)
if not lab_errors.settings_ok(lora):
    st.stop()

start, stop = st.columns([1, 1])
if start.button("Train", key="train-start", type="primary"):
    lab_jobs.start("train", tasks.train_task(train, lora, both=mode == BOTH))
# A click on Stop reruns the page; the job itself keeps going until it has checked what it trained.
if stop.button("Stop", key="train-stop"):
    lab_jobs.cancel("train")

redraws = itertools.count()


def live(status) -> None:
    """The loss curves so far, while the job runs."""
    chart_style.show(lab_charts.loss_curves(status.partial), key=f"train-live-{next(redraws)}")


reports = lab_jobs.follow("train", draw=live)
if not reports:
    st.stop()
chart_style.show(lab_charts.loss_curves({r.kind: r.history for r in reports}), key="train-final")
for r in reports:
    if r.history:
        st.markdown(f"**{r.kind}**: loss **{r.history[0].loss:.3f} → {r.history[-1].loss:.3f}** over "
                    f"{len(r.history)} steps" + (" (stopped)." if r.stopped else "."))
    else:
        st.markdown(f"**{r.kind}**: stopped before the first step.")
last = reports[-1]
st.session_state["lab-learned"] = (last.train.model, last.kind, last.learned)  # for the rank panel

st.subheader("Speed and memory")
lab_tables.run_rows(reports)
chart_style.show(lab_charts.memory_bars(reports), key="train-memory")
for r in reports:
    base = r.base_memory
    st.caption(f"{r.kind} base: {base.note}; accounted {base.accounted:,} B, measured {base.measured:,} B. "
               f"Peak: {r.peak.how}. Built in {r.build_seconds:.2f} s on {r.device}.")

st.subheader("After training")
st.caption("On what was trained, however many steps that was.")
for r in reports:
    checks, merge, alpha = r.checks, r.checks.merge, r.checks.alpha
    verdict = "**pass**" if merge.passed else "**FAIL**"
    st.markdown(f"**{r.kind}**: merged by {merge.route}. Max |merged − unmerged| = "
                f"**{merge.max_abs_diff:.2e}** against a tolerance of {merge.tolerance:.2e} ({merge.dtype} "
                f"rounding, relative to logits up to {merge.max_abs_logit:.1f}): {verdict}. "
                "Training itself moved the logits by "
                f"{checks.alpha.trained_vs_base:.3g}."
                + (f" Against the 4-bit model as trained, whose layers computed in bf16, the merged model "
                   f"differs by {merge.vs_trained:.3g}: no merge can remove that, so evaluate a merged QLoRA "
                   "model before you ship it." if r.kind == "QLoRA" else ""))
    c1, c2, c3 = st.columns(3)
    c1.metric(f"{r.kind} merge", "pass" if merge.passed else "FAIL", help=f"{merge.max_abs_diff:.3g} ≤ "
                                                                         f"{merge.tolerance:.3g}")
    c2.metric(f"{r.kind} adapter on disk", human_bytes(checks.saved.adapter_bytes),
              help=", ".join(f"{k}: {v:,} B" for k, v in checks.saved.adapter_files.items()))
    c3.metric(f"{r.kind} merged model on disk", human_bytes(checks.saved.full_bytes))
    st.markdown(f"Reloading the saved adapter onto a fresh base gives outputs that differ by "
                f"**{checks.reload_max_abs_diff:.2e}**. Doubling lora_alpha after training (scaling "
                f"{alpha.scaling_before:.3g} → {alpha.scaling_after:.3g}) moves the logits by up to "
                f"{alpha.max_abs_diff:.3g}; the loss goes from {alpha.loss_trained:.3f} to "
                f"{alpha.loss_scaled:.3f}: lora_alpha is a training hyper-parameter, not a dial for "
                "inference.")
    st.text(f"{r.sample.prompt}\n  before training: {printable(r.sample.base)}\n"
            f"  after training:  {printable(r.sample.trained)}")
