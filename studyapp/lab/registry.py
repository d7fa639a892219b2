"""The model registry: bundled HF config files of real architectures and small trainable models.

Real architectures are built on the `meta` device: every parameter has its true
shape but no storage, so exact parameter counts cost well under a second and no
download. Small models share the Llama architecture and are built with seeded
random weights, so everything that must *run* (forward, training, quantization)
runs on a laptop CPU.

Importing this module does not import torch; `build_model` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

META = "meta"            # built on the meta device: shapes only, no weights
TRAINABLE = "trainable"  # built with seeded random weights, small enough to run


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry: a short stable name and where its config comes from."""

    name: str      # short and stable, used by the CLI and the pages: "llama-2-7b"
    title: str     # what a student reads: "Llama 2 7B"
    source: str    # the Hub id whose published config.json was bundled, or "studyapp"
    kind: str      # META or TRAINABLE
    note: str = ""

    @property
    def config_file(self) -> str:
        """File name of the bundled config inside studyapp/lab/configs/."""
        return f"{self.name}.json"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return {"name": self.name, "title": self.title, "source": self.source,
                "kind": self.kind, "note": self.note}


_SPECS = (
    ModelSpec("llama-2-7b", "Llama 2 7B", "meta-llama/Llama-2-7b-hf", META,
              "multi-head attention (32 KV heads), vocab 32,000"),
    ModelSpec("llama-3-8b", "Llama 3 8B", "meta-llama/Meta-Llama-3-8B", META,
              "grouped-query attention (8 KV heads), vocab 128,256"),
    ModelSpec("mistral-7b", "Mistral 7B v0.1", "mistralai/Mistral-7B-v0.1", META,
              "grouped-query attention, sliding window 4096"),
    ModelSpec("llama-3.2-1b", "Llama 3.2 1B", "meta-llama/Llama-3.2-1B", META,
              "16 layers, tied input/output embeddings, vocab 128,256"),
    ModelSpec("llama-3-70b", "Llama 3 70B", "meta-llama/Meta-Llama-3-70B", META,
              "80 layers, hidden 8192"),
    ModelSpec("qwen2.5-7b", "Qwen2.5 7B", "Qwen/Qwen2.5-7B", META,
              "bias on q/k/v projections, vocab 152,064"),
    ModelSpec("gemma-2-9b", "Gemma 2 9B", "google/gemma-2-9b", META,
              "tied input/output embeddings, vocab 256,000"),
    ModelSpec("phi-3-mini", "Phi-3 mini 4k", "microsoft/Phi-3-mini-4k-instruct", META,
              "fused qkv_proj and gate_up_proj: q_proj/v_proj match nothing"),
    ModelSpec("tiny-llama", "Tiny Llama (656K, random)", "studyapp", TRAINABLE,
              "2 layers, hidden 128, vocab 1024: tests and the fastest demos"),
    ModelSpec("small-llama", "Small Llama (4.2M, random)", "studyapp", TRAINABLE,
              "4 layers, hidden 256, vocab 2048"),
)


def list_models(kind: str | None = None) -> list[ModelSpec]:
    """Every registry entry, in display order; only one kind if `kind` is META or TRAINABLE."""
    return [s for s in _SPECS if kind is None or s.kind == kind]


def model_names() -> list[str]:
    """Short names of every registry model."""
    return [s.name for s in _SPECS]


def get_spec(name: str) -> ModelSpec:
    """The registry entry for `name`.

    Raises:
        KeyError: with the list of known names, when `name` is not in the registry.
    """
    for spec in _SPECS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown model {name!r}: pick one of {', '.join(model_names())}")


@lru_cache(maxsize=None)
def _config_text(name: str) -> str:
    spec = get_spec(name)
    return resources.files("studyapp.lab").joinpath("configs", spec.config_file).read_text()


def config_dict(name: str) -> dict[str, Any]:
    """The bundled config.json of `name` as a dict (a fresh copy; no torch needed)."""
    return json.loads(_config_text(name))


def linear_layer_names(name: str) -> list[str]:
    """Full names of the linear layers inside the blocks of Llama-architecture model `name`
    (model.layers.0.self_attn.q_proj ...), read from its config: no torch needed.

    Raises:
        KeyError: unknown model. ValueError: not a Llama-architecture model.
    """
    config = config_dict(name)
    if config["model_type"] not in ("llama", "mistral", "qwen2"):
        raise ValueError(f"{name} is a {config['model_type']} model; layer names are listed for Llama ones")
    attention = [f"self_attn.{p}" for p in ("q_proj", "k_proj", "v_proj", "o_proj")]
    mlp = [f"mlp.{p}" for p in ("gate_proj", "up_proj", "down_proj")]
    layers = range(config["num_hidden_layers"])
    return [f"model.layers.{i}.{leaf}" for i in layers for leaf in attention + mlp]


def load_config(name: str):
    """The bundled config as a transformers PretrainedConfig (imports transformers)."""
    from studyapp.lab import heavy

    heavy.ensure()
    from transformers import AutoConfig

    values = config_dict(name)
    model_type = values.pop("model_type")
    # torch_dtype is what the checkpoint was saved in; we choose dtypes ourselves.
    for key in ("_name_or_path", "architectures", "transformers_version", "torch_dtype"):
        values.pop(key, None)
    return AutoConfig.for_model(model_type, **values)


def build_model(name: str, *, device: str | None = None, seed: int = 0):
    """Build the causal LM of registry model `name`.

    Real architectures (kind META) are built on the `meta` device whatever `device`
    says: a 70B model has no weights to put anywhere. Small models (TRAINABLE) get
    seeded random weights in float32 on `device` (default CPU) and are in eval mode,
    so the same seed gives the same model, bit for bit.

    Raises:
        KeyError: when `name` is not in the registry.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers import AutoModelForCausalLM

    spec = get_spec(name)
    config = load_config(name)
    with heavy.constructing():
        if spec.kind == META:
            with torch.device("meta"):
                return AutoModelForCausalLM.from_config(config)
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    return model.to(device or "cpu").eval()
