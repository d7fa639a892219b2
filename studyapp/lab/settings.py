"""Every setting a student or a script gives the Lab, each stated once.

A :class:`Setting` holds one knob's default, type, range or choices, help text and a
hint on how to fix a bad value. The settings dataclasses below (frozen, so they can be
cache keys) carry their Setting in each field's metadata; the page widgets
(``ui/lab_controls``), the CLI flags (``lab/cli``), URL presets (:func:`from_presets`)
and validation (:meth:`Settings.validate`) all read it from there.

Light: no torch. ``LoraSettings.to_lora_config()`` imports peft.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, TypeVar

ALL_LINEAR = "all-linear"
BIAS_CHOICES = ("none", "all", "lora_only")
INIT_CHOICES = ("default", "gaussian", "no_init")  # "no_init": B random too, so B·A != 0 at step 0
FORMATS = ("fp32", "bf16", "int8", "nf4", "nf4_double_quant")  # weight storage, see lab/memory
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")  # a module leaf name such as q_proj

S = TypeVar("S", bound="Settings")


class SettingError(ValueError):
    """A value that does not fit its Setting; str() says what is wrong and how to fix it."""


class LoraSettingsError(ValueError):
    """Raised by Settings.check() with every problem, one per line (kept for LoraSettings' callers)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Setting:
    """One knob: its type, default, allowed values, help text and how to fix a bad value."""

    name: str            # the dataclass field, and the word peft or the paper uses
    kind: type           # int, float, bool or str
    default: Any
    help: str
    low: float | None = None    # inclusive, unless low_open
    high: float | None = None   # inclusive
    low_open: bool = False      # the value must be > low (lora_alpha > 0)
    choices: tuple | None = None  # the only values allowed
    marks: tuple | None = None    # values a select-slider offers (the range still decides validity)
    fix: str = ""               # appended to a problem: "try 8 or 16"
    label: str = ""             # widget label; the name when empty
    preset: str = ""            # URL query key (?r=16); the name when empty
    flag: str = ""              # CLI flag (--r); --name-with-dashes when empty
    step: float | None = None   # widget step

    @property
    def url_key(self) -> str:
        """The query-string key a link uses for this setting."""
        return self.preset or self.name

    @property
    def cli_flag(self) -> str:
        """The command-line flag for this setting."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        """What a widget shows as its label."""
        return self.label or self.name

    def problems(self, value: Any) -> list[str]:
        """What is wrong with `value` for this setting, with the fix ([] when it fits)."""
        problem = self._problem(value)
        if problem is None:
            return []
        return [f"{self.name}={value!r}: {problem}" + (f"; {self.fix}" if self.fix else "") + "."]

    def _problem(self, value: Any) -> str | None:
        if self.kind is bool:
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind is str:
            if not isinstance(value, str):
                return "must be text"
        elif self.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            return "must be a whole number"
        elif self.kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return "must be a number"
        elif not math.isfinite(value):
            return "must be a finite number (not NaN or infinity)"
        if self.choices is not None and value not in self.choices:
            return f"use one of {', '.join(map(str, self.choices))}"
        return self._range_problem(value) if self.kind in (int, float) else None

    def _range_problem(self, value: float) -> str | None:
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and value > self.high
        if not (too_low or too_high):
            return None
        lower = "" if self.low is None else (f"> {self.low:g}" if self.low_open else f">= {self.low:g}")
        upper = "" if self.high is None else f"<= {self.high:g}"
        return "must be " + " and ".join(p for p in (lower, upper) if p)

    def parse(self, text: str) -> Any:
        """The value a link or a command line spelled as `text`, checked against this setting.

        Raises:
            SettingError: the text is not a value of this setting's type, or is out of range.
        """
        value = self._coerce(str(text).strip())
        problems = self.problems(value)
        if problems:
            raise SettingError(problems[0])
        return value

    def _coerce(self, text: str) -> Any:
        try:
            if self.kind is bool:
                if text.lower() not in _TRUE | _FALSE:
                    raise ValueError
                return text.lower() in _TRUE
            if self.kind is int:
                return int(text)
            if self.kind is float:
                return float(text)
        except ValueError:
            kind = {bool: "true or false", int: "a whole number", float: "a number"}[self.kind]
            raise SettingError(f"{self.name}={text!r}: must be {kind}"
                               + (f"; {self.fix}" if self.fix else "") + ".") from None
        return text


def setting(spec: Setting, **kwargs: Any) -> Any:
    """A dataclass field whose default and metadata come from `spec`."""
    return field(default=spec.default, metadata={"setting": spec}, **kwargs)


class Settings:
    """What every settings dataclass below shares: validation, dicts and replacement."""

    @classmethod
    def specs(cls) -> tuple[Setting, ...]:
        """The Setting of every field that has one, in field order."""
        found = fields(cls)  # type: ignore[arg-type]
        return tuple(f.metadata["setting"] for f in found if "setting" in f.metadata)

    @classmethod
    def spec(cls, name: str) -> Setting:
        """The Setting of field `name`.

        Raises:
            KeyError: no such setting.
        """
        for s in cls.specs():
            if s.name == name:
                return s
        raise KeyError(f"{cls.__name__} has no setting {name!r}")

    def field_problems(self) -> list[tuple[str, str]]:
        """(field name, problem with its fix) for every problem ([] when valid)."""
        problems = [(s.name, p) for s in self.specs() for p in s.problems(getattr(self, s.name))]
        return problems + self._extra_problems()

    def _extra_problems(self) -> list[tuple[str, str]]:
        return []  # checks across fields, or beyond one Setting's range

    def validate(self) -> list[str]:
        """Every problem with these settings, each saying how to fix it ([] when valid)."""
        return [message for _, message in self.field_problems()]

    def check(self: S) -> S:
        """Return self when valid.

        Raises:
            LoraSettingsError: listing every problem and its fix.
        """
        problems = self.validate()
        if problems:
            raise LoraSettingsError(problems)
        return self

    def replace(self: S, **changes: Any) -> S:
        """A copy with `changes` applied (not validated: call check())."""
        return replace(self, **changes)

    @classmethod
    def from_dict(cls: type[S], values: Mapping[str, Any]) -> S:
        """Settings from a dict; unknown keys (like a derived 'scaling') are ignored."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-ready."""
        return asdict(self)  # type: ignore[call-overload]


def from_presets(defaults: S, query: Mapping[str, str]) -> tuple[S, list[str]]:
    """`defaults` with the settings a link names (?r=16&alpha=32) applied, each one checked.

    Returns the settings and, for each preset that was ignored, a sentence saying why. A
    preset is kept only when it parses, fits its Setting, and leaves the whole object valid.
    """
    chosen: dict[str, Any] = {}
    ignored = []
    for spec in defaults.specs():
        raw = query.get(spec.url_key)
        if raw is None:
            continue
        try:
            chosen[spec.name] = spec.parse(raw)
        except SettingError as err:
            ignored.append(f"Ignored the preset {spec.url_key}={raw!r} from the link: {err}")
    settings = defaults.replace(**chosen)
    for name, problem in settings.field_problems():  # fits its range, but not the other settings
        if name in chosen:
            ignored.append(f"Ignored the preset {defaults.spec(name).url_key} from the link: {problem}")
            settings = settings.replace(**{name: getattr(defaults, name)})
    return settings, ignored


# ---- LoRA ------------------------------------------------------------------------------------

R = Setting("r", int, 8, "Rank r of the update B·A: lora_A is (r, in_features), lora_B is "
            "(out_features, r). Trainable parameters per module grow linearly with r: r·(in + out).",
            low=1, high=1024, fix="try 8 or 16")
LORA_ALPHA = Setting("lora_alpha", float, 16.0, "lora_alpha: the update is multiplied by scaling = "
                     "lora_alpha / r (lora_alpha / sqrt(r) with rsLoRA). Common choices: alpha = r or "
                     "alpha = 2r.", low=0, high=4096, low_open=True, fix="try lora_alpha = r or 2·r",
                     preset="alpha", flag="--alpha", step=1.0)
TARGET_MODULES = Setting("target_modules", str, "q_proj,v_proj", "Which linear layers get an adapter, by "
                         "leaf name (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj on "
                         "Llama) or 'all-linear' for every linear layer except the output head.",
                         preset="targets", flag="--targets")
LORA_DROPOUT = Setting("lora_dropout", float, 0.0, "Dropout on the input of the LoRA branch during "
                       "training (0 to turn off, peft's default); the base path is never dropped.",
                       low=0, high=0.99, fix="use 0.05 or 0.1, or 0 to turn it off", preset="dropout",
                       flag="--dropout", step=0.05)
BIAS = Setting("bias", str, "none", "Which biases train: 'none' (LoRA only), 'all' (every bias in the "
               "model), 'lora_only' (biases of the adapted modules).", choices=BIAS_CHOICES)
USE_RSLORA = Setting("use_rslora", bool, False, "rank-stabilised LoRA: scaling = lora_alpha / sqrt(r) "
                     "instead of lora_alpha / r, so raising r does not shrink the update.", preset="rslora")
USE_DORA = Setting("use_dora", bool, False, "DoRA: split the weight into magnitude and direction; adds "
                   "one trainable magnitude per output feature of each adapted module.", preset="dora")
INIT_LORA_WEIGHTS = Setting("init_lora_weights", str, "default", "'default': A Kaiming-uniform, B zero, "
                            "so the wrapped model equals the base model at step 0. 'gaussian': A Gaussian, "
                            "B zero. 'no_init': B random too (only for demos of a non-zero update).",
                            choices=INIT_CHOICES, preset="init")


def _target_text(value: Any) -> Any:
    # Callers pass a list, a tuple or "q_proj, v_proj"; keep one hashable spelling.
    if isinstance(value, (list, tuple)):
        return ",".join(str(v).strip() for v in value)
    return value.strip() if isinstance(value, str) else value


@dataclass(frozen=True)
class LoraSettings(Settings):
    """The LoRA hyper-parameters of one experiment (names from the paper and peft)."""

    r: int = setting(R)
    lora_alpha: float = setting(LORA_ALPHA)
    target_modules: str = setting(TARGET_MODULES)  # "q_proj,v_proj" or "all-linear"; lists accepted
    lora_dropout: float = setting(LORA_DROPOUT)
    bias: str = setting(BIAS)
    use_rslora: bool = setting(USE_RSLORA)
    use_dora: bool = setting(USE_DORA)
    init_lora_weights: str = setting(INIT_LORA_WEIGHTS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_modules", _target_text(self.target_modules))
        if isinstance(self.lora_alpha, int) and not isinstance(self.lora_alpha, bool):
            object.__setattr__(self, "lora_alpha", float(self.lora_alpha))

    @property
    def scaling(self) -> float:
        """The factor on B·A: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA."""
        return self.lora_alpha / (math.sqrt(self.r) if self.use_rslora else self.r)

    def target_list(self) -> list[str] | str:
        """target_modules as peft wants it: 'all-linear' or a list of leaf names."""
        text = self.target_modules if isinstance(self.target_modules, str) else ""
        if text == ALL_LINEAR:
            return ALL_LINEAR
        return [t.strip() for t in text.split(",") if t.strip()]

    def _extra_problems(self) -> list[tuple[str, str]]:
        targets = self.target_list()
        if not targets:
            return [("target_modules", "target_modules is empty: name at least one linear layer "
                                       "(e.g. q_proj,v_proj) or use 'all-linear'.")]
        bad = [] if targets == ALL_LINEAR else [t for t in targets if not _MODULE_NAME.match(t)]
        if bad:
            return [("target_modules", f"target_modules={self.target_modules!r}: "
                                       f"{', '.join(map(repr, bad))} is not a module name; use names "
                                       "like q_proj,v_proj or 'all-linear'.")]
        return []

    def to_lora_config(self):
        """peft's LoraConfig for these settings (imports peft).

        Raises:
            LoraSettingsError: when the settings are invalid.
        """
        from studyapp.lab import heavy

        heavy.ensure()
        from peft import LoraConfig

        self.check()
        init = {"default": True, "gaussian": "gaussian", "no_init": False}[self.init_lora_weights]
        return LoraConfig(
            r=self.r, lora_alpha=self.lora_alpha, target_modules=self.target_list(),
            lora_dropout=self.lora_dropout, bias=self.bias, use_rslora=self.use_rslora,
            use_dora=self.use_dora, init_lora_weights=init, task_type="CAUSAL_LM",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON), with the derived scaling and the target list."""
        return {**asdict(self), "target_modules": self.target_list(), "scaling": self.scaling}


def field_help(name: str) -> str:
    """The help text of LoraSettings field `name` (the same sentence in the page and the CLI).

    Raises:
        KeyError: no such field.
    """
    return LoraSettings.spec(name).help


# ---- the live fine-tune ------------------------------------------------------------------------

def _trainable_models() -> tuple[str, ...]:
    from studyapp.lab.registry import TRAINABLE, list_models

    return tuple(s.name for s in list_models(TRAINABLE))


TRAIN_MODEL = Setting("model", str, "tiny-llama", "Small registry model to fine-tune (random weights, "
                      "Llama architecture).", choices=_trainable_models(), label="Model",
                      fix="only the small models train here")
STEPS = Setting("steps", int, 60, "Optimizer steps; the loss falls visibly within the first 20 on a "
                "laptop CPU. At most 500, so one student cannot hold the Lab for long.",
                low=1, high=500, fix="try 60", label="Steps")
LEARNING_RATE = Setting("learning_rate", float, 1e-2, "AdamW learning rate for the adapter. LoRA "
                        "tolerates higher rates than full fine-tuning; 1e-4 to 1e-3 is usual on real "
                        "models; 1e-2 makes a tiny one learn fast.", low=0, high=1.0, low_open=True,
                        fix="try 1e-2", marks=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2), label="Learning rate",
                        preset="lr", flag="--lr")
BATCH_SIZE = Setting("batch_size", int, 8, "Exchanges per step.", low=1, high=64, fix="try 8",
                     preset="batch", flag="--batch-size")
SEQ_LEN = Setting("seq_len", int, 128, "Tokens per exchange (bytes, here); longer ones are cut, shorter "
                  "ones padded.", low=8, high=512, fix="try 128", flag="--seq-len")
SEED = Setting("seed", int, 0, "Seeds the model, the adapter init and the batches.", low=0, high=2**31 - 1)
QLORA = Setting("qlora", bool, False, "QLoRA: load the frozen base in 4-bit NF4 with double quantization "
                "(bitsandbytes, compute in bf16), run prepare_model_for_kbit_training, then add LoRA. "
                "Off: plain LoRA on a 32-bit base.", label="QLoRA (4-bit base)")


@dataclass(frozen=True)
class TrainSettings(Settings):
    """How the live fine-tune runs (the LoRA part is a separate LoraSettings)."""

    model: str = setting(TRAIN_MODEL)
    steps: int = setting(STEPS)
    learning_rate: float = setting(LEARNING_RATE)
    batch_size: int = setting(BATCH_SIZE)
    seq_len: int = setting(SEQ_LEN)
    seed: int = setting(SEED)
    qlora: bool = setting(QLORA)
    device: str | None = None  # 'cuda', 'cpu', or None to pick (not a student's setting)

    def _extra_problems(self) -> list[tuple[str, str]]:
        if self.device not in (None, "cpu", "cuda") and not str(self.device).startswith("cuda:"):
            return [("device", f"device={self.device!r}: use 'cpu', 'cuda' or leave it empty to pick.")]
        return []


# ---- the rank panel ----------------------------------------------------------------------------

RANK_MODEL = Setting("model", str, "small-llama", "Small registry model whose layer is decomposed.",
                     choices=_trainable_models(), label="Model")
RANK_LAYER = Setting("layer", str, "model.layers.0.self_attn.q_proj", "A linear layer of the model, by its "
                     "full name (model.layers.0.self_attn.q_proj).", label="Layer")
RANK_R = Setting("r", int, 4, "Rank of the adapter: B is d × r, A is r × k.", low=1, high=64, fix="try 4")
RANK_ALPHA = Setting("lora_alpha", float, 8.0, "scaling = lora_alpha / r.", low=0, high=256, low_open=True,
                     fix="try lora_alpha = 2·r", preset="alpha", flag="--alpha", step=1.0)


@dataclass(frozen=True)
class RankSettings(Settings):
    """One layer wrapped with A and B both random, to see what rank r can express."""

    model: str = setting(RANK_MODEL)
    layer: str = setting(RANK_LAYER)
    r: int = setting(RANK_R)
    lora_alpha: float = setting(RANK_ALPHA)

    def __post_init__(self) -> None:
        if isinstance(self.lora_alpha, int) and not isinstance(self.lora_alpha, bool):
            object.__setattr__(self, "lora_alpha", float(self.lora_alpha))

    def _extra_problems(self) -> list[tuple[str, str]]:
        from studyapp.lab.registry import linear_layer_names

        if self.model not in RANK_MODEL.choices:
            return []  # reported by the model's own Setting
        names = linear_layer_names(self.model)
        if self.layer in names:
            return []
        return [("layer", f"layer={self.layer!r}: {self.model} has no such linear layer; use one of "
                          f"{', '.join(names[:7])} ... ({len(names)} in all).")]


# ---- the memory panel --------------------------------------------------------------------------

def _model_names() -> tuple[str, ...]:
    from studyapp.lab.registry import model_names

    return tuple(model_names())


MEMORY_MODEL = Setting("model", str, "llama-2-7b", "Registry model (full-size ones are counted on the "
                       "meta device: shapes, no weights).", choices=_model_names(), label="Model")
WEIGHT_FORMAT = Setting("weight_format", str, "nf4_double_quant", "Storage of the frozen base weights while "
                        "training (QLoRA: nf4_double_quant).", choices=FORMATS, label="Base weights",
                        preset="format", flag="--format")
EST_SEQ_LEN = Setting("seq_len", int, 512, "Tokens per sequence for the activation estimate.",
                      low=1, high=32768, fix="try 512", label="Sequence length", flag="--seq-len", step=128)
EST_BATCH = Setting("batch", int, 1, "Sequences per step for the activation estimate.", low=1, high=128,
                    fix="try 1", label="Batch")
CHECKPOINTING = Setting("gradient_checkpointing", bool, False, "Keep only each layer's input and recompute "
                        "the rest in the backward pass.", label="Gradient checkpointing", preset="ckpt")


@dataclass(frozen=True)
class EstimateSettings(Settings):
    """What the training-memory estimate depends on (the LoRA part is a LoraSettings)."""

    model: str = setting(MEMORY_MODEL)
    weight_format: str = setting(WEIGHT_FORMAT)
    seq_len: int = setting(EST_SEQ_LEN)
    batch: int = setting(EST_BATCH)
    gradient_checkpointing: bool = setting(CHECKPOINTING)


@dataclass(frozen=True)
class BuildSettings(Settings):
    """Which registry model the Build page wraps (the LoRA part is a LoraSettings)."""

    model: str = setting(MEMORY_MODEL)


QUANT_MODEL = Setting("model", str, "small-llama", "Small model to quantize for real with bitsandbytes.",
                      choices=_trainable_models(), label="Small model", preset="small")
DOUBLE_QUANT = Setting("double_quant", bool, False, "NF4 with double quantization (the absmax constants "
                       "quantized to 8 bits too), as QLoRA does.", preset="dq")


@dataclass(frozen=True)
class QuantizeSettings(Settings):
    """A real quantization of a small model, measured against the accounting."""

    model: str = setting(QUANT_MODEL)
    double_quant: bool = setting(DOUBLE_QUANT)
