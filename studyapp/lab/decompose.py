"""Rank decomposition: what LoRA's B·A is, on a real layer of the small model.

W0 is (d, k) = (out_features, in_features); lora_A is (r, k), lora_B is (d, r);
the update is ΔW = scaling · B·A, rank at most r. All arrays come back as numpy
float32 for heatmaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class LayerMatrices:
    """W0, A, B and the scaled update of one LoRA-adapted layer."""

    name: str
    W: Any        # (d, k) base weight
    A: Any        # (r, k) lora_A.weight
    B: Any        # (d, r) lora_B.weight
    delta: Any    # (d, k) scaling · B @ A
    scaling: float
    r: int


def adapted_layer_names(peft_model) -> list[str]:
    """Names of the modules that carry a LoRA adapter, in model order."""
    from studyapp.lab import heavy

    heavy.ensure()
    from peft.tuners.lora import LoraLayer

    return [n for n, m in peft_model.base_model.model.named_modules() if isinstance(m, LoraLayer)]


def layer_matrices(peft_model, name: str, adapter: str = "default") -> LayerMatrices:
    """W, A, B and scaling·B·A of adapted module `name` (see adapted_layer_names).

    Raises:
        KeyError: `name` is not an adapted module (the message lists those that are).
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    modules = dict(peft_model.base_model.model.named_modules())
    if name not in adapted_layer_names(peft_model):
        raise KeyError(f"{name!r} has no LoRA adapter; pick one of "
                       f"{', '.join(adapted_layer_names(peft_model)[:8])} ...")
    layer = modules[name]
    with torch.no_grad():
        W = layer.get_base_layer().weight.detach().float().cpu()      # (d, k)
        A = layer.lora_A[adapter].weight.detach().float().cpu()       # (r, k)
        B = layer.lora_B[adapter].weight.detach().float().cpu()       # (d, r)
        scaling = float(layer.scaling[adapter])
        delta = scaling * (B @ A)                                     # (d, k)
    return LayerMatrices(name, W.numpy(), A.numpy(), B.numpy(), delta.numpy(), scaling, A.shape[0])


def singular_values(matrix) -> Any:
    """Singular values of a 2-D array, largest first (numpy float64)."""
    import numpy as np

    return np.linalg.svd(np.asarray(matrix, dtype=np.float64), compute_uv=False)


def numerical_rank(values, rtol: float = 1e-6) -> int:
    """How many singular values exceed rtol times the largest (0 for a zero matrix)."""
    if len(values) == 0 or values[0] == 0:
        return 0
    return int((values > rtol * values[0]).sum())


@dataclass
class ParamCountRow:
    """Full update d·k against LoRA's r·(d + k) at one rank."""

    r: int
    full: int        # d·k
    lora: int        # r·(d + k)
    ratio: float     # lora / full


def param_count_curve(d: int, k: int, ranks: list[int]) -> list[ParamCountRow]:
    """d·k against r·(d + k) for each r: LoRA wins while r < d·k / (d + k)."""
    return [ParamCountRow(r, d * k, r * (d + k), r * (d + k) / (d * k)) for r in ranks]


def low_rank_error_curve(matrix, ranks: list[int]) -> list[tuple[int, float]]:
    """(r, relative error) of the best rank-r approximation of `matrix`.

    By Eckart-Young the best rank-r approximation is the truncated SVD, and its
    Frobenius error is the root of the sum of the squared dropped singular
    values: ||W - W_r||_F / ||W||_F = sqrt(sum_{i>r} s_i^2 / sum_i s_i^2).
    """
    import numpy as np

    s2 = singular_values(matrix) ** 2
    total = s2.sum()
    return [(r, float(np.sqrt(s2[r:].sum() / total)) if total else 0.0) for r in ranks]


def truncated(matrix, r: int) -> Any:
    """The best rank-r approximation of `matrix` (truncated SVD), as a numpy array."""
    import numpy as np

    U, s, Vt = np.linalg.svd(np.asarray(matrix, dtype=np.float64), full_matrices=False)
    return (U[:, :r] * s[:r]) @ Vt[:r]


def demo_layer(model_name: str = "tiny-llama", layer: str = "model.layers.0.self_attn.q_proj",
               r: int = 8, lora_alpha: float = 16, seed: int = 0) -> LayerMatrices:
    """W, A, B, B·A of one layer of a fresh small model with both A and B random
    (init_lora_weights='no_init'), so the update is not zero and its rank shows."""
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    from studyapp.lab.settings import LoraSettings
    from studyapp.lab.wrap import wrap_registry_model

    leaf = layer.rsplit(".", 1)[-1]
    settings = LoraSettings(r=r, lora_alpha=lora_alpha, target_modules=[leaf], init_lora_weights="no_init")
    torch.manual_seed(seed)
    wrapped = wrap_registry_model(model_name, settings, seed=seed)
    return layer_matrices(wrapped.model, layer)


@dataclass(frozen=True)
class RankReport:
    """What the rank panel and `studyapp lab rank` show for one layer."""

    model: str
    layer: str
    source: str                   # "random A and B" or the adapter it was learned in
    d: int                        # out_features
    k: int                        # in_features
    r: int
    scaling: float
    numerical_rank: int           # of scaling·B·A
    update_singular_values: tuple[float, ...]   # the first 3r + 8, largest first
    w0_singular_values: tuple[float, ...]       # all min(d, k), largest first
    w0_error_curve: tuple[tuple[int, float], ...]  # (r, relative error of W0's best rank-r approximation)
    energy_kept: tuple[tuple[int, float], ...] = ()  # (k, share of the update's energy), learned only

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        from dataclasses import asdict

        return asdict(self)


def _error_ranks(d: int, k: int) -> list[int]:
    return [x for x in (1, 2, 4, 8, 16, 32, 64, 128, 256) if x <= min(d, k)]


def _report(model: str, layer: str, source: str, W, delta, r: int, scaling: float,
            energy: list[tuple[int, float]] | None = None, w0_values=None) -> RankReport:
    import numpy as np

    d, k = np.asarray(delta).shape
    values = singular_values(delta)
    w0_values = singular_values(W) if w0_values is None else np.asarray(w0_values)
    errors = low_rank_error_curve(W, _error_ranks(d, k)) if W is not None else _curve_from(w0_values, d, k)
    return RankReport(model, layer, source, int(d), int(k), int(r), float(scaling), numerical_rank(values),
                      tuple(float(v) for v in values[: min(len(values), 3 * r + 8)]),
                      tuple(float(v) for v in w0_values), tuple(errors), tuple(energy or ()))


def _curve_from(values, d: int, k: int) -> list[tuple[int, float]]:
    # The same Eckart-Young error as low_rank_error_curve, from singular values already known.
    import numpy as np

    s2 = np.asarray(values, dtype=np.float64) ** 2
    total = s2.sum()
    return [(r, float(np.sqrt(s2[r:].sum() / total)) if total else 0.0) for r in _error_ranks(d, k)]


def rank_report(settings) -> RankReport:
    """A RankReport for a RankSettings: one layer of a fresh small model, A and B both random.

    Raises:
        LoraSettingsError: the settings are invalid (an unknown layer included).
    """
    settings.check()
    m = demo_layer(settings.model, settings.layer, r=settings.r, lora_alpha=settings.lora_alpha)
    return _report(settings.model, settings.layer, "random A and B (init_lora_weights='no_init')",
                   m.W, m.delta, m.r, m.scaling)


def learned_report(layer: str, layers, *, model: str, source: str = "learned") -> RankReport:
    """A RankReport of the learned update of `layer` among `layers` (lab/learned.LearnedLayer,
    from a live fine-tune or the bundled adapter); r and the scaling are the adapter's own.

    Raises:
        KeyError: the adapter has no such layer (the message lists those it has).
    """
    by_name = {item.name: item for item in layers}
    if layer not in by_name:
        raise KeyError(f"the adapter has no layer {layer!r}; it adapts "
                       f"{', '.join(list(by_name)[:7])} ... ({len(by_name)} in all)")
    item = by_name[layer]
    return _report(model, item.name, source, None, item.delta, item.r, item.scaling,
                   item.energy_kept(), item.w0_singular_values)
