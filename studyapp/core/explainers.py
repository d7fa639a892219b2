"""The registry of live explainers a unit may embed, with the maths behind them.

An explainer is named in a unit's Markdown as a fenced ``explainer`` block. This
module knows the names, their parameters and ranges, and computes the numbers
they plot; the Plotly figures and sliders live in ``studyapp.ui.explainers``.
No torch here: the arithmetic is exact integer maths, cheap on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass

from studyapp.core.units import GIB


@dataclass(frozen=True)
class Param:
    """A slider an explainer offers: its range and default."""

    name: str
    label: str
    low: int
    high: int
    default: int
    help: str


LORA_PARAMS = (
    Param("d", "d (output features)", 64, 16384, 4096, "Rows of W0: the layer's output size."),
    Param("k", "k (input features)", 64, 16384, 4096, "Columns of W0: the layer's input size."),
    Param("r", "r (rank)", 1, 256, 8, "Rank of the update: B is d x r, A is r x k."),
)

SCALING_PARAMS = (
    Param("r", "r (rank)", 1, 256, 8, "Rank of the adapter."),
    Param("lora_alpha", "lora_alpha", 1, 512, 16, "Numerator of the scaling factor."),
)

QUANT_PARAMS = (
    Param("params_b", "model size (billions of parameters)", 1, 180, 7, "Parameters in quantized linear layers."),
    Param("blocksize", "block size", 16, 512, 64, "Weights sharing one absmax constant (bitsandbytes: 64)."),
    Param("nested_blocksize", "second-level block size", 16, 1024, 256,
          "Absmax constants sharing one fp32 constant under double quantization (bitsandbytes: 256)."),
)

UNMERGED_PARAMS = (
    Param("d", "d (output features)", 64, 16384, 4096, "Rows of W0."),
    Param("k", "k (input features)", 64, 16384, 4096, "Columns of W0."),
    Param("r", "r (rank)", 1, 256, 8, "Rank of the adapter."),
)

REGISTRY: dict[str, tuple[Param, ...]] = {
    "lora-params": LORA_PARAMS,
    "lora-scaling": SCALING_PARAMS,
    "quant-bits": QUANT_PARAMS,
    "unmerged-cost": UNMERGED_PARAMS,
}
NAMES = frozenset(REGISTRY)


def check_params(name: str, params: dict) -> list[str]:
    """Return a message for each preset that is unknown or out of range (empty when all fit)."""
    known = {p.name: p for p in REGISTRY[name]}
    messages = []
    for key, value in params.items():
        param = known.get(key)
        if param is None:
            messages.append(f"explainer '{name}' has no parameter '{key}'; it takes {', '.join(known)}")
        elif isinstance(value, bool) or not isinstance(value, int) or not param.low <= value <= param.high:
            messages.append(f"explainer '{name}': {key} must be a whole number from {param.low} to {param.high}")
    return messages


def full_params(d: int, k: int) -> int:
    """Parameters of a full update of a d x k weight matrix."""
    return d * k


def lora_params(d: int, k: int, r: int) -> int:
    """Parameters of a rank-r LoRA update: B (d x r) plus A (r x k)."""
    return r * (d + k)


def lora_share(d: int, k: int, r: int) -> float:
    """LoRA parameters as a fraction of the full update's."""
    return lora_params(d, k, r) / full_params(d, k)


def break_even_rank(d: int, k: int) -> int:
    """The smallest rank at which LoRA stops saving parameters: r*(d+k) >= d*k."""
    return -(-d * k // (d + k))


def scaling(lora_alpha: float, r: int, use_rslora: bool = False) -> float:
    """peft's scaling factor: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA."""
    return lora_alpha / (r ** 0.5 if use_rslora else r)


def nf4_bits(blocksize: int = 64) -> float:
    """Bits per weight of NF4: 4 bits plus one fp32 absmax per block."""
    return 4 + 32 / blocksize


def nf4_double_quant_bits(blocksize: int = 64, nested_blocksize: int = 256) -> float:
    """Bits per weight of NF4 with double quantization: 8-bit absmax, one fp32 constant per nested block."""
    return 4 + 8 / blocksize + 32 / (blocksize * nested_blocksize)


def weight_gib(params_b: float, bits: float) -> float:
    """GiB (2**30 bytes, the course's unit for memory) of ``params_b`` billion weights at ``bits`` bits."""
    return params_b * 1e9 * bits / 8 / GIB


def unmerged_overhead(d: int, k: int, r: int) -> float:
    """Extra multiply-adds per token of an unmerged adapter, as a share of the base layer's d·k."""
    return r * (d + k) / (d * k)
