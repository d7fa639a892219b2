"""Lab · 4-bit vs 16-bit: weight memory per format by exact accounting, a training estimate,
which GPUs it fits, and a real bitsandbytes quantization measured side by side."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from studyapp.lab import memory, quantize, registry
from studyapp.ui import lab_controls as lc

st.title("4-bit vs 16-bit")
st.caption("Weight memory by exact per-tensor accounting of how bitsandbytes stores each format: packed "
           "weights, absmax per 64-weight block, second-level constants with double quantization. "
           "Embeddings, norms and lm_head stay in 16-bit, as transformers keeps them.")


@st.cache_data(show_spinner="Counting every tensor…", max_entries=32)
def weights(model: str) -> dict:
    return memory.weight_memory(model).to_dict()


@st.cache_data(show_spinner="Estimating training memory…", max_entries=64)
def estimate(model: str, fmt: str, seq_len: int, batch: int, checkpointing: bool) -> dict:
    result = memory.training_estimate(model, weight_format=fmt, seq_len=seq_len, batch=batch,
                                      gradient_checkpointing=checkpointing)
    return {**result.to_dict(), "gpus": [vars(g) for g in result.gpus]}


model = lc.model_picker(kind=registry.META)
table = weights(model)
rows = [{"format": memory.FORMAT_TITLES[f], "total": lc.gb(b["total"]), "weights": lc.gb(b["quantized_codes"]),
         "quantization constants": lc.gb(b["quant_stats"]), "kept in 16-bit": lc.gb(b["kept"]),
         "bytes": b["total"]} for f, b in table["parts"].items()]
st.dataframe(rows, hide_index=True, column_config={"bytes": st.column_config.NumberColumn(format="localized")})
bars = go.Figure(go.Bar(x=[r["format"] for r in rows], y=[r["bytes"] / 1e9 for r in rows], marker_color="#6C4CE0",
                        text=[r["total"] for r in rows], textposition="outside"))
bars.update_layout(height=300, yaxis_title="GB (weights only)", margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(bars, key="mem-formats")

st.subheader("Training estimate")
c1, c2, c3, c4 = st.columns(4)
fmt = c1.selectbox("Base weights", memory.FORMATS, index=memory.FORMATS.index("nf4_double_quant"),
                   format_func=memory.FORMAT_TITLES.get, key="mem-format",
                   help="QLoRA stores the frozen base in NF4 with double quantization.")
seq_len = c2.number_input("Sequence length", 16, 32768, 512, step=128, key="mem-seq", help="Tokens per example.")
batch = c3.number_input("Batch", 1, 128, 1, key="mem-batch", help="Examples per step.")
checkpointing = c4.toggle("Gradient checkpointing", False, key="mem-ckpt",
                          help="Keep only each layer's input and recompute the rest in the backward pass.")
est = estimate(model, fmt, int(seq_len), int(batch), checkpointing)
parts = ["weights", "lora_weights", "gradients", "optimizer", "activations"]
names = {"weights": "base weights", "lora_weights": "LoRA weights (fp32)", "gradients": "LoRA gradients",
         "optimizer": "AdamW states", "activations": "activations"}
stack = go.Figure([go.Bar(name=names[p], x=["estimate"], y=[est[p] / 1e9]) for p in parts])
stack.update_layout(barmode="stack", height=320, yaxis_title="GB", margin=dict(l=10, r=10, t=10, b=10))
left, right = st.columns([1, 1])
left.plotly_chart(stack, key="mem-stack")
with right:
    st.metric("Total", lc.gb(est["total"]), help=f"LoRA r=8 on q_proj, v_proj: {est['lora_params']:,} trainable parameters")
    for gpu in est["gpus"]:
        mark = ":material/check_circle:" if gpu["fits"] else ":material/cancel:"
        how = f"{lc.gb(gpu['headroom_bytes'])} to spare" if gpu["fits"] else f"short by {lc.gb(-gpu['headroom_bytes'])}"
        st.markdown(f"{mark} **{gpu['gpu']}**: {how}")
    st.caption("A GPU fits when the estimate plus about 1 GiB for the CUDA context fits its memory.")

st.subheader("Measured: a real quantization")
st.caption("The small Llama is really quantized by bitsandbytes (on this machine's "
           f"{'GPU' if lc.preset('cuda', False) else 'device'}) and every tensor's bytes are summed, "
           "including the quantization state. The accounting above uses the same rules.")
small = st.selectbox("Small model", [s.name for s in registry.list_models(registry.TRAINABLE)], key="mem-small")
if st.button("Quantize and measure", key="mem-measure", type="primary"):
    def job() -> list[dict]:
        predicted = memory.weight_memory_of(registry.build_model(small, device="meta"), small).formats
        out = []
        for f in memory.FORMATS:
            real = quantize.measure_quantized(small, f)
            out.append({"format": memory.FORMAT_TITLES[f], "measured bytes": real.total,
                        "accounted bytes": predicted[f].total, "difference": real.total - predicted[f].total,
                        "CUDA allocated": real.cuda_allocated, "seconds": round(real.seconds, 3), "device": real.device})
        return out
    measured = lc.run_heavy(job, 200_000_000, "Quantization")
    if measured:
        st.dataframe(measured, hide_index=True)
        worst = max(abs(m["difference"]) for m in measured)
        st.success(f"Accounting and measurement differ by at most {worst:,} bytes.", icon=":material/check_circle:")
