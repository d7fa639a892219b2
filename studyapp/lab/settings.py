"""LoraSettings: the LoraConfig fields a student sets, with help text and validation.

The help text of each field is in its metadata (`field_help`), so the Streamlit
page and the CLI show the same sentence. `validate()` returns messages that say
how to fix the value; `to_lora_config()` builds peft's LoraConfig (imports peft).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ALL_LINEAR = "all-linear"
BIAS_CHOICES = ("none", "all", "lora_only")
INIT_CHOICES = ("default", "gaussian", "no_init")  # "no_init": B random too, so B·A != 0 at step 0


class LoraSettingsError(ValueError):
    """Raised by LoraSettings.check() with every problem, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _help(text: str, **extra: Any) -> dict[str, Any]:
    return {"help": text, **extra}


@dataclass
class LoraSettings:
    """The LoRA hyper-parameters of one experiment (names from the paper and peft)."""

    r: int = field(default=8, metadata=_help(
        "Rank r of the update B·A: lora_A is (r, in_features), lora_B is (out_features, r). "
        "Trainable parameters per module grow linearly with r: r·(in + out).", min=1, max=1024))
    lora_alpha: float = field(default=16, metadata=_help(
        "lora_alpha: the update is multiplied by scaling = lora_alpha / r "
        "(lora_alpha / sqrt(r) with rsLoRA). Common choices: alpha = r or alpha = 2r.", min=0.0))
    target_modules: list[str] | str = field(default_factory=lambda: ["q_proj", "v_proj"], metadata=_help(
        "Which linear layers get an adapter, by leaf name (q_proj, k_proj, v_proj, o_proj, "
        "gate_proj, up_proj, down_proj on Llama) or 'all-linear' for every linear layer "
        "except the output head."))
    lora_dropout: float = field(default=0.0, metadata=_help(
        "Dropout on the input of the LoRA branch during training (0 to turn off); "
        "the base path is never dropped.", min=0.0, max=0.99))
    bias: str = field(default="none", metadata=_help(
        "Which biases train: 'none' (LoRA only), 'all' (every bias in the model), "
        "'lora_only' (biases of the adapted modules).", choices=BIAS_CHOICES))
    use_rslora: bool = field(default=False, metadata=_help(
        "rank-stabilised LoRA: scaling = lora_alpha / sqrt(r) instead of lora_alpha / r, "
        "so raising r does not shrink the update."))
    use_dora: bool = field(default=False, metadata=_help(
        "DoRA: split the weight into magnitude and direction; adds one trainable "
        "magnitude per output feature of each adapted module."))
    init_lora_weights: str = field(default="default", metadata=_help(
        "'default': A Kaiming-uniform, B zero, so the wrapped model equals the base model "
        "at step 0. 'gaussian': A Gaussian, B zero. 'no_init': B random too (only for "
        "demos of a non-zero update).", choices=INIT_CHOICES))

    @property
    def scaling(self) -> float:
        """The factor on B·A: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA."""
        return self.lora_alpha / (math.sqrt(self.r) if self.use_rslora else self.r)

    def target_list(self) -> list[str] | str:
        """target_modules as peft wants it: 'all-linear' or a list of leaf names."""
        if isinstance(self.target_modules, str):
            text = self.target_modules.strip()
            if text == ALL_LINEAR:
                return ALL_LINEAR
            return [t.strip() for t in text.split(",") if t.strip()]
        return [t.strip() for t in self.target_modules if t.strip()]

    def validate(self) -> list[str]:
        """Every problem with these settings, each saying how to fix it ([] when valid)."""
        problems = []
        if not isinstance(self.r, int) or isinstance(self.r, bool) or self.r < 1:
            problems.append(f"r={self.r!r}: the rank must be a whole number >= 1; try 8 or 16.")
        elif self.r > 1024:
            problems.append(f"r={self.r}: ranks above 1024 defeat the point of LoRA; try 8 to 64.")
        if not isinstance(self.lora_alpha, (int, float)) or self.lora_alpha <= 0:
            problems.append(f"lora_alpha={self.lora_alpha!r}: must be a number > 0; "
                            "try lora_alpha = r or 2·r.")
        if not self.target_list():
            problems.append("target_modules is empty: name at least one linear layer "
                            "(e.g. q_proj,v_proj) or use 'all-linear'.")
        if not 0.0 <= self.lora_dropout < 1.0:
            problems.append(f"lora_dropout={self.lora_dropout}: must be in [0, 1); "
                            "use 0.05 or 0.1, or 0 to turn it off.")
        if self.bias not in BIAS_CHOICES:
            problems.append(f"bias={self.bias!r}: use one of {', '.join(BIAS_CHOICES)}.")
        if self.init_lora_weights not in INIT_CHOICES:
            problems.append(f"init_lora_weights={self.init_lora_weights!r}: "
                            f"use one of {', '.join(INIT_CHOICES)}.")
        return problems

    def check(self) -> "LoraSettings":
        """Return self when valid.

        Raises:
            LoraSettingsError: listing every problem and its fix.
        """
        problems = self.validate()
        if problems:
            raise LoraSettingsError(problems)
        return self

    def to_lora_config(self):
        """peft's LoraConfig for these settings (imports peft).

        Raises:
            LoraSettingsError: when the settings are invalid.
        """
        from peft import LoraConfig

        self.check()
        init = {"default": True, "gaussian": "gaussian", "no_init": False}[self.init_lora_weights]
        return LoraConfig(
            r=self.r, lora_alpha=self.lora_alpha, target_modules=self.target_list(),
            lora_dropout=self.lora_dropout, bias=self.bias, use_rslora=self.use_rslora,
            use_dora=self.use_dora, init_lora_weights=init, task_type="CAUSAL_LM",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON), with the derived scaling."""
        return {**asdict(self), "target_modules": self.target_list(), "scaling": self.scaling}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "LoraSettings":
        """Settings from a dict; unknown keys (like the derived 'scaling') are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


def field_help(name: str) -> str:
    """The help text of LoraSettings field `name` (the same sentence in the page and the CLI)."""
    for f in fields(LoraSettings):
        if f.name == name:
            return f.metadata["help"]
    raise KeyError(f"LoraSettings has no field {name!r}")


def field_meta(name: str) -> dict[str, Any]:
    """All metadata of a field: help, and where given min, max, choices (for widgets)."""
    for f in fields(LoraSettings):
        if f.name == name:
            return dict(f.metadata)
    raise KeyError(f"LoraSettings has no field {name!r}")
