"""A learned update: what training put into one layer's B and A, and how low its rank is.

For a trained adapter, each adapted layer's update is ΔW = scaling · B·A, with
B (d, r), A (r, k) and W0 (d, k). Its singular values s_1 >= ... >= s_r (at most r are
non-zero) say how many directions the update really uses; the share of its energy
(squared Frobenius norm) the top k keep is sum_{i<=k} s_i² / sum_i s_i², and by
Eckart-Young the best rank-k approximation loses exactly the rest. W0's singular
values are given beside them, for scale: a random base is nearly full-rank.

The Lab ships one learned adapter (BUNDLED: tiny-llama, r=8, all linear layers, trained
on the support data by ``studyapp lab train``, see BUNDLED_COMMAND), so the rank panel
can show a learned update before a student has trained anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

BUNDLED_NAME = "tiny-llama-support"
BUNDLED_COMMAND = ("studyapp lab train --model tiny-llama --steps 200 --seed 0 "
                   f"--save-adapter studyapp/lab/adapters/{BUNDLED_NAME}")


@dataclass(frozen=True)
class LearnedLayer:
    """One adapted layer of a trained adapter: A, B, the scaling, and W0's spectrum."""

    name: str                 # model.layers.0.self_attn.q_proj
    A: Any                    # (r, k) lora_A.weight, numpy float32
    B: Any                    # (d, r) lora_B.weight
    scaling: float            # lora_alpha / r
    w0_singular_values: Any   # (min(d, k),) of the base weight the adapter was trained on

    @property
    def r(self) -> int:
        """The adapter's rank."""
        return int(self.A.shape[0])

    @property
    def delta(self) -> Any:
        """ΔW = scaling · B·A, (d, k)."""
        return self.scaling * (self.B @ self.A)

    def singular_values(self) -> Any:
        """Singular values of ΔW, largest first (at most r are non-zero)."""
        from studyapp.lab.decompose import singular_values

        return singular_values(self.delta)

    def energy_kept(self) -> list[tuple[int, float]]:
        """(k, share of ΔW's squared Frobenius norm in its top k singular directions), k = 1..r."""
        s2 = self.singular_values()[: self.r] ** 2
        total = float(s2.sum())
        return [(k, float(s2[:k].sum()) / total if total else 0.0) for k in range(1, self.r + 1)]


def base_weight(layer) -> Any:
    """The base weight of a LoRA layer as float32 (d, k): dequantized when it is 4- or 8-bit."""
    from studyapp.lab import heavy

    heavy.ensure()
    from peft.utils.integrations import dequantize_module_weight

    return dequantize_module_weight(layer.get_base_layer()).detach().float().cpu()


def learned_layers(peft_model, adapter: str = "default") -> list[LearnedLayer]:
    """Every adapted layer of a (trained) PeftModel, as LearnedLayer, in model order."""
    from studyapp.lab import heavy

    heavy.ensure()
    import torch
    from peft.tuners.lora import LoraLayer

    from studyapp.lab.decompose import singular_values

    layers = []
    with torch.no_grad():
        for name, module in peft_model.base_model.model.named_modules():
            if not isinstance(module, LoraLayer) or adapter not in module.lora_A:
                continue
            A = module.lora_A[adapter].weight.detach().float().cpu().numpy()  # (r, k)
            B = module.lora_B[adapter].weight.detach().float().cpu().numpy()  # (d, r)
            w0 = singular_values(base_weight(module).numpy()).astype("float32")
            layers.append(LearnedLayer(name, A, B, float(module.scaling[adapter]), w0))
    return layers


def bundled_folder() -> Path:
    """The folder of the bundled adapter (adapter_model.safetensors, adapter_config.json)."""
    return Path(str(resources.files("studyapp.lab").joinpath("adapters", BUNDLED_NAME)))


def made_with(folder: str | Path | None = None) -> dict[str, Any]:
    """How an adapter saved by `studyapp lab train --save-adapter` was made (made-with.json)."""
    return json.loads((Path(folder or bundled_folder()) / "made-with.json").read_text())


def load_adapter(folder: str | Path | None = None) -> list[LearnedLayer]:
    """The learned layers of an adapter folder (default: the bundled one), on its seeded base.

    Raises:
        FileNotFoundError: the folder has no adapter or no made-with.json.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    from peft import PeftModel

    from studyapp.lab.train import load_base
    from studyapp.lab.settings import TrainSettings
    from studyapp.lab.wrap import quiet_peft

    folder = Path(folder or bundled_folder())
    train = TrainSettings.from_dict(made_with(folder)["train"]).replace(device="cpu")
    base = load_base(train)
    with quiet_peft(), heavy.constructing():
        model = PeftModel.from_pretrained(base, str(folder))
    return learned_layers(model)
