"""Lab · Build and wrap: a real model wrapped by peft, with exact parameter counts."""

from __future__ import annotations

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.core.units import human_bytes
from studyapp.lab import tasks
from studyapp.lab.generate import printable
from studyapp.lab.settings import BuildSettings, LoraSettings
from studyapp.ui import lab_controls as lc
from studyapp.ui import lab_errors, lab_jobs, lab_results, lab_tables

st.title("Build and wrap")
st.caption("Pick a model and a LoraConfig; peft wraps the real architecture and counts every parameter. "
           "Full-size models are built on the meta device: shapes only, no weights, nothing downloaded.")
lc.warm_up_note()

model = lc.model_picker(lc.presets(BuildSettings()), "lab-model")
settings = lc.lora_controls(lc.presets(LoraSettings()), "lab")
if not lab_errors.settings_ok(settings):
    st.stop()
with lab_errors.guard("Build and wrap"):
    result = lab_results.wrapped(model, settings)

st.code(result.line, language="text", wrap_lines=True)
for warning in result.warnings:  # it names the targets the student typed: shown as typed
    st.warning(escape_markdown(warning), icon=":material/warning:")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Trainable", f"{result.trainable_params:,}")
c2.metric("All params (peft)", f"{result.total_params:,}")
c3.metric("Trainable %", f"{result.trainable_percent:.4f}%")
c4.metric("scaling", f"{result.scaling:.4g}", help="lora_alpha / r, or lora_alpha / √r with rsLoRA")
c5, c6 = st.columns(2)
c5.metric("Adapter size, fp32", human_bytes(result.adapter_bytes_fp32),
          help=f"{result.adapter_bytes_fp32:,} bytes: peft keeps adapter weights in fp32 by default")
c6.metric("Adapter size, bf16", human_bytes(result.adapter_bytes_bf16),
          help=f"{result.adapter_bytes_bf16:,} bytes")

st.subheader("Per module")
lab_tables.module_summary(result)
st.caption(f"{len(result.modules)} adapted modules. Each adds r·(in + out) parameters: lora_A is (r, in), "
           "lora_B is (out, r).")
with st.expander(f"All {len(result.modules)} modules"):
    lab_tables.module_rows(result)

st.subheader("A real forward pass")
st.caption("On the tiny Llama with random weights: the same prompt through the base model and the "
           "wrapped one, and the text each writes after it (greedy). The weights are random, so the text "
           "is noise; train it in Live fine-tune to see it learn the support replies.")
if st.button("Run the prompt", key="lab-forward", type="primary"):
    lab_jobs.start("forward", tasks.forward_task("tiny-llama", settings))
check = lab_jobs.follow("forward")
if check is not None:
    st.markdown(f"Input {check.input_shape} (batch, seq) → logits {check.output_shape} "
                "(batch, seq, vocab).")
    same = "equals" if check.max_abs_diff == 0 else "differs from"
    st.markdown(f"Max |wrapped − base| = **{check.max_abs_diff:.3g}**: the wrapped model {same} the base "
                "model at initialisation" + (" (B starts at zero)." if check.max_abs_diff == 0 else "."))
    st.text(f"{check.prompt}\n  base:    {printable(check.base_text)}\n"
            f"  wrapped: {printable(check.wrapped_text)}")
    st.caption(f"{check.new_tokens} new tokens each; characters that are no printable byte are shown as ·.")
