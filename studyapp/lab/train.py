"""A live LoRA or QLoRA fine-tune of a small model, and the checks a student runs after it.

FineTune builds the seeded small model, with a 32-bit base (LoRA) or a base quantized
to NF4 with double quantization and prepared with peft's prepare_model_for_kbit_training
(QLoRA, as unit 4 teaches), wraps it, and `steps()` yields one TrainStep (step, loss)
per optimizer step, so a job can report the loss curve while it trains and stop when a
threading.Event is set. After training, stopped early or not (`after_training`): the
adapter is saved; it is merged the way unit 5 teaches (LoRA: merge_and_unload; QLoRA:
dequantize the 4-bit base, attach the adapter, merge) and the merged model's outputs
are compared with the unmerged ones, with a verdict against a stated tolerance; the
adapter is reloaded onto a fresh base; and doubling lora_alpha shows how far the
scaling factor moves the outputs. `run_fine_tune` does all of it and returns a
TrainReport; `compare` runs LoRA, then QLoRA, with the same settings.
"""

from __future__ import annotations

import copy
import json
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from studyapp.lab.generate import SAMPLE_PROMPT, generate_text
from studyapp.lab.learned import LearnedLayer
from studyapp.lab.peak import PeakMemory, PeakReading
from studyapp.lab.settings import LoraSettings, TrainSettings

__all__ = ["FineTune", "TrainReport", "TrainSettings", "TrainStep", "compare", "run_fine_tune"]

IGNORE_INDEX = -100  # label value the loss skips (padding)
QLORA_FORMAT = "nf4_double_quant"
QLORA_COMPUTE_DTYPE = "bfloat16"  # bnb_4bit_compute_dtype, as unit 4 configures it
# A merge passes when max |merged - unmerged| <= tolerance x max |logit|, the tolerance set
# by the merged model's dtype. fp32 rounds at ~6e-8 per operation, and a merged
# W0 + scaling·B·A rounds differently from W0·x + scaling·B·(A·x), so a forward pass ends
# up to ~1e-5 apart (measured 8e-6 after 200 steps of tiny-llama); 1e-4 leaves room. bf16
# has 8 bits of mantissa (~4e-3 per operation), so 2e-2. A wrong merge (a lost scaling, the
# wrong base) misses by the size of what training changed (alpha.trained_vs_base in the
# report: whole logits, not fractions).
MERGE_TOLERANCE = {"float32": 1e-4, "bfloat16": 2e-2}
StepCallback = Callable[["TrainStep"], None]


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
    the small models run in fp32, so twice that. A QLoRA base is smaller than this
    fp32 one, so for QLoRA it is an upper bound.
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


def load_base(train: TrainSettings, *, prepare: bool = True):
    """The frozen base of a fine-tune: the seeded small model in fp32 (LoRA), or loaded in
    NF4 + double quant with bf16 compute and, when `prepare`, passed through
    prepare_model_for_kbit_training (QLoRA)."""
    from studyapp.lab import heavy

    heavy.ensure()
    from peft import prepare_model_for_kbit_training

    from studyapp.lab.device import pick_device
    from studyapp.lab.quantize import load_quantized
    from studyapp.lab.registry import build_model

    device = train.device or pick_device()
    if not train.qlora:
        return build_model(train.model, device=device, seed=train.seed)
    model = load_quantized(train.model, QLORA_FORMAT, device=device, seed=train.seed,
                           compute_dtype=QLORA_COMPUTE_DTYPE)
    if not prepare:
        return model
    with warnings.catch_warnings(), heavy.constructing():
        warnings.simplefilter("ignore")  # checkpointing's use_reentrant notice
        return prepare_model_for_kbit_training(model)


@dataclass(frozen=True)
class BaseMemory:
    """Weight memory of the frozen base as it is trained: accounted and measured, in bytes."""

    fmt: str          # "fp32", or "nf4_double_quant" for QLoRA
    accounted: int    # memory.format_bytes of the model's tensors
    measured: int     # quantize.measure_tensor_bytes: every tensor really held
    note: str


def base_memory(model, name: str, qlora: bool) -> BaseMemory:
    """The weight bytes of `model`, the base of registry model `name` as trained: accounted
    from the model's shapes (built on meta) against every tensor it really holds."""
    from studyapp.lab.memory import format_bytes, meta_model, tensor_inventory
    from studyapp.lab.quantize import measure_tensor_bytes

    entries = tensor_inventory(meta_model(name))  # the unquantized shapes the rules are written for
    if qlora:  # prepare_model_for_kbit_training cast what is not 4-bit (norms, embeddings) to fp32
        accounted = format_bytes(entries, QLORA_FORMAT, kept_bytes=4).total
        note = ("NF4 + double quant linears; embeddings, norms and lm_head in fp32 after "
                "prepare_model_for_kbit_training")
    else:
        accounted = format_bytes(entries, "fp32").total
        note = "every weight in fp32"
    return BaseMemory(QLORA_FORMAT if qlora else "fp32", accounted, measure_tensor_bytes(model).total, note)


class FineTune:
    """A small model wrapped with LoRA, its data, its optimizer and its loss history."""

    def __init__(self, train: TrainSettings | None = None, lora: LoraSettings | None = None):
        """Build everything.

        Raises:
            ValueError: listing the problems with `train`.
            LoraSettingsError, TargetsNotFoundError: as wrap_model, for `lora`.
        """
        from studyapp.lab import heavy

        heavy.ensure()
        import torch

        from studyapp.lab.device import pick_device
        from studyapp.lab.tokenizer import ByteTokenizer
        from studyapp.lab.wrap import wrap_model

        self.train = train or TrainSettings()
        self.lora = lora or default_train_lora()
        problems = self.train.validate()
        if problems:
            raise ValueError("\n".join(problems))
        self.device = self.train.device or pick_device()
        self.peak = PeakMemory(self.device)
        base = load_base(self.train.replace(device=self.device))
        self.base_memory = base_memory(base, self.train.model, self.train.qlora)
        self.tokenizer = ByteTokenizer(base.config.vocab_size)
        torch.manual_seed(self.train.seed)  # adapter init
        self.wrap = wrap_model(base, self.lora, model_name=self.train.model)
        self.model = self.wrap.model  # PeftModel
        self.ids = self.tokenizer.batch(load_support_texts(), self.train.seq_len).to(self.device)  # (n, seq)
        self.optimizer = torch.optim.AdamW(
            [p for p in self.model.parameters() if p.requires_grad], lr=self.train.learning_rate)
        self.generator = torch.Generator().manual_seed(self.train.seed)
        self.history: list[TrainStep] = []

    @property
    def kind(self) -> str:
        """'QLoRA' or 'LoRA', as a student reads it."""
        return "QLoRA" if self.train.qlora else "LoRA"

    def batch(self):
        """A random batch (batch_size, seq_len) of exchanges and its labels (pad -> ignored)."""
        from studyapp.lab import heavy

        heavy.ensure()
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # checkpointing notices under QLoRA
            loss = self.model(input_ids=ids, labels=labels).loss
            loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return loss.item()

    def steps(self, stop: threading.Event | None = None) -> Iterator[TrainStep]:
        """Train for train.steps steps, yielding each; returns early once `stop` is set."""
        start = time.perf_counter() - (self.history[-1].seconds if self.history else 0.0)
        for n in range(len(self.history) + 1, self.train.steps + 1):
            if stop is not None and stop.is_set():
                break
            record = TrainStep(n, self.step(), time.perf_counter() - start)
            self.peak.sample()
            self.history.append(record)
            yield record
        self.model.eval()

    def eval_ids(self, count: int = 4):
        """The first `count` exchanges as a fixed batch (count, seq_len) for the checks."""
        return self.ids[:count]

    def logits(self, model=None, ids=None):
        """Logits (batch, seq, vocab) of `model` (default: the trained PeftModel) in fp32, no grad."""
        from studyapp.lab import heavy

        heavy.ensure()
        import torch

        model = model or self.model
        model.eval()
        with torch.no_grad():
            ids = self.eval_ids() if ids is None else ids
            return model(input_ids=ids.to(model.device)).logits.float().to(self.device)

    def generate(self, model=None, prompt: str = SAMPLE_PROMPT, max_new_tokens: int = 48) -> str:
        """Greedy continuation of `prompt` by `model` (default: the trained one), as text."""
        return generate_text(model or self.model, self.tokenizer, prompt, max_new_tokens)

    def merge(self, adapter_folder: str | Path) -> tuple["MergeCheck", Any]:
        """Merge the trained adapter into a plain transformers model, as unit 5 teaches, and
        check the merge: the merged model's logits against the unmerged ones, with a verdict.

        LoRA: merge_and_unload a copy of the trained model; unmerged = the trained model.
        QLoRA: load the 4-bit base again, dequantize it (transformers' model.dequantize(), to
        fp32, the small models' dtype), attach the saved adapter and merge there; merging into
        the 4-bit base itself would re-quantize the sum. Unmerged = the adapter on that
        dequantized base; the merged model is also compared with the 4-bit model as trained
        (`vs_trained`), whose layers computed in bf16: no merge can take that difference away.
        """
        trained = self.logits()
        if self.train.qlora:
            attached = self._on_dequantized_base(adapter_folder)
            unmerged = self.logits(attached)
            merged = attached.merge_and_unload()
        else:
            unmerged, merged = trained, copy.deepcopy(self.model).merge_and_unload()
        route = ("dequantize the 4-bit base (to fp32), attach the adapter, merge_and_unload"
                 if self.train.qlora else "merge_and_unload")
        return self.verdict(merged, unmerged, trained, route), merged

    def verdict(self, merged, unmerged, trained, route: str) -> "MergeCheck":
        """MergeCheck of `merged` against the `unmerged` and `trained` logits (batch, seq, vocab)."""
        logits = self.logits(merged)
        dtype = str(next(merged.parameters()).dtype).removeprefix("torch.")
        scale = float(unmerged.abs().max())
        difference = float((logits - unmerged).abs().max())
        tolerance = MERGE_TOLERANCE.get(dtype, MERGE_TOLERANCE["bfloat16"]) * scale
        return MergeCheck(difference, scale, type(merged).__name__, route, dtype, tolerance,
                          difference <= tolerance, float((logits - trained).abs().max()))

    def _on_dequantized_base(self, adapter_folder: str | Path):
        from studyapp.lab import heavy

        heavy.ensure()
        from peft import PeftModel
        from transformers.utils import logging as hf_logging

        from studyapp.lab.quantize import load_quantized
        from studyapp.lab.wrap import quiet_peft

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # "The modules are dequantized in torch.float32": we know
        try:
            base = load_quantized(self.train.model, QLORA_FORMAT, device=self.device, seed=self.train.seed,
                                  compute_dtype=QLORA_COMPUTE_DTYPE, dtype="float32").dequantize()
        finally:
            hf_logging.set_verbosity(verbosity)
        with quiet_peft(), heavy.constructing():
            return PeftModel.from_pretrained(base, str(adapter_folder))

    def reload_check(self, adapter_folder: str | Path) -> float:
        """Load the saved adapter onto a fresh base built the same way; max |logits - trained|."""
        from studyapp.lab import heavy

        heavy.ensure()
        from peft import PeftModel

        from studyapp.lab.wrap import quiet_peft

        base = load_base(self.train.replace(device=self.device))
        with quiet_peft(), heavy.constructing():
            loaded = PeftModel.from_pretrained(base, str(adapter_folder))
        return float((self.logits(loaded) - self.logits()).abs().max())

    def alpha_experiment(self, factor: float = 2.0) -> "AlphaExperiment":
        """Multiply every scaling (lora_alpha / r) by `factor`, measure, and put it back.

        Compares how far the outputs move from the trained ones with how far
        training moved them from the base model (adapter disabled).
        """
        from studyapp.lab import heavy

        heavy.ensure()
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
        from studyapp.lab import heavy

        heavy.ensure()
        import torch.nn.functional as F

        ids = self.eval_ids()
        labels = ids.masked_fill(ids == self.tokenizer_pad, IGNORE_INDEX)
        return float(F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(),
                                     ignore_index=IGNORE_INDEX))

    def after_training(self, folder: str | Path) -> "AfterTraining":
        """Save the adapter, merge and compare, save the merged model, reload, double alpha.

        Works on whatever was trained, however many steps that was.
        """
        folder = Path(folder)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.save_pretrained(folder / "adapter")
        merge, merged = self.merge(folder / "adapter")
        merged.save_pretrained(folder / "full")
        del merged
        saved = SaveReport(str(folder / "adapter"), _sizes(folder / "adapter"), _sizes(folder / "full"))
        reload = self.reload_check(saved.adapter_folder)
        return AfterTraining(merge, saved, reload, self.alpha_experiment(2.0))


def _sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


@dataclass(frozen=True)
class MergeCheck:
    """The merged model against the unmerged trained one, same input, with a verdict."""

    max_abs_diff: float   # max |merged - unmerged| over the logits
    max_abs_logit: float  # for scale
    merged_type: str      # the plain transformers class: no LoRA layers left
    route: str            # how the adapter was merged
    dtype: str            # the merged model's dtype, which sets the tolerance
    tolerance: float      # MERGE_TOLERANCE[dtype] x max_abs_logit
    passed: bool          # max_abs_diff <= tolerance
    vs_trained: float = 0.0  # max |merged - the model as trained| (QLoRA: its 4-bit layers computed in bf16)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class AlphaExperiment:
    """Doubling lora_alpha after training: the scaling doubles, so does B·A's effect."""

    factor: float
    scaling_before: float
    scaling_after: float
    max_abs_diff: float          # logits at factor x scaling vs trained
    trained_vs_base: float       # logits trained vs adapter disabled, for scale
    loss_scaled: float           # on the fixed eval batch
    loss_trained: float


@dataclass(frozen=True)
class AfterTraining:
    """Everything checked after training."""

    merge: MergeCheck
    saved: SaveReport
    reload_max_abs_diff: float
    alpha: AlphaExperiment

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Sample:
    """What the base and the trained model write after the same prompt (greedy)."""

    prompt: str
    base: str
    trained: str


@dataclass(frozen=True)
class TrainReport:
    """One fine-tune, from settings to checks: what the page, the CLI and the rank panel read."""

    kind: str                      # "LoRA" or "QLoRA"
    train: TrainSettings
    lora: LoraSettings
    device: str
    line: str                      # print_trainable_parameters
    trainable_params: int
    history: tuple[TrainStep, ...]
    stopped: bool                  # stopped before train.steps
    base_memory: BaseMemory
    peak: PeakReading
    checks: AfterTraining
    sample: Sample
    build_seconds: float           # build + quantize + wrap, before the first step
    learned: tuple[LearnedLayer, ...] = field(default=(), repr=False)

    @property
    def steps_per_second(self) -> float:
        """Optimizer steps per second of training (0 before any step)."""
        if not self.history or self.history[-1].seconds <= 0:
            return 0.0
        return len(self.history) / self.history[-1].seconds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the learned matrices are left out)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("learned", "history")}
        out["history"] = [[s.step, s.loss, s.seconds] for s in self.history]
        out["steps_per_second"] = self.steps_per_second
        out["lora"] = self.lora.to_dict()
        return out


def run_fine_tune(train: TrainSettings, lora: LoraSettings | None = None, *,
                  stop: threading.Event | None = None, on_step: StepCallback | None = None,
                  save_adapter: str | Path | None = None) -> TrainReport:
    """Build, train (until train.steps or `stop`), check, and report one fine-tune.

    `on_step` is called after every step (a job's progress). With `save_adapter` the
    adapter and a made-with.json (the settings) are also written there.

    Raises:
        ValueError, LoraSettingsError, TargetsNotFoundError: as FineTune.
    """
    from studyapp.lab.learned import learned_layers

    start = time.perf_counter()
    run = FineTune(train, lora)
    build_seconds = time.perf_counter() - start
    for step in run.steps(stop):
        if on_step is not None:
            on_step(step)
    with tempfile.TemporaryDirectory() as folder:
        checks = run.after_training(folder)
    if save_adapter is not None:
        _save_bundle(run, Path(save_adapter))
    with run.model.disable_adapter():
        base_text = run.generate()
    return TrainReport(run.kind, run.train, run.lora, run.device, run.wrap.line, run.wrap.trainable_params,
                       tuple(run.history), len(run.history) < run.train.steps, run.base_memory,
                       run.peak.reading(), checks, Sample(SAMPLE_PROMPT, base_text, run.generate()),
                       build_seconds, tuple(learned_layers(run.model)))


def _save_bundle(run: FineTune, folder: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run.model.save_pretrained(folder)
    made = {"train": {**asdict(run.train), "device": None},
            "lora": run.lora.to_dict(), "steps_trained": len(run.history),
            "final_loss": run.history[-1].loss if run.history else None}
    (folder / "made-with.json").write_text(json.dumps(made, indent=2) + "\n")
    (folder / "README.md").unlink(missing_ok=True)  # peft's model-card template: not ours to ship


def compare(train: TrainSettings, lora: LoraSettings | None = None, *, stop: threading.Event | None = None,
            on_step: Callable[[str, TrainStep], None] | None = None) -> list[TrainReport]:
    """LoRA on a 32-bit base, then QLoRA on an NF4 base, with the same settings and seed.

    `on_step(kind, step)` is called after every step of either run. A `stop` ends the
    current run early and skips the next one.
    """
    reports = []
    for qlora in (False, True):
        if stop is not None and stop.is_set():
            break
        kind = "QLoRA" if qlora else "LoRA"
        callback = None if on_step is None else (lambda step, kind=kind: on_step(kind, step))
        reports.append(run_fine_tune(train.replace(qlora=qlora), lora, stop=stop, on_step=callback))
    return reports
