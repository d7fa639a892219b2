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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from studyapp.lab.memory import FORMAT_TITLES, FORMATS, FormatBytes


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
    from studyapp.lab.memory import tensor_inventory  # calls heavy.ensure()

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


def bnb_config(fmt: str, compute_dtype: str = "bfloat16"):
    """transformers' BitsAndBytesConfig for `fmt` ('int8', 'nf4', 'nf4_double_quant').

    Raises:
        ValueError: `fmt` is not a bitsandbytes format.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers import BitsAndBytesConfig

    if fmt == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    if fmt not in ("nf4", "nf4_double_quant"):
        raise ValueError(f"{fmt!r} is not quantized by bitsandbytes: use int8, nf4 or nf4_double_quant")
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_use_double_quant=fmt == "nf4_double_quant",
                              bnb_4bit_compute_dtype=getattr(torch, compute_dtype))


def random_model(name: str, *, device: str = "cpu", seed: int = 0, dtype: str = "float32"):
    """Registry model `name` with seeded random weights on `device`, whatever its size.

    Small models come from registry.build_model; a full-size architecture (a 1B Llama on a
    GPU machine, say) is built from its bundled config directly on `device`, so its
    memory must be there: 2 bytes per parameter in bf16.

    Raises:
        KeyError: unknown model.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers import AutoModelForCausalLM

    from studyapp.lab.registry import TRAINABLE, build_model, get_spec, load_config

    if get_spec(name).kind == TRAINABLE:
        return build_model(name, device=device, seed=seed).to(dtype=getattr(torch, dtype))
    config = load_config(name)
    with heavy.constructing(), torch.device(device):
        torch.manual_seed(seed)
        return AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype)).eval()


def load_quantized(name: str, fmt: str, *, device: str | None = None, seed: int = 0,
                   compute_dtype: str = "bfloat16", full_size: bool = False, dtype: str = "bfloat16"):
    """Registry model `name` with its seeded random weights, loaded in `fmt` on `device`.

    The model is saved to a temporary folder (in bf16) and loaded back with a
    BitsAndBytesConfig, the path a Hub checkpoint takes; `dtype` is what the layers that
    are not quantized are loaded in (and what model.dequantize() returns). Full-size
    architectures need `full_size=True` (they are built for real: see random_model).

    Raises:
        ValueError: unknown format, or a full-size model without full_size=True.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    from studyapp.lab.device import pick_device
    from studyapp.lab.registry import TRAINABLE, get_spec

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if get_spec(name).kind != TRAINABLE and not full_size:
        raise ValueError(f"{name} is a full-size architecture with no weights; "
                         "measure a small model (tiny-llama, small-llama) instead")
    device = device or pick_device()
    if fmt in ("fp32", "bf16"):
        return random_model(name, device=device, seed=seed, dtype="float32" if fmt == "fp32" else "bfloat16")
    model = random_model(name, device=device if full_size else "cpu", seed=seed, dtype="bfloat16")
    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save_pretrained(folder)
        del model  # a full-size model's 16-bit copy must not sit beside the quantized one
        with heavy.constructing():
            return AutoModelForCausalLM.from_pretrained(
                folder, quantization_config=bnb_config(fmt, compute_dtype), dtype=getattr(torch, dtype),
                device_map={"": device})


def measure_quantized(name: str, fmt: str, *, device: str | None = None, seed: int = 0,
                      full_size: bool = False) -> MeasuredBytes:
    """Really quantize model `name` to `fmt` and measure its tensors' bytes.

    On CUDA, also torch.cuda.memory_allocated after loading (which includes the
    caching allocator's rounding to 512-byte blocks, so it is a bit above total).
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    from studyapp.lab.device import free_memory, pick_device

    device = device or pick_device()
    on_cuda = device.startswith("cuda")
    if on_cuda:
        free_memory()
        before = torch.cuda.memory_allocated(device)
    start = time.perf_counter()
    model = load_quantized(name, fmt, device=device, seed=seed, full_size=full_size)
    seconds = time.perf_counter() - start
    measured = measure_tensor_bytes(model, fmt)
    measured.seconds, measured.device = seconds, device
    if on_cuda:
        measured.cuda_allocated = torch.cuda.memory_allocated(device) - before
    return measured


@dataclass
class QuantizeRow:
    """One format: what bitsandbytes really stored against what memory.py accounts."""

    fmt: str
    measured: MeasuredBytes
    accounted: FormatBytes

    @property
    def title(self) -> str:
        """The format as a student reads it: 'NF4 + double quant'."""
        return FORMAT_TITLES[self.fmt]

    @property
    def difference(self) -> int:
        """measured - accounted, in bytes (0 when the accounting is exact)."""
        return self.measured.total - self.accounted.total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"format": self.fmt, "measured": self.measured.to_dict(),
                "accounted": asdict(self.accounted), "difference": self.difference}


def compare_formats(name: str, formats: tuple[str, ...] = FORMATS, *, device: str | None = None,
                    on_progress: Callable[[int, int, str], None] | None = None,
                    full_size: bool = False) -> list[QuantizeRow]:
    """Quantize `name` to each format in turn and set the measurement beside the accounting.

    `on_progress(done, total, text)` is called before each format (a job's progress).

    Raises:
        ValueError: as load_quantized.
    """
    from studyapp.lab.memory import weight_memory

    accounted = weight_memory(name).formats
    rows = []
    for done, fmt in enumerate(formats):
        if on_progress is not None:
            on_progress(done, len(formats), f"quantizing to {FORMAT_TITLES[fmt]}")
        rows.append(QuantizeRow(fmt, measure_quantized(name, fmt, device=device, full_size=full_size),
                                accounted[fmt]))
    if on_progress is not None:
        on_progress(len(formats), len(formats), "done")
    return rows


def quantize_linear(fmt: str, out_features: int, in_features: int, *, device: str = "cpu", seed: int = 0):
    """One bitsandbytes linear layer of shape (out, in) with random weights, quantized to `fmt`."""
    from studyapp.lab import heavy

    heavy.ensure()
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
