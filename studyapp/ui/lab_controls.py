"""Widgets shared by the Lab pages: model choice, LoraConfig controls, presets from the URL,
and running a heavy job through the admission gate with the student's place in the queue.

Importing this module is light; torch and friends load when a Lab function first runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.lab import registry
from studyapp.lab.settings import ALL_LINEAR, BIAS_CHOICES, INIT_CHOICES, LoraSettings, field_help

COMMON_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def preset(name: str, default: Any) -> Any:
    """A value from the URL (?r=16&targets=q_proj,v_proj) coerced to the default's type."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        if isinstance(default, bool):
            return raw.lower() in {"1", "true", "yes", "on"}
        return type(default)(raw)
    except (TypeError, ValueError):
        st.warning(f"Ignored the preset {name}={escape_markdown(repr(raw))} from the link: "
                   f"it is not a valid {type(default).__name__}.")
        return default


def model_picker(kind: str | None = None, default: str = "llama-2-7b", key: str = "lab-model") -> str:
    """A select box over the registry, preset from ?model=."""
    specs = registry.list_models(kind)
    names = [s.name for s in specs]
    wanted = preset("model", default)
    index = names.index(wanted) if wanted in names else (names.index(default) if default in names else 0)
    titles = {s.name: f"{s.title} · {s.name}" for s in specs}
    name = st.selectbox("Model", names, index=index, format_func=titles.get, key=key,
                        help="Real architectures are built from bundled config files on the meta device "
                             "(shapes only, no weights); the small models have random weights and really run.")
    st.caption(registry.get_spec(name).note)
    return name


def lora_controls(key: str = "lab", targets_default: str = "q_proj,v_proj") -> LoraSettings:
    """Every LoraConfig field as a widget with peft's meaning as help, preset from the URL."""
    c1, c2, c3 = st.columns(3)
    r = c1.number_input("r", 1, 1024, preset("r", 8), key=f"{key}-r", help=field_help("r"))
    alpha = c2.number_input("lora_alpha", 1.0, 4096.0, float(preset("alpha", 16.0)), step=1.0,
                            key=f"{key}-alpha", help=field_help("lora_alpha"))
    dropout = c3.number_input("lora_dropout", 0.0, 0.99, preset("dropout", 0.05), step=0.05,
                              key=f"{key}-dropout", help=field_help("lora_dropout"))
    targets = st.text_input("target_modules", preset("targets", targets_default), key=f"{key}-targets",
                            help=field_help("target_modules") + f" Common: {', '.join(COMMON_TARGETS)}; or {ALL_LINEAR}.")
    c4, c5, c6, c7 = st.columns(4)
    bias = c4.selectbox("bias", BIAS_CHOICES, BIAS_CHOICES.index(preset("bias", "none")) if preset("bias", "none") in BIAS_CHOICES else 0,
                        key=f"{key}-bias", help=field_help("bias"))
    init = c5.selectbox("init_lora_weights", INIT_CHOICES, key=f"{key}-init", help=field_help("init_lora_weights"))
    rslora = c6.toggle("use_rslora", preset("rslora", False), key=f"{key}-rslora", help=field_help("use_rslora"))
    dora = c7.toggle("use_dora", preset("dora", False), key=f"{key}-dora", help=field_help("use_dora"))
    return LoraSettings(r=int(r), lora_alpha=float(alpha), target_modules=targets, lora_dropout=float(dropout),
                        bias=bias, use_rslora=rslora, use_dora=dora, init_lora_weights=init)


def show_settings_problems(settings: LoraSettings) -> bool:
    """Show each invalid setting with its fix; True when there were problems."""
    problems = settings.validate()
    for problem in problems:
        st.error(problem, icon=":material/tune:")
    return bool(problems)


def run_heavy(job: Callable[[], Any], est_bytes: int, label: str) -> Any:
    """Run ``job`` through the process's admission gate, showing the queue; None when it failed.

    Out of memory and refusals are told to the student; the app keeps serving.
    """
    from studyapp.lab.device import GateError, get_gate

    place = st.empty()

    def waiting(position: int) -> None:
        place.info(f"Another student's Lab job is running. You are number {position} in the queue…",
                   icon=":material/hourglass_top:")

    try:
        with st.spinner(f"{label}…"):
            result = get_gate().run(job, est_bytes, label, on_wait=waiting)
    except GateError as exc:
        place.empty()
        st.error(f"**{label} could not run.** {exc} Nothing else was affected; try a smaller setting.",
                 icon=":material/memory:")
        return None
    place.empty()
    return result


def gb(n_bytes: float) -> str:
    """Decimal gigabytes, as GPU vendors and the QLoRA paper count them."""
    return f"{n_bytes / 1e9:,.2f} GB"


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.2f} MB"
