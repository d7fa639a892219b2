"""The measured side of the memory panel: a real bitsandbytes quantization, bytes summed.

The small registry model is saved to a temporary folder and loaded back with
transformers' BitsAndBytesConfig: the same path a student takes with a Hub
checkpoint, minus the download. Every tensor the quantized model holds is then
summed, quant_state tensors included (absmax, code tables, the second-level
state and offset of double quantization, int8 row scales). Works on CPU
(bitsandbytes 0.50) and on CUDA.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from studyapp.lab.memory import FORMATS


@dataclass
class MeasuredBytes:
    """Real bytes of a model's tensors, in the same parts as memory.FormatBytes."""

    fmt: str
    quantized_codes: int  # Params4bit / Int8Params storage (or every linear weight in fp32/bf16)
    quant_stats: int      # quant_state tensors, SCB
    kept: int             # every other parameter
    total: int
    seconds: float = 0.0  # time to load + quantize
    cuda_allocated: int | None = None  # torch.cuda.memory_allocated after loading (CUDA only)
    device: str = "cpu"
    tensors: list[tuple[str, str, int]] = field(default_factory=list, repr=False)  # (name, dtype, bytes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (without the per-tensor list)."""
        return {k: v for k, v in asdict(self).items() if k != "tensors"}


def _nbytes(t) -> int:
    return t.numel() * t.element_size()


def quant_state_tensors(param) -> dict[str, Any]:
    """The tensors a quantized bitsandbytes weight keeps beside its codes, by role."""
    out = {}
    state = getattr(param, "quant_state", None)
    if state is not None:  # Params4bit
        out.update(absmax=state.absmax, code=state.code)
        if state.state2 is not None:  # double quantization
            out.update(nested_absmax=state.state2.absmax, nested_code=state.state2.code,
                       offset=state.offset)
    scb = getattr(param, "SCB", None)
    if scb is not None:  # Int8Params: fp32 scale per output row
        out["SCB"] = scb
    return out


def _is_quantized_param(param) -> bool:
    return getattr(param, "quant_state", None) is not None or getattr(param, "SCB", None) is not None


def measure_tensor_bytes(model, fmt: str = "") -> MeasuredBytes:
    """Sum the real bytes of every parameter and quant_state tensor of `model`.

    Each storage is counted once (tied weights, shared views). For fp32/bf16
    models the weights of the linears bitsandbytes would quantize count as
    'quantized_codes', so parts line up with memory.format_bytes.
    """
    from studyapp.lab.memory import tensor_inventory

    quantizable = {e.name for e in tensor_inventory(model) if e.quantized}
    seen, tensors = set(), []
    codes = stats = kept = 0
    for name, param in model.named_parameters():
        if param.data_ptr() in seen:
            continue
        seen.add(param.data_ptr())
        tensors.append((name, str(param.dtype), _nbytes(param)))
        if _is_quantized_param(param) or name in quantizable:
            codes += _nbytes(param)
        else:
            kept += _nbytes(param)
        for role, t in quant_state_tensors(param).items():
            if t.data_ptr() not in seen:
                seen.add(t.data_ptr())
                tensors.append((f"{name}.{role}", str(t.dtype), _nbytes(t)))
                stats += _nbytes(t)
    return MeasuredBytes(fmt, codes, stats, kept, codes + stats + kept, tensors=tensors)


def bnb_config(fmt: str):
    """transformers' BitsAndBytesConfig for `fmt` ('int8', 'nf4', 'nf4_double_quant')."""
    import torch
    from transformers import BitsAndBytesConfig

    if fmt == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_use_double_quant=fmt == "nf4_double_quant",
                              bnb_4bit_compute_dtype=torch.bfloat16)


def load_quantized(name: str, fmt: str, *, device: str | None = None, seed: int = 0):
    """Small registry model `name` with its seeded weights, loaded in `fmt` on `device`.

    Raises:
        ValueError: unknown format, or a meta-only (full-size) model.
    """
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    from studyapp.lab.device import pick_device
    from studyapp.lab.registry import TRAINABLE, build_model, get_spec

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if get_spec(name).kind != TRAINABLE:
        raise ValueError(f"{name} is a full-size architecture with no weights; "
                         "measure a small model (tiny-llama, small-llama) instead")
    device = device or pick_device()
    model = build_model(name, seed=seed)
    if fmt == "fp32":
        return model.to(device)
    if fmt == "bf16":
        return model.to(device, dtype=torch.bfloat16)
    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save_pretrained(folder)
        return AutoModelForCausalLM.from_pretrained(
            folder, quantization_config=bnb_config(fmt), dtype=torch.bfloat16,
            device_map={"": device})


def measure_quantized(name: str, fmt: str, *, device: str | None = None, seed: int = 0) -> MeasuredBytes:
    """Really quantize small model `name` to `fmt` and measure its tensors' bytes.

    On CUDA, also torch.cuda.memory_allocated after loading (which includes the
    caching allocator's rounding to 512-byte blocks, so it is a bit above total).
    """
    import torch

    from studyapp.lab.device import pick_device

    device = device or pick_device()
    start = time.perf_counter()
    model = load_quantized(name, fmt, device=device, seed=seed)
    seconds = time.perf_counter() - start
    measured = measure_tensor_bytes(model, fmt)
    measured.seconds, measured.device = seconds, device
    if device.startswith("cuda"):
        measured.cuda_allocated = torch.cuda.memory_allocated(device)
    return measured


def quantize_linear(fmt: str, out_features: int, in_features: int, *, device: str = "cpu", seed: int = 0):
    """One bitsandbytes linear layer of shape (out, in) with random weights, quantized to `fmt`."""
    import bitsandbytes as bnb
    import torch

    torch.manual_seed(seed)
    weight = torch.randn(out_features, in_features, dtype=torch.bfloat16) * 0.02  # (d, k)
    if fmt == "int8":
        layer = bnb.nn.Linear8bitLt(in_features, out_features, bias=False, has_fp16_weights=False)
        layer.weight = bnb.nn.Int8Params(weight, requires_grad=False, has_fp16_weights=False)
    else:
        dq = fmt == "nf4_double_quant"
        layer = bnb.nn.Linear4bit(in_features, out_features, bias=False, quant_type="nf4",
                                  compress_statistics=dq, compute_dtype=torch.bfloat16)
        layer.weight = bnb.nn.Params4bit(weight, requires_grad=False, quant_type="nf4",
                                         compress_statistics=dq)
    return layer.to(device)  # moving to the device is what quantizes
