"""Widgets shared by the Lab pages, each built from its Setting (lab/settings): the same
default, range and help text as the CLI flag and the validation. Presets from the URL
(?r=16&targets=q_proj,v_proj) are checked by the same Settings before any widget sees
them; a bad one is ignored with a sentence saying why.

Importing this module is light; torch and friends load when a Lab function first runs.
"""

from __future__ import annotations

from typing import Any, TypeVar

import streamlit as st

from studyapp.core.markdown_escape import escape_markdown
from studyapp.lab import heavy, registry
from studyapp.lab.settings import ALL_LINEAR, LoraSettings, Setting, Settings, from_presets

S = TypeVar("S", bound=Settings)
COMMON_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def presets(defaults: S) -> S:
    """`defaults` with the link's presets applied; each preset that was ignored is told."""
    settings, ignored = from_presets(defaults, st.query_params.to_dict())
    for message in ignored:  # the message quotes the link's text: shown as typed, never as Markdown
        st.warning(escape_markdown(f"{message} The page uses its own value instead."),
                   icon=":material/link_off:")
    return settings


def widget(spec: Setting, value: Any, key: str, *, where=st, slider: bool = False) -> Any:
    """The widget for one Setting, starting at `value`: a toggle, a select box, a select
    slider over the Setting's marks, a slider or number box within its range, or a text box."""
    common = dict(key=key, help=spec.help)
    if spec.kind is bool:
        return where.toggle(spec.title, value=value, **common)
    if spec.choices is not None:
        return where.selectbox(spec.title, spec.choices, index=spec.choices.index(value), **common)
    if spec.marks is not None:
        options = sorted({*spec.marks, value})  # a valid preset between the marks stays offered
        return where.select_slider(spec.title, options, value=value, format_func=lambda v: f"{v:g}", **common)
    if spec.kind is int:
        limits = dict(min_value=int(spec.low), max_value=int(spec.high))
        if slider:
            return where.slider(spec.title, value=value, **limits, **common)
        return where.number_input(spec.title, value=value, step=1, **limits, **common)
    if spec.kind is float:
        return where.number_input(spec.title, min_value=float(spec.low), max_value=float(spec.high),
                                  value=float(value), step=spec.step or 0.1, **common)
    return where.text_input(spec.title, value=value, **common)


def model_picker(defaults: S, key: str, *, kind: str | None = None) -> str:
    """A select box over the registry models a Setting allows, with titles and a note."""
    spec = defaults.spec("model")
    titles = {s.name: f"{s.title} · {s.name}" for s in registry.list_models(kind)}
    names = [n for n in spec.choices if n in titles]
    name = st.selectbox(spec.title, names, index=names.index(defaults.model), format_func=titles.get,
                        key=key, help=spec.help + " Full-size architectures are built from bundled config "
                                                  "files on the meta device (shapes only, no weights); the "
                                                  "small models have random weights and really run.")
    st.caption(registry.get_spec(name).note)
    return name


def lora_controls(defaults: LoraSettings, key: str) -> LoraSettings:
    """Every LoraConfig field as a widget, starting from `defaults` (the page's, with the link's presets)."""
    spec = LoraSettings.spec
    c1, c2, c3 = st.columns(3)
    r = widget(spec("r"), defaults.r, f"{key}-r", where=c1)
    alpha = widget(spec("lora_alpha"), defaults.lora_alpha, f"{key}-alpha", where=c2)
    dropout = widget(spec("lora_dropout"), defaults.lora_dropout, f"{key}-dropout", where=c3)
    targets = st.text_input("target_modules", defaults.target_modules, key=f"{key}-targets",
                            help=spec("target_modules").help
                            + f" Common: {', '.join(COMMON_TARGETS)}; or {ALL_LINEAR}.")
    c4, c5, c6, c7 = st.columns(4)
    bias = widget(spec("bias"), defaults.bias, f"{key}-bias", where=c4)
    init = widget(spec("init_lora_weights"), defaults.init_lora_weights, f"{key}-init", where=c5)
    rslora = widget(spec("use_rslora"), defaults.use_rslora, f"{key}-rslora", where=c6)
    dora = widget(spec("use_dora"), defaults.use_dora, f"{key}-dora", where=c7)
    return LoraSettings(r=int(r), lora_alpha=float(alpha), target_modules=targets,
                        lora_dropout=float(dropout), bias=bias, use_rslora=rslora, use_dora=dora,
                        init_lora_weights=init)


def warm_up_note() -> None:
    """Say honestly what the first Lab result costs while the Lab's libraries are not loaded."""
    status = heavy.status()
    if status.state == "ready":
        return
    cost = f"about {heavy.COLD_IMPORT_SECONDS:.0f} s on a 2-core machine without a GPU"
    if status.state == "loading":
        st.info(f"The Lab is loading torch, transformers, peft and bitsandbytes for this server "
                f"({status.seconds:.0f} s so far; {cost}). The first result waits for it; after that, "
                "results take well under a second.", icon=":material/hourglass_top:")
    elif status.state == "failed":
        st.error(f"The Lab's libraries could not be loaded: {escape_markdown(status.error)}",
                 icon=":material/error:")
    else:
        st.info(f"The first Lab result on this server loads torch, transformers, peft and bitsandbytes "
                f"once ({cost}); after that, results take well under a second.",
                icon=":material/hourglass_top:")
