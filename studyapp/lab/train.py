"""A live LoRA fine-tune of a small model, and the checks a student runs after it.

FineTune builds the seeded small model, wraps it, and `steps()` yields one
TrainStep (step, loss) per optimizer step, so a page can draw the loss curve
while it trains and stop when a threading.Event is set. After training:
merge_and_unload must give the same outputs (merge_check), the adapter is saved
and reloaded (save_adapter, reload_check), and doubling lora_alpha shows how
far the scaling factor moves the outputs (alpha_experiment).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from studyapp.lab.settings import LoraSettings

IGNORE_INDEX = -100  # label value the loss skips (padding)


def _help(text: str, **extra: Any) -> dict[str, Any]:
    return {"help": text, **extra}


@dataclass
class TrainSettings:
    """How the live fine-tune runs (the LoRA part is a separate LoraSettings)."""

    model: str = field(default="tiny-llama", metadata=_help(
        "Small registry model to fine-tune (random weights, Llama architecture)."))
    steps: int = field(default=60, metadata=_help(
        "Optimizer steps; the loss falls visibly within the first 20 on a laptop CPU.", min=1, max=2000))
    learning_rate: float = field(default=1e-2, metadata=_help(
        "AdamW learning rate for the adapter. LoRA tolerates higher rates than full "
        "fine-tuning; 1e-4 to 1e-3 is usual on real models; 1e-2 makes a tiny one learn fast.",
        min=1e-6, max=1.0))
    batch_size: int = field(default=8, metadata=_help("Exchanges per step.", min=1, max=64))
    seq_len: int = field(default=128, metadata=_help(
        "Tokens per exchange (bytes, here); longer ones are cut, shorter ones padded.", min=8, max=512))
    seed: int = field(default=0, metadata=_help("Seeds the model, the adapter init and the batches."))
    device: str | None = field(default=None, metadata=_help("'cuda', 'cpu', or None to pick."))

    def validate(self, model_names: list[str] | None = None) -> list[str]:
        """Every problem, each with its fix ([] when valid)."""
        from studyapp.lab.registry import TRAINABLE, list_models

        trainable = model_names or [s.name for s in list_models(TRAINABLE)]
        problems = []
        if self.model not in trainable:
            problems.append(f"model={self.model!r}: only small models train here; "
                            f"use one of {', '.join(trainable)}.")
        if self.steps < 1:
            problems.append(f"steps={self.steps}: must be >= 1; try 60.")
        if not 0 < self.learning_rate <= 1:
            problems.append(f"learning_rate={self.learning_rate}: must be in (0, 1]; try 1e-2.")
        if self.batch_size < 1:
            problems.append(f"batch_size={self.batch_size}: must be >= 1; try 8.")
        if self.seq_len < 8:
            problems.append(f"seq_len={self.seq_len}: must be >= 8; try 128.")
        return problems


@dataclass(frozen=True)
class TrainStep:
    """One optimizer step: what the loss chart plots."""

    step: int        # 1-based
    loss: float      # mean cross-entropy (nats per token) of this step's batch
    seconds: float   # since training started


def load_support_texts() -> list[str]:
    """The bundled customer-support exchanges, one 'Customer: ...\\nAgent: ...' text each."""
    text = resources.files("studyapp.lab").joinpath("data", "support.jsonl").read_text()
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [f"Customer: {r['customer']}\nAgent: {r['agent']}" for r in rows]


def fine_tune_bytes(train: TrainSettings, lora_params: int = 200_000) -> int:
    """Estimated bytes of a live fine-tune, to declare at the admission gate.

    fp32 weights, fp32 adapter + gradient + two AdamW states (16 B per LoRA
    parameter), and activations: memory.activation_bytes is written for 16-bit,
    the small models run in fp32, so twice that.
    """
    from studyapp.lab.memory import activation_bytes
    from studyapp.lab.registry import load_config

    config = load_config(train.model)
    h, i, layers, vocab = (config.hidden_size, config.intermediate_size,
                           config.num_hidden_layers, config.vocab_size)
    kv = config.num_key_value_heads * (h // config.num_attention_heads)
    params = 2 * vocab * h + layers * (2 * h * h + 2 * h * kv + 3 * h * i)  # norms: negligible
    acts = 2 * activation_bytes(config, train.seq_len, train.batch_size)
    return 4 * params + 16 * lora_params + acts


def default_train_lora() -> LoraSettings:
    """LoRA settings of the live demo: r=8 on every linear layer, as QLoRA recommends."""
    return LoraSettings(r=8, lora_alpha=16, target_modules="all-linear")


class FineTune:
    """A small model wrapped with LoRA, its data, its optimizer and its loss history."""

    def __init__(self, train: TrainSettings | None = None, lora: LoraSettings | None = None):
        """Build everything; raises ValueError listing problems with `train`, and what
        wrap_model raises for `lora`."""
        import torch

        from studyapp.lab.device import pick_device
        from studyapp.lab.registry import build_model
        from studyapp.lab.tokenizer import ByteTokenizer
        from studyapp.lab.wrap import wrap_model

        self.train = train or TrainSettings()
        self.lora = lora or default_train_lora()
        problems = self.train.validate()
        if problems:
            raise ValueError("\n".join(problems))
        self.device = self.train.device or pick_device()
        base = build_model(self.train.model, device=self.device, seed=self.train.seed)
        self.tokenizer = ByteTokenizer(base.config.vocab_size)
        torch.manual_seed(self.train.seed)  # adapter init
        self.wrap = wrap_model(base, self.lora, model_name=self.train.model)
        self.model = self.wrap.model  # PeftModel
        self.ids = self.tokenizer.batch(load_support_texts(), self.train.seq_len).to(self.device)  # (n, seq)
        self.optimizer = torch.optim.AdamW(
            [p for p in self.model.parameters() if p.requires_grad], lr=self.train.learning_rate)
        self.generator = torch.Generator().manual_seed(self.train.seed)
        self.history: list[TrainStep] = []

    def batch(self):
        """A random batch (batch_size, seq_len) of exchanges and its labels (pad -> ignored)."""
        import torch

        rows = torch.randint(len(self.ids), (self.train.batch_size,), generator=self.generator)
        ids = self.ids[rows.to(self.device)]  # (batch, seq)
        labels = ids.masked_fill(ids == self.tokenizer_pad, IGNORE_INDEX)
        return ids, labels

    @property
    def tokenizer_pad(self) -> int:
        """The pad id (0)."""
        from studyapp.lab.tokenizer import PAD_ID

        return PAD_ID

    def step(self) -> float:
        """One optimizer step on a fresh batch; returns its loss."""
        self.model.train()
        ids, labels = self.batch()
        loss = self.model(input_ids=ids, labels=labels).loss
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return loss.item()

    def steps(self, stop: threading.Event | None = None) -> Iterator[TrainStep]:
        """Train for train.steps steps, yielding each; returns early once `stop` is set."""
        start = time.perf_counter()
        for n in range(len(self.history) + 1, self.train.steps + 1):
            if stop is not None and stop.is_set():
                return
            record = TrainStep(n, self.step(), time.perf_counter() - start)
            self.history.append(record)
            yield record
        self.model.eval()

    def eval_ids(self, count: int = 4):
        """The first `count` exchanges as a fixed batch (count, seq_len) for the checks."""
        return self.ids[:count]

    def logits(self, model=None, ids=None):
        """Logits (batch, seq, vocab) of `model` (default: the trained PeftModel), no grad."""
        import torch

        model = model or self.model
        model.eval()
        with torch.no_grad():
            return model(input_ids=self.eval_ids() if ids is None else ids).logits

    def merge_check(self) -> "MergeCheck":
        """merge_and_unload a copy of the trained model; compare outputs with the unmerged one."""
        unmerged = self.logits()
        merged_model = copy.deepcopy(self.model).merge_and_unload()
        merged = self.logits(merged_model)
        return MergeCheck(float((merged - unmerged).abs().max()), float(unmerged.abs().max()),
                          type(merged_model).__name__)

    def save_adapter(self, folder: str | Path) -> "SaveReport":
        """save_pretrained the adapter to folder/adapter and, to compare, the merged full
        model to folder/full; returns file sizes."""
        folder = Path(folder)
        self.model.save_pretrained(folder / "adapter")
        copy.deepcopy(self.model).merge_and_unload().save_pretrained(folder / "full")
        return SaveReport(str(folder / "adapter"), _sizes(folder / "adapter"), _sizes(folder / "full"))

    def reload_check(self, adapter_folder: str | Path) -> float:
        """Load the saved adapter onto a freshly built base; max abs diff of logits vs the trained model."""
        from peft import PeftModel

        from studyapp.lab.registry import build_model
        from studyapp.lab.wrap import quiet_peft

        base = build_model(self.train.model, device=self.device, seed=self.train.seed)
        with quiet_peft():
            loaded = PeftModel.from_pretrained(base, str(adapter_folder))
        return float((self.logits(loaded) - self.logits()).abs().max())

    def alpha_experiment(self, factor: float = 2.0) -> "AlphaExperiment":
        """Multiply every scaling (lora_alpha / r) by `factor`, measure, and put it back.

        Compares how far the outputs move from the trained ones with how far
        training moved them from the base model (adapter disabled).
        """
        from peft.tuners.lora import LoraLayer

        trained = self.logits()
        with self.model.disable_adapter():
            base = self.logits()
        layers = [m for m in self.model.modules() if isinstance(m, LoraLayer)]
        saved = [dict(m.scaling) for m in layers]
        for m in layers:
            m.scaling = {k: v * factor for k, v in m.scaling.items()}
        try:
            scaled = self.logits()
        finally:
            for m, s in zip(layers, saved):
                m.scaling = s
        return AlphaExperiment(factor, self.lora.scaling, self.lora.scaling * factor,
                               float((scaled - trained).abs().max()),
                               float((trained - base).abs().max()),
                               self._loss(scaled), self._loss(trained))

    def _loss(self, logits) -> float:
        import torch.nn.functional as F

        ids = self.eval_ids()
        labels = ids.masked_fill(ids == self.tokenizer_pad, IGNORE_INDEX)
        return float(F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(),
                                     ignore_index=IGNORE_INDEX))

    def after_training(self, folder: str | Path) -> "AfterTraining":
        """All four checks: merge, save, reload, alpha doubling."""
        saved = self.save_adapter(folder)
        return AfterTraining(self.merge_check(), saved, self.reload_check(saved.adapter_folder),
                             self.alpha_experiment(2.0))


def _sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


@dataclass
class MergeCheck:
    """merge_and_unload against the unmerged LoRA model, same input."""

    max_abs_diff: float   # float32 rounding only: ~1e-6 of the logits' size
    max_abs_logit: float  # for scale
    merged_type: str      # the plain transformers class: no LoRA layers left


@dataclass
class SaveReport:
    """Files written by save_pretrained, in bytes."""

    adapter_folder: str
    adapter_files: dict[str, int]
    full_files: dict[str, int]

    @property
    def adapter_bytes(self) -> int:
        """Size of the adapter weights file."""
        return self.adapter_files.get("adapter_model.safetensors", 0)

    @property
    def full_bytes(self) -> int:
        """Size of the full (merged) model's weights files."""
        return sum(v for k, v in self.full_files.items() if k.endswith(".safetensors"))


@dataclass
class AlphaExperiment:
    """Doubling lora_alpha after training: the scaling doubles, so does B·A's effect."""

    factor: float
    scaling_before: float
    scaling_after: float
    max_abs_diff: float          # logits at factor x scaling vs trained
    trained_vs_base: float       # logits trained vs adapter disabled, for scale
    loss_scaled: float           # on the fixed eval batch
    loss_trained: float


@dataclass
class AfterTraining:
    """Everything checked after training."""

    merge: MergeCheck
    saved: SaveReport
    reload_max_abs_diff: float
    alpha: AlphaExperiment

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)
