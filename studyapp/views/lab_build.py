"""Lab · Build and wrap: a real model wrapped by peft, with exact parameter counts."""

from __future__ import annotations

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.lab import wrap
from studyapp.lab.settings import LoraSettings
from studyapp.ui import lab_controls as lc

st.title("Build and wrap")
st.caption("Pick a model and a LoraConfig; peft wraps the real architecture and counts every parameter. "
           "Real sizes are built on the meta device in well under a second.")


@st.cache_resource(show_spinner=False, max_entries=16)
def wrapped(model: str, settings_key: tuple) -> dict:
    """peft's counts for one model and config (cached: the same answer every time)."""
    result = wrap.wrap_registry_model(model, LoraSettings.from_dict(dict(settings_key)))
    return {"result": result.to_dict(), "modules": result.modules}


def settings_key(settings: LoraSettings) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.to_dict().items()
                        if k != "scaling"))


model = lc.model_picker()
settings = lc.lora_controls()
if lc.show_settings_problems(settings):
    st.stop()

try:
    with st.spinner("Building and wrapping…"):
        built = wrapped(model, settings_key(settings))
except wrap.TargetsNotFoundError as exc:
    st.error(f"**peft says:** {escape_markdown(exc.peft_message)}", icon=":material/block:")
    st.info("This model's linear layers are named: " + ", ".join(f"`{n}`" for n in exc.available)
            + ". Put some of these in target_modules, or use `all-linear`.", icon=":material/lightbulb:")
    st.stop()

result = built["result"]
st.code(result["line"], language="text")
for warning in result["warnings"]:
    st.warning(warning, icon=":material/warning:")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Trainable", f"{result['trainable_params']:,}")
c2.metric("All params (peft)", f"{result['total_params']:,}")
c3.metric("Trainable %", f"{result['trainable_percent']:.4f}%")
c4.metric("scaling", f"{result['scaling']:.4g}", help="lora_alpha / r, or lora_alpha / √r with rsLoRA")
c5, c6 = st.columns(2)
c5.metric("Adapter size, fp32", lc.mb(result["adapter_bytes_fp32"]), help="peft keeps adapter weights in fp32 by default")
c6.metric("Adapter size, bf16", lc.mb(result["adapter_bytes_bf16"]))

st.subheader("Per module")
rows = [{"module": m.name, "shape (out, in)": f"{m.shape[0]} × {m.shape[1]}", "base params": m.base_params,
         "LoRA params": m.lora_params} for m in built["modules"]]
st.dataframe(rows, hide_index=True, height=300, column_config={
    "base params": st.column_config.NumberColumn(format="localized"),
    "LoRA params": st.column_config.NumberColumn(format="localized")})
st.caption(f"{len(rows)} adapted modules. Each adds r·(in + out) parameters: lora_A is (r, in), lora_B is (out, r).")

st.subheader("A real forward pass")
st.caption("On a small Llama with random weights: the same prompt through the base model and the wrapped one.")
if st.button("Run the prompt", key="lab-forward", type="primary"):
    try:
        check = lc.run_heavy(lambda: wrap.forward_check("tiny-llama", settings), 50_000_000, "Forward pass")
    except wrap.TargetsNotFoundError as exc:
        st.error(f"The small Llama has no such layers: `{exc.peft_message}`", icon=":material/block:")
        check = None
    if check is not None:
        st.markdown(f"Prompt `{check.prompt}` → input {check.input_shape} (batch, seq) → "
                    f"logits {check.output_shape} (batch, seq, vocab).")
        same = "equals" if check.max_abs_diff == 0 else "differs from"
        st.markdown(f"Max |wrapped − base| = **{check.max_abs_diff:.3g}**: the wrapped model {same} the base model "
                    "at initialisation" + (" (B starts at zero)." if check.max_abs_diff == 0 else "."))
