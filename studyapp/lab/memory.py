"""Weight memory per storage format, by exact per-tensor accounting, and a training estimate.

The byte rules below are bitsandbytes 0.50's real storage, checked against
tensors it produced (tests/lab/test_memory.py sums every tensor of a really
quantized model and of full-size layers and compares to the byte):

  fp32 / bf16   4 / 2 bytes per parameter.
  LLM.int8      each quantized linear: 1 byte per weight (CB, int8) + one fp32
                scale per output row (SCB): d·k + 4·d bytes.
  NF4           packed 4-bit codes, 2 per byte: ceil(n/2) bytes; one fp32 absmax
                per 64-weight block: 4·ceil(n/64); the 16-entry fp32 code table
                each layer keeps: 64 bytes.
  NF4 + double  codes as NF4; absmax as uint8: ceil(n/64) bytes; a second-level
  quantization  fp32 absmax per 256 blocks: 4·ceil(ceil(n/64)/256); the NF4 code
                table (64 B), the 256-entry fp32 dynamic code table of the second
                level (1024 B) and the fp32 offset (4 B).
  Not quantized (all formats but fp32): embeddings, norms, biases and the output
                head (transformers leaves lm_head, tied weights and the last module
                in 16-bit), 2 bytes per parameter.

Per-parameter averages for big linear layers: NF4 4.5 bits, NF4 + double quant
4.127 bits (QLoRA paper, section 3), int8 8 bits.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from studyapp.core.units import GIB
from studyapp.lab.settings import FORMATS

FORMAT_TITLES = {"fp32": "fp32", "bf16": "bf16 / fp16", "int8": "LLM.int8",
                 "nf4": "NF4", "nf4_double_quant": "NF4 + double quant"}
NF4_BLOCK = 64          # weights per absmax block (bitsandbytes default for 4-bit)
NESTED_BLOCK = 256      # first-level absmax values per second-level block
NF4_CODE_BYTES = 16 * 4     # 16 fp32 NF4 levels kept in each layer's quant_state
NESTED_CODE_BYTES = 256 * 4  # 256 fp32 entries of the dynamic 8-bit map
OFFSET_BYTES = 4            # fp32 mean subtracted before the second-level quantization
KEPT_BYTES = 2              # bytes per parameter left in 16-bit next to quantized layers

# What nvidia-smi reports as total memory (MiB); usable is less: see CUDA_RESERVE_BYTES.
# The names are the vendors' ("40 GB"); the memory is binary: an A100 40 GB has 40 GiB.
GPUS_MIB = {"T4 16 GB": 15360, "RTX 4090 24 GB": 24564, "A100 40 GB": 40960,
            "A100 80 GB": 81920, "H100 80 GB": 81559}
CUDA_RESERVE_BYTES = GIB  # CUDA context, cuBLAS workspace, allocator slack: 1 GiB
MiB = 1 << 20


# ---- the byte rules, per tensor --------------------------------------------------------

def int8_linear_bytes(out_features: int, in_features: int) -> dict[str, int]:
    """Bytes of one LLM.int8 weight: int8 codes (CB) and fp32 row scales (SCB)."""
    return {"codes": out_features * in_features, "stats": 4 * out_features}


def nf4_bytes(numel: int, *, double_quant: bool) -> dict[str, int]:
    """Bytes of one NF4 weight of `numel` elements: packed codes and quantization stats."""
    blocks = math.ceil(numel / NF4_BLOCK)
    codes = math.ceil(numel / 2)  # two 4-bit codes per uint8
    if not double_quant:
        return {"codes": codes, "stats": 4 * blocks + NF4_CODE_BYTES}
    nested = math.ceil(blocks / NESTED_BLOCK)
    stats = blocks + 4 * nested + NF4_CODE_BYTES + NESTED_CODE_BYTES + OFFSET_BYTES
    return {"codes": codes, "stats": stats}


def linear_weight_bytes(fmt: str, out_features: int, in_features: int) -> dict[str, int]:
    """Bytes of one linear weight (out_features, in_features) stored in `fmt`.

    Raises:
        ValueError: unknown format (the message lists FORMATS).
    """
    numel = out_features * in_features
    if fmt == "fp32":
        return {"codes": 4 * numel, "stats": 0}
    if fmt == "bf16":
        return {"codes": 2 * numel, "stats": 0}
    if fmt == "int8":
        return int8_linear_bytes(out_features, in_features)
    if fmt in ("nf4", "nf4_double_quant"):
        return nf4_bytes(numel, double_quant=fmt == "nf4_double_quant")
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


# ---- the model's tensors ---------------------------------------------------------------

@dataclass(frozen=True)
class TensorEntry:
    """One parameter tensor, and whether bitsandbytes would quantize it."""

    name: str
    shape: tuple[int, ...]
    quantized: bool  # a Linear weight bitsandbytes replaces; else kept 16-bit

    @property
    def numel(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)


def skipped_modules(model) -> list[str]:
    """Modules transformers keeps unquantized: output head, tied weights, last module.

    A bare layer (not a transformers model) keeps nothing back.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    from transformers.quantizers.base import get_keys_to_not_convert

    if not hasattr(model, "all_tied_weights_keys"):
        return []
    return get_keys_to_not_convert(model)


def tensor_inventory(model) -> list[TensorEntry]:
    """Every parameter of `model` (meta is fine), tied ones once, marked quantized or kept."""
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers.quantizers.quantizers_utils import should_convert_module

    skip = skipped_modules(model)
    entries, seen = [], set()
    for mod_name, module in model.named_modules():
        convert = isinstance(module, torch.nn.Linear) and should_convert_module(mod_name, skip)
        for p_name, param in module.named_parameters(recurse=False):
            if id(param) in seen:
                continue  # tied weights are stored once
            seen.add(id(param))
            entries.append(TensorEntry(f"{mod_name}.{p_name}", tuple(param.shape),
                                       convert and p_name == "weight"))
    return entries


# ---- weight memory of a model ------------------------------------------------------------

@dataclass
class FormatBytes:
    """Weight bytes of one model in one format, in parts."""

    fmt: str
    quantized_codes: int   # the weights of quantized linears (all linears' weights in fp32/bf16)
    quant_stats: int       # absmax / SCB / code tables / offsets
    kept: int              # embeddings, norms, biases, lm_head at 2 bytes (4 in fp32)
    total: int

    @property
    def gb(self) -> float:
        """Total in decimal gigabytes (1e9 bytes), as the seeds' errata list them."""
        return self.total / 1e9

    @property
    def gib(self) -> float:
        """Total in GiB (2**30 bytes), the unit the app shows."""
        return self.total / GIB


def format_bytes(entries: list[TensorEntry], fmt: str, *, kept_bytes: int | None = None) -> FormatBytes:
    """Exact weight bytes of the tensors `entries` stored in `fmt`.

    `kept_bytes` is the size of each parameter that is not quantized: 2 (16-bit, the
    default next to quantized layers), 4 in fp32, or 4 after prepare_model_for_kbit_training
    has cast them to fp32 for a QLoRA run.
    """
    codes = stats = kept = 0
    kept_per_param = kept_bytes or (4 if fmt == "fp32" else KEPT_BYTES)
    for e in entries:
        if e.quantized:
            part = linear_weight_bytes(fmt, e.shape[0], e.shape[1])
            codes, stats = codes + part["codes"], stats + part["stats"]
        else:
            kept += kept_per_param * e.numel
    return FormatBytes(fmt, codes, stats, kept, codes + stats + kept)


@dataclass
class WeightMemory:
    """Weight memory of one model in every format."""

    model_name: str
    params: int
    quantized_params: int      # in linears bitsandbytes replaces
    kept_params: int           # stay 16-bit
    formats: dict[str, FormatBytes]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; bytes per format under 'bytes'."""
        return {"model": self.model_name, "params": self.params,
                "quantized_params": self.quantized_params, "kept_params": self.kept_params,
                "bytes": {f: b.total for f, b in self.formats.items()},
                "parts": {f: asdict(b) for f, b in self.formats.items()}}


def weight_memory_of(model, model_name: str = "") -> WeightMemory:
    """Weight memory of a built model (meta or real) in every format in FORMATS."""
    entries = tensor_inventory(model)
    quantized = sum(e.numel for e in entries if e.quantized)
    total = sum(e.numel for e in entries)
    return WeightMemory(model_name, total, quantized, total - quantized,
                        {f: format_bytes(entries, f) for f in FORMATS})


def weight_memory(name: str) -> WeightMemory:
    """Weight memory of registry model `name` in every format (built on meta)."""
    return weight_memory_of(meta_model(name), name)


def meta_model(name: str):
    """Registry model `name` on meta, small ones included: accounting needs shapes only.

    Raises:
        KeyError: unknown model.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers import AutoModelForCausalLM

    from studyapp.lab.registry import load_config

    config = load_config(name)
    with heavy.constructing(), torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


# ---- training estimate ---------------------------------------------------------------------

def activation_bytes(config, seq_len: int, batch: int, *, gradient_checkpointing: bool = False) -> int:
    """Estimated activation bytes kept for the backward pass of a Llama-style decoder.

    Per layer and token, in 16-bit (2 bytes each), the tensors autograd keeps:
    the attention-norm input and output (2·h), q and the attention output
    (2·q_dim), k and v (2·kv_dim), the MLP-norm input and output (2·h), and
    gate, up, act(gate), act(gate)·up (4·i). SDPA / flash attention keep no
    (seq x seq) score matrix, so there is no s² term. LoRA branches add r-wide
    tensors: negligible. Logits: bf16 logits, their fp32 copy for the loss and
    its fp32 gradient: 10 bytes per (token, vocab entry).
    With gradient checkpointing only each layer's input (h) is kept, plus one
    layer's full set while it is recomputed.
    """
    h, i = config.hidden_size, config.intermediate_size
    head_dim = getattr(config, "head_dim", None) or h // config.num_attention_heads
    q_dim = config.num_attention_heads * head_dim
    kv_dim = config.num_key_value_heads * head_dim
    per_layer = 2 * (4 * h + 2 * q_dim + 2 * kv_dim + 4 * i)  # bytes per token
    layers = config.num_hidden_layers
    tokens = seq_len * batch
    if gradient_checkpointing:
        kept = layers * 2 * h + per_layer
    else:
        kept = layers * per_layer
    return tokens * kept + tokens * config.vocab_size * 10


@dataclass
class GpuFit:
    """Whether an estimate fits one GPU."""

    gpu: str                # the vendor's name: "A100 40 GB" (its memory is 40 GiB)
    capacity_bytes: int     # nvidia-smi total
    fits: bool              # estimate + CUDA_RESERVE_BYTES <= capacity
    headroom_bytes: int     # capacity - reserve - estimate (negative: short by that much)
    reserve_bytes: int = CUDA_RESERVE_BYTES  # set aside for the CUDA context


@dataclass
class TrainingEstimate:
    """Memory of a LoRA / QLoRA fine-tune, in parts (bytes)."""

    model_name: str
    weight_format: str
    seq_len: int
    batch: int
    lora_params: int
    weights: int            # base weights in weight_format
    lora_weights: int       # adapter in fp32 (peft's default): 4 B/param
    gradients: int          # fp32 gradients of the adapter only: 4 B/param
    optimizer: int          # AdamW: two fp32 states per trainable param: 8 B/param
    activations: int        # activation_bytes(...)
    total: int
    gpus: list[GpuFit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def fit_gpus(total: int) -> list[GpuFit]:
    """For each common GPU: does `total` bytes fit next to the CUDA reserve?"""
    fits = []
    for gpu, mib in GPUS_MIB.items():
        headroom = mib * MiB - CUDA_RESERVE_BYTES - total
        fits.append(GpuFit(gpu, mib * MiB, headroom >= 0, headroom))
    return fits


def training_estimate(name: str, *, weight_format: str = "nf4_double_quant", seq_len: int = 512,
                      batch: int = 1, settings=None, gradient_checkpointing: bool = False
                      ) -> TrainingEstimate:
    """Estimate the memory of fine-tuning registry model `name` with LoRA.

    The frozen base weights are stored in `weight_format` (QLoRA: NF4 + double
    quant); only the adapter has gradients and AdamW states. `settings` is a
    LoraSettings (default r=8 on q_proj, v_proj); its parameter count is peft's.

    Raises:
        KeyError: unknown model; ValueError: unknown format or seq_len/batch < 1.
    """
    from studyapp.lab.settings import LoraSettings
    from studyapp.lab.wrap import wrap_model

    if weight_format not in FORMATS:
        raise ValueError(f"unknown format {weight_format!r}: use one of {', '.join(FORMATS)}")
    if seq_len < 1 or batch < 1:
        raise ValueError(f"seq_len={seq_len}, batch={batch}: both must be >= 1 (try 512 and 1)")
    model = meta_model(name)
    weights = format_bytes(tensor_inventory(model), weight_format).total
    lora = wrap_model(model, settings or LoraSettings()).trainable_params
    acts = activation_bytes(model.config, seq_len, batch, gradient_checkpointing=gradient_checkpointing)
    total = weights + 4 * lora + 4 * lora + 8 * lora + acts
    return TrainingEstimate(name, weight_format, seq_len, batch, lora, weights, 4 * lora,
                            4 * lora, 8 * lora, acts, total, fit_gpus(total))


def estimate_for(est, lora=None) -> TrainingEstimate:
    """training_estimate from an EstimateSettings and, optionally, a LoraSettings.

    Raises:
        KeyError, ValueError: as training_estimate.
    """
    return training_estimate(est.model, weight_format=est.weight_format, seq_len=est.seq_len, batch=est.batch,
                             settings=lora, gradient_checkpointing=est.gradient_checkpointing)
