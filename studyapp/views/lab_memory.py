"""Lab · 4-bit vs 16-bit: weight memory per format by exact accounting, a training estimate,
which GPUs it fits, and a real bitsandbytes quantization measured side by side."""

from __future__ import annotations

import streamlit as st

from studyapp.core.units import gib, human_bytes
from studyapp.lab import tasks
from studyapp.lab.memory import FORMAT_TITLES
from studyapp.lab.settings import EstimateSettings, QuantizeSettings
from studyapp.ui import chart_style, lab_charts, lab_errors, lab_jobs, lab_results, lab_tables
from studyapp.ui import lab_controls as lc

st.title("4-bit vs 16-bit")
st.caption("Weight memory by exact per-tensor accounting of how bitsandbytes stores each format: packed "
           "weights, absmax per 64-weight block, second-level constants with double quantization. "
           "Embeddings, norms and lm_head stay in 16-bit, as transformers keeps them. "
           "Sizes in GiB (2³⁰ bytes).")
lc.warm_up_note()

page = lc.presets(EstimateSettings())
model = lc.model_picker(page, "mem-model")
with lab_errors.guard("Counting the weights"):
    weights = lab_results.weights(model)
lab_tables.format_rows(weights, FORMAT_TITLES)
chart_style.show(lab_charts.format_bars(weights.formats, FORMAT_TITLES), key="mem-formats")

st.subheader("Training estimate")
spec = EstimateSettings.spec
c1, c2, c3, c4 = st.columns(4)
fmt = lc.widget(spec("weight_format"), page.weight_format, "mem-format", where=c1)
seq_len = lc.widget(spec("seq_len"), page.seq_len, "mem-seq", where=c2)
batch = lc.widget(spec("batch"), page.batch, "mem-batch", where=c3)
checkpointing = lc.widget(spec("gradient_checkpointing"), page.gradient_checkpointing, "mem-ckpt", where=c4)
with lab_errors.guard("The estimate"):
    est = lab_results.estimate(EstimateSettings(model, fmt, int(seq_len), int(batch), checkpointing))
left, right = st.columns([1, 1])
with left:
    chart_style.show(lab_charts.estimate_stack(est), key="mem-stack")
with right:
    st.metric("Total", gib(est.total), help=f"{est.total:,} bytes; LoRA r=8 on q_proj, v_proj: "
                                            f"{est.lora_params:,} trainable parameters")
    for gpu in est.gpus:
        mark = ":material/check_circle:" if gpu.fits else ":material/cancel:"
        how = f"{gib(gpu.headroom_bytes)} to spare" if gpu.fits else f"short by {gib(-gpu.headroom_bytes)}"
        st.markdown(f"{mark} **{gpu.gpu}** ({gib(gpu.capacity_bytes)}): {how}")
    reserve = gib(est.gpus[0].reserve_bytes)
    st.caption(f"A GPU fits when the estimate plus {reserve} for the CUDA context fits its memory. "
               "All in GiB: the cards are sold as \"40 GB\" but hold 40 GiB, which is what nvidia-smi "
               "and torch report.")

st.subheader("Measured: a real quantization")
st.caption("A small Llama is really quantized by bitsandbytes on this machine, in every format in turn, and "
           "every tensor's bytes are summed, the quantization state included. The accounting above uses the "
           "same rules.")
quant = lc.presets(QuantizeSettings())
small = lc.widget(QuantizeSettings.spec("model"), quant.model, "mem-small")
if st.button("Quantize and measure", key="mem-measure", type="primary"):
    lab_jobs.start("quantize", tasks.quantize_task(QuantizeSettings(model=small)))
measured = lab_jobs.follow("quantize")
if measured:
    lab_tables.measured_rows(measured)
    worst = max(abs(r.difference) for r in measured)
    first = measured[0].measured
    took = ", ".join(f"{r.title} {r.measured.seconds:.2f} s" for r in measured)
    cuda = [r for r in measured if r.measured.cuda_allocated is not None]
    st.success(f"Accounting and measurement differ by at most {worst:,} bytes.",
               icon=":material/check_circle:")
    allocated = ", ".join(f"{r.title} {human_bytes(r.measured.cuda_allocated)}" for r in cuda)
    st.caption(f"On {first.device}; load and quantize took {took}."
               + (f" torch.cuda.memory_allocated after loading: {allocated}." if cuda else ""))
