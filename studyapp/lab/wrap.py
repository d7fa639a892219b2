"""Build + wrap: a registry model wrapped with peft's get_peft_model, and what it reports.

`wrap_model` returns the print_trainable_parameters line exactly as peft prints
it, a per-module table, adapter sizes and the scaling factor. A target list that
matches nothing raises TargetsNotFoundError with peft's own message and the
model's real linear names; a list that matches only some names comes back with a
warning naming the ones that matched nothing.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from studyapp.lab.settings import ALL_LINEAR, LoraSettings

DEFAULT_PROMPT = "Customer: My order has not arrived yet.\nAgent:"


class TargetsNotFoundError(ValueError):
    """target_modules matched no module of the model.

    Attributes:
        peft_message: the ValueError text peft raised.
        available: the model's linear leaf names (deduplicated) to pick from.
    """

    def __init__(self, peft_message: str, available: list[str]):
        self.peft_message = peft_message
        self.available = available
        super().__init__(f"{peft_message}\nThis model's linear layers are: "
                         f"{', '.join(available)}. Pick from these, or use '{ALL_LINEAR}'.")


@dataclass
class ModuleRow:
    """One adapted module: its name, base weight shape and parameter counts."""

    name: str             # e.g. "model.layers.0.self_attn.q_proj"
    shape: tuple[int, int]  # base weight (out_features d, in_features k)
    base_params: int      # d·k (+ bias)
    lora_params: int      # r·k (lora_A) + d·r (lora_B) (+ d DoRA magnitudes)


@dataclass
class WrapResult:
    """What wrapping a model with LoRA produced."""

    model_name: str
    settings: LoraSettings
    trainable_params: int
    total_params: int     # peft's "all params": base + adapter
    trainable_percent: float
    line: str             # print_trainable_parameters output, verbatim
    scaling: float        # lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA
    modules: list[ModuleRow]
    adapter_bytes_fp32: int
    adapter_bytes_bf16: int
    unmatched_targets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    model: Any = field(default=None, repr=False)  # the PeftModel (not serialised)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (without the model)."""
        # Not asdict(self): it would deep-copy the whole PeftModel before dropping it.
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("model", "settings", "modules")}
        out["unmatched_targets"], out["warnings"] = list(self.unmatched_targets), list(self.warnings)
        out["settings"] = self.settings.to_dict()
        out["modules"] = [asdict(m) | {"shape": list(m.shape)} for m in self.modules]
        return out


def linear_module_names(model) -> list[str]:
    """Deduplicated leaf names of the model's nn.Linear layers, in first-seen order.

    The output head (lm_head) is listed too: it is a real linear layer, even
    though 'all-linear' leaves it out.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    seen: dict[str, None] = {}
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear):
            seen.setdefault(name.rsplit(".", 1)[-1], None)
    return list(seen)


def unmatched_targets(model, settings: LoraSettings) -> list[str]:
    """The names in settings.target_modules that match no linear layer of `model`."""
    targets = settings.target_list()
    if targets == ALL_LINEAR:
        return []
    leaves = set(linear_module_names(model))
    names = [n for n, _ in model.named_modules()]
    return [t for t in targets if t not in leaves and not any(n.endswith("." + t) for n in names)]


@contextlib.contextmanager
def quiet_peft():
    """Silence the FutureWarning peft 0.21 triggers in transformers 5 (not the student's concern)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        yield


def _peft_wrap(model, settings: LoraSettings, low_cpu_mem_usage: bool):
    from studyapp.lab import heavy

    heavy.ensure()
    from peft import get_peft_model

    available = linear_module_names(model)
    config = settings.to_lora_config()
    try:
        with quiet_peft(), heavy.constructing():
            return get_peft_model(model, config, low_cpu_mem_usage=low_cpu_mem_usage)
    except ValueError as err:
        if "not found in the base model" in str(err):
            raise TargetsNotFoundError(str(err), available) from err
        raise


def trainable_line(peft_model) -> str:
    """The line peft's print_trainable_parameters prints, captured verbatim."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        peft_model.print_trainable_parameters()
    return buffer.getvalue().strip()


def module_table(peft_model) -> list[ModuleRow]:
    """One row per LoRA-adapted module: name, base shape, base and LoRA parameter counts."""
    from studyapp.lab import heavy

    heavy.ensure()
    from peft.tuners.lora import LoraLayer

    rows = []
    for name, module in peft_model.base_model.model.named_modules():
        if not isinstance(module, LoraLayer):
            continue
        base = module.get_base_layer()
        lora = sum(p.numel() for n, p in module.named_parameters() if "lora_" in n)
        rows.append(ModuleRow(name, tuple(base.weight.shape),
                              sum(p.numel() for p in base.parameters()), lora))
    return rows


def wrap_model(model, settings: LoraSettings, *, model_name: str = "",
               low_cpu_mem_usage: bool | None = None) -> WrapResult:
    """Wrap `model` (modified in place) with LoRA and report what was added.

    low_cpu_mem_usage defaults to True on meta models: adapter weights are then
    created on meta too, which keeps a 70B all-linear wrap near a second.

    Raises:
        LoraSettingsError: when the settings are invalid.
        TargetsNotFoundError: when target_modules matches nothing (peft's message
            plus the model's linear names).
    """
    settings.check()
    if low_cpu_mem_usage is None:
        low_cpu_mem_usage = next(model.parameters()).device.type == "meta"
    missing = unmatched_targets(model, settings)
    available = linear_module_names(model)  # before wrapping adds lora_A/lora_B linears
    peft_model = _peft_wrap(model, settings, low_cpu_mem_usage)
    trainable, total = peft_model.get_nb_trainable_parameters()
    warnings = []
    if missing:
        warnings.append(f"target_modules {', '.join(missing)} matched no layer of this model and "
                        f"were skipped; its linear layers are {', '.join(available)}.")
    return WrapResult(
        model_name=model_name, settings=settings, trainable_params=trainable,
        total_params=total, trainable_percent=100 * trainable / total,
        line=trainable_line(peft_model), scaling=settings.scaling,
        modules=module_table(peft_model), adapter_bytes_fp32=4 * trainable,
        adapter_bytes_bf16=2 * trainable, unmatched_targets=missing,
        warnings=warnings, model=peft_model,
    )


def wrap_registry_model(name: str, settings: LoraSettings, *, device: str | None = None,
                        seed: int = 0) -> WrapResult:
    """Build registry model `name` (meta or small) and wrap it; see wrap_model.

    Raises:
        KeyError: unknown model name.
        LoraSettingsError, TargetsNotFoundError: as wrap_model.
    """
    from studyapp.lab.registry import build_model

    settings.check()
    return wrap_model(build_model(name, device=device, seed=seed), settings, model_name=name)


@dataclass(frozen=True)
class ForwardCheck:
    """A forward pass of a real prompt through the base and the wrapped model, and what each writes."""

    prompt: str
    input_shape: tuple[int, int]           # (batch, seq)
    output_shape: tuple[int, int, int]     # (batch, seq, vocab) logits
    max_abs_diff: float                    # wrapped vs base logits; 0 with B = 0 at init
    base_text: str = ""                    # greedy continuation by the base model
    wrapped_text: str = ""                 # ... and by the wrapped one (the same at init)
    new_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


FORWARD_STAGES = ("building the small Llama", "running the base model",
                  "generating text with the base model", "wrapping it with LoRA",
                  "running the wrapped model", "generating text with the wrapped model")


def forward_check(name: str, settings: LoraSettings, prompt: str = DEFAULT_PROMPT,
                  *, device: str | None = None, seed: int = 0, new_tokens: int = 32,
                  on_progress: Callable[[int, int, str], None] | None = None) -> ForwardCheck:
    """Run `prompt` through small registry model `name` before and after wrapping, and let
    both continue it greedily for `new_tokens` tokens.

    With the default init (B = 0) the difference is exactly 0 and the texts are the same:
    LoRA starts as the identity update. With init_lora_weights='no_init' it is not.
    `on_progress(done, total, stage)` is called before each stage (FORWARD_STAGES).

    Raises:
        KeyError: unknown model. LoraSettingsError, TargetsNotFoundError: as wrap_model.
    """
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    from studyapp.lab.registry import build_model
    from studyapp.lab.tokenizer import ByteTokenizer

    def stage(n: int) -> None:
        if on_progress is not None:
            on_progress(n, len(FORWARD_STAGES), FORWARD_STAGES[n] if n < len(FORWARD_STAGES) else "done")

    stage(0)
    model = build_model(name, device=device, seed=seed)
    tokenizer = ByteTokenizer(model.config.vocab_size)
    ids = torch.tensor([tokenizer.encode(prompt)], device=model.device)
    stage(1)
    with torch.no_grad():
        base = model(ids).logits  # (1, seq, vocab)
    base_text = _generate_stage(stage, 2, model, tokenizer, prompt, new_tokens)
    stage(3)
    torch.manual_seed(seed)   # adapter init is random too; pin it
    wrapped = wrap_model(model, settings, model_name=name).model
    stage(4)
    with torch.no_grad():
        lora = wrapped(input_ids=ids).logits
    wrapped_text = _generate_stage(stage, 5, wrapped, tokenizer, prompt, new_tokens)
    stage(len(FORWARD_STAGES))
    return ForwardCheck(prompt, tuple(ids.shape), tuple(lora.shape), float((lora - base).abs().max()),
                        base_text, wrapped_text, new_tokens)


def _generate_stage(stage: Callable[[int], None], n: int, model, tokenizer, prompt: str,
                    new_tokens: int) -> str:
    from studyapp.lab.generate import generate_text

    stage(n)
    return generate_text(model, tokenizer, prompt, new_tokens)
