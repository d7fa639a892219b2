"""The Lab as the course sees it: what a unit's claims may compute with, by short names, and
the catalog of pages, models and claim functions the course checker accepts.

``studyapp check`` and ``tests/test_claims.py`` evaluate every claim's ``compute`` expression
with :func:`evaluate` (the allow-list interpreter of ``studyapp.core.expressions``, calling only
:func:`namespace`) and compare the formatted result with the value the unit shows. Everything
here is computed from real models (built on the meta device) or exact arithmetic; nothing is
typed in. Importing this module imports no torch; calling the functions does.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from studyapp.core import claims as claims_mod
from studyapp.core import expressions, units
from studyapp.lab import heavy


def params(model: str, r: int = 8, targets: str = "q_proj,v_proj", alpha: float = 16,
           use_dora: bool = False, use_rslora: bool = False):
    """peft's counts for a registry model wrapped with LoRA (a WrapResult: trainable_params,
    total_params, trainable_percent, adapter_bytes_fp32, adapter_bytes_bf16, scaling, line).

    ``alpha`` and ``use_rslora`` change only the scale, never a count, so one wrap per
    (model, r, targets, use_dora) serves them all; ``scaling`` is peft's, from :func:`scaling`.
    """
    import dataclasses

    return dataclasses.replace(_wrapped(model, r, targets, use_dora), scaling=scaling(r, alpha, use_rslora))


@lru_cache(maxsize=128)
def _wrapped(model: str, r: int, targets: str, use_dora: bool):
    """The expensive part of :func:`params`: peft wraps the meta-device architecture (cached)."""
    from studyapp.lab.settings import LoraSettings
    from studyapp.lab.wrap import wrap_registry_model

    settings = LoraSettings(r=r, lora_alpha=16, target_modules=targets, use_dora=use_dora)
    return wrap_registry_model(model, settings)


@lru_cache(maxsize=64)
def scaling(r: int = 8, alpha: float = 16, use_rslora: bool = False) -> float:
    """The factor peft itself stores on an adapted layer (``layer.scaling``) for this r and lora_alpha."""
    heavy.ensure()  # once, behind the Lab's lock: the buddy calls claims from request threads
    from peft import LoraConfig, get_peft_model
    from torch import nn

    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=["0"], use_rslora=use_rslora)
    with heavy.constructing():  # peft's wrap patches torch process-wide while it builds
        return get_peft_model(nn.Sequential(nn.Linear(8, 8)), config).base_model.model[0].scaling["default"]


@lru_cache(maxsize=64)
def base_params(model: str) -> int:
    """Parameters of a registry model before any adapter (built on meta)."""
    from studyapp.lab.registry import build_model

    return sum(p.numel() for p in build_model(model).parameters())


@lru_cache(maxsize=64)
def weights(model: str) -> dict[str, int]:
    """Weight bytes per format (fp32, bf16, int8, nf4, nf4_double_quant) by exact accounting."""
    from studyapp.lab.memory import weight_memory

    return weight_memory(model).to_dict()["bytes"]


@lru_cache(maxsize=64)
def upcast_bytes(model: str) -> int:
    """Bytes prepare_model_for_kbit_training adds to a 4-bit registry model: it casts every 16-bit
    parameter that is not a 4-bit weight (embeddings, norms, lm_head) to fp32, 2 bytes more each."""
    from studyapp.lab.memory import weight_memory

    return 2 * weight_memory(model).kept_params


def quant_levels(quant_type: str = "nf4") -> list[float]:
    """bitsandbytes' 16 levels of a 4-bit type ("nf4" or "fp4"), in code order (NF4's are sorted)."""
    heavy.ensure()
    import bitsandbytes.functional as bnb_f

    return [float(v) for v in bnb_f.get_4bit_type(quant_type, device="cpu")]


@lru_cache(maxsize=8)
def code_counts(quant_type: str = "nf4", blocksize: int = 64, n: int = 64 * 4096, seed: int = 0) -> list[int]:
    """How often each 4-bit code is used when bitsandbytes quantizes ``n`` normal weights
    (std 0.02, seeded) in absmax blocks of ``blocksize``: the measurement unit 4 runs."""
    heavy.ensure()
    import bitsandbytes.functional as bnb_f
    import torch

    weights_ = torch.randn(n, generator=torch.Generator().manual_seed(seed)) * 0.02
    packed, _ = bnb_f.quantize_4bit(weights_, blocksize=blocksize, quant_type=quant_type)
    codes = torch.cat([packed.flatten() >> 4, packed.flatten() & 0xF]).long()  # two codes per byte
    return torch.bincount(codes, minlength=16).tolist()


def config(model: str) -> dict[str, Any]:
    """The bundled config.json of a registry model, as a dict."""
    from studyapp.lab.registry import config_dict

    return config_dict(model)


@lru_cache(maxsize=64)
def _estimate(model: str, items: tuple):
    from studyapp.lab.memory import training_estimate

    return training_estimate(model, **dict(items))


def estimate(model: str, **kwargs):
    """A LoRA / QLoRA training-memory estimate (memory.training_estimate), cached per arguments."""
    return _estimate(model, tuple(sorted(kwargs.items())))


def support_exchanges() -> list[dict[str, str]]:
    """The bundled customer-support data set (studyapp/lab/data/support.jsonl), as dicts."""
    import json
    from importlib import resources

    text = resources.files("studyapp.lab").joinpath("data", "support.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def support_split(seed: int = 0) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(train, validation) exchanges as unit 3 splits them: one shuffle with ``random.Random(seed)``,
    the first tenth held out for validation."""
    import random

    exchanges = support_exchanges()
    random.Random(seed).shuffle(exchanges)
    n_val = len(exchanges) // 10
    return exchanges[n_val:], exchanges[:n_val]


def namespace() -> dict[str, Any]:
    """The names a claim's ``compute`` expression may use: the functions above, a few pure maths
    helpers, and the binary byte units of ``studyapp.core.units`` (every memory figure is GiB/MiB)."""
    return {"params": params, "base_params": base_params, "weights": weights, "config": config,
            "estimate": estimate, "scaling": scaling, "support_exchanges": support_exchanges,
            "support_split": support_split,
            "upcast_bytes": upcast_bytes,
            "quant_levels": quant_levels, "code_counts": code_counts, "sqrt": math.sqrt,
            "ceil": math.ceil, "floor": math.floor, "log": math.log, "log2": math.log2, "exp": math.exp,
            "round": round, "min": min, "max": max, "sum": sum, "abs": abs, "len": len,
            "KiB": units.KIB, "MiB": units.MIB, "GiB": units.GIB}


def evaluate(compute: str, fmt: str = "{}") -> str:
    """Evaluate one claim's expression and format it as the unit shows it.

    Raises:
        ExpressionError: the expression or format is outside the allow-list.
        Exception: whatever the expression raises (ZeroDivisionError for ``1 / 0``, ...).
    """
    problem = claims_mod.format_problem(fmt)
    if problem:
        raise expressions.ExpressionError(problem)
    return fmt.format(expressions.evaluate(compute, namespace()))


def catalog():
    """What the course may refer to in the Lab: page paths, registry models, claim functions.

    Light: reads names only (no torch).
    """
    from studyapp.core.content import LabCatalog
    from studyapp.lab.panels import url_paths
    from studyapp.lab.registry import model_names

    return LabCatalog.of(url_paths(), model_names(), namespace())
