"""The Lab's light results for a page, cached per settings (frozen settings are the keys).

These run in the page's request thread because they take well under a second once the
Lab's libraries are loaded (full-size models are built on the meta device). Heavy work
goes through ui/lab_jobs instead.
"""

from __future__ import annotations

import streamlit as st

from studyapp.lab.settings import EstimateSettings, LoraSettings, RankSettings


@st.cache_resource(show_spinner="Building and wrapping…", max_entries=16)
def wrapped(model: str, settings: LoraSettings):
    """peft's counts for one model and config (wrap.WrapResult)."""
    from studyapp.lab.wrap import wrap_registry_model

    return wrap_registry_model(model, settings)


@st.cache_resource(show_spinner="Counting every tensor…", max_entries=16)
def weights(model: str):
    """Weight memory of `model` in every format (memory.WeightMemory)."""
    from studyapp.lab.memory import weight_memory

    return weight_memory(model)


@st.cache_resource(show_spinner="Estimating training memory…", max_entries=32)
def estimate(settings: EstimateSettings):
    """The training-memory estimate for `settings` with the default LoRA (memory.TrainingEstimate)."""
    from studyapp.lab.memory import estimate_for

    return estimate_for(settings, LoraSettings())


@st.cache_resource(show_spinner="Wrapping the layer…", max_entries=16)
def random_layer(settings: RankSettings):
    """W0, A, B and scaling·B·A of one layer with A and B both random (decompose.LayerMatrices),
    and its RankReport."""
    from studyapp.lab import decompose

    matrices = decompose.demo_layer(settings.model, settings.layer, r=settings.r,
                                    lora_alpha=settings.lora_alpha)
    return matrices, decompose.rank_report(settings)


@st.cache_resource(show_spinner="Loading the bundled adapter…")
def bundled_layers():
    """(model, "bundled", learned layers) of the adapter bundled with the Lab (lab/learned)."""
    from studyapp.lab import learned

    return learned.made_with()["train"]["model"], "bundled", tuple(learned.load_adapter())
