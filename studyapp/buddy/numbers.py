"""Numbers computed, never guessed: a parsed number question answered by the Lab's own functions.

Parameter counts come from peft wrapping the registry's real architecture on the meta
device (``lab.claims.params``), weight and training memory from the Lab's exact per-tensor
accounting (``lab.memory``), the scale from ``LoraSettings.scaling``. Each answer carries
the exact figure, the formula that gives it, and a link that opens the Lab preset to it.
Byte sizes are binary (GiB, MiB), as everywhere in the app. torch loads on the first call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from studyapp.buddy.number_question import NumberQuestion
from studyapp.core.units import human_bytes

FORMAT_WORDS = {
    "fp32": "fp32",
    "bf16": "bf16",
    "int8": "LLM.int8",
    "nf4": "NF4",
    "nf4_double_quant": "NF4 + double quantization",
}


class CannotCompute(ValueError):
    """The Lab cannot compute this; the message says why and ``models`` lists what it can."""

    def __init__(self, message: str):
        from studyapp.lab.registry import model_names

        self.models = model_names()
        super().__init__(message)


@dataclass(frozen=True)
class Computed:
    """An exact figure with its formula and a Lab link preset to the same numbers."""

    quantity: str
    value: float  # the headline number: parameters, bytes, or a factor
    unit: str  # "parameters" | "bytes" | "%" | "x"
    display: str  # the headline as a student reads it
    formula: str  # how the figure is made, with the numbers in
    lab_url: str
    details: tuple[str, ...] = ()  # more exact figures around the headline
    assumed: tuple[str, ...] = ()  # defaults taken for what the question did not say
    fits: bool | None = None  # for "does it fit" questions
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Computed":
        """The inverse of :meth:`to_dict`, also after a JSON round trip (lists back to tuples)."""
        return cls(
            **{**data, "details": tuple(data.get("details", ())), "assumed": tuple(data.get("assumed", ()))}
        )


def compute(q: NumberQuestion) -> Computed:
    """Answer a number question with the Lab.

    Raises:
        CannotCompute: an unknown model, settings the Lab rejects, or targets that match
            no layer of the model (the message says which and how to fix it).
    """
    if q.quantity == "scaling":
        return _scaling(q)
    if q.quantity == "matrix":
        return _matrix(q)
    if q.model is None:
        named = f"“{q.unknown_model}” is" if q.unknown_model else "That model is"
        raise CannotCompute(f"{named} not in the Lab's registry, so I can't compute that.")
    return _COMPUTERS[q.quantity](q)


def lab_build_url(q: NumberQuestion) -> str:
    """/lab-build preset to the question's model and LoRA settings."""
    query = {"model": q.model, "r": q.r, "alpha": _num(q.alpha), "targets": q.targets}
    query.update({"dora": 1} if q.use_dora else {})
    query.update({"rslora": 1} if q.use_rslora else {})
    return "/lab-build?" + urlencode(query, safe=",")


def lab_memory_url(model: str) -> str:
    """/lab-memory preset to the model."""
    return "/lab-memory?" + urlencode({"model": model})


def _settings(q: NumberQuestion):
    from studyapp.lab.settings import LoraSettings

    settings = LoraSettings(
        r=q.r, lora_alpha=q.alpha, target_modules=q.targets, use_dora=q.use_dora, use_rslora=q.use_rslora
    )
    problems = settings.validate()
    if problems:
        raise CannotCompute("I can't compute that: " + " ".join(problems))
    return settings


def _wrap(q: NumberQuestion):
    """peft's counts for the question (cached per settings by lab.claims.params)."""
    from studyapp.lab import claims
    from studyapp.lab.wrap import TargetsNotFoundError

    _settings(q)
    try:
        return claims.params(
            q.model, r=q.r, targets=q.targets, alpha=q.alpha, use_dora=q.use_dora, use_rslora=q.use_rslora
        )
    except TargetsNotFoundError as exc:
        raise CannotCompute(f"I can't compute that: {exc}") from exc


def _module_formula(result, q: NumberQuestion) -> str:
    """Σ r·(d + k) grouped by layer name and shape: '32 × 8·(4096 + 4096) [q_proj] + …'."""
    groups = Counter((m.name.rsplit(".", 1)[-1], m.shape) for m in result.modules)
    terms = []
    for (leaf, (d, k)), n in groups.items():
        dora = f" + {d}" if q.use_dora else ""
        terms.append(f"{n} × ({q.r}·({d} + {k}){dora}) [{leaf}]")
    return " + ".join(terms) + f" = {result.trainable_params:,}"


def _trainable(q: NumberQuestion) -> Computed:
    result = _wrap(q)
    what = "LoRA r·(d + k) per adapted matrix" + (" plus d DoRA magnitudes" if q.use_dora else "")
    return Computed(
        "trainable",
        result.trainable_params,
        "parameters",
        f"{result.trainable_params:,} trainable parameters",
        f"{what}: {_module_formula(result, q)}",
        lab_build_url(q),
        (f"peft prints: {result.line}",),
        q.assumed,
    )


def _percent(q: NumberQuestion) -> Computed:
    result = _wrap(q)
    return Computed(
        "percent",
        result.trainable_percent,
        "%",
        f"{result.trainable_percent:.4f}% trainable",
        f"100 × trainable / all params = 100 × {result.trainable_params:,} / "
        f"{result.total_params:,} = {result.trainable_percent:.4f}%",
        lab_build_url(q),
        (f"peft prints: {result.line}",),
        q.assumed,
    )


def _all_params(q: NumberQuestion) -> Computed:
    result = _wrap(q)
    base = result.total_params - result.trainable_params
    return Computed(
        "all_params",
        result.total_params,
        "parameters",
        f"{result.total_params:,} parameters in all",
        f"base {base:,} + adapter {result.trainable_params:,} = {result.total_params:,}",
        lab_build_url(q),
        (f"peft prints: {result.line}",),
        q.assumed,
    )


def _adapter_size(q: NumberQuestion) -> Computed:
    result = _wrap(q)
    fp32, bf16 = result.adapter_bytes_fp32, result.adapter_bytes_bf16
    return Computed(
        "adapter_size",
        fp32,
        "bytes",
        f"{human_bytes(fp32)} in fp32 ({fp32:,} bytes)",
        f"{result.trainable_params:,} parameters × 4 bytes (fp32, peft's default) = {fp32:,} bytes",
        lab_build_url(q),
        (f"saved in bf16: {result.trainable_params:,} × 2 = {bf16:,} bytes = {human_bytes(bf16)}",),
        q.assumed,
    )


def _base_params(q: NumberQuestion) -> Computed:
    from studyapp.lab import claims

    n = claims.base_params(q.model)
    return Computed(
        "base_params",
        n,
        "parameters",
        f"{n:,} parameters",
        f"the sum of numel() over every tensor of {q.model} built on the meta device = {n:,}",
        lab_build_url(q),
    )


def _weights(q: NumberQuestion) -> Computed:
    memory = _weight_memory(q.model)
    fmt = q.fmt or "bf16"
    part = memory.formats[fmt]
    others = tuple(
        f"{FORMAT_WORDS[f]}: {human_bytes(b.total)} ({b.total:,} bytes)"
        for f, b in memory.formats.items()
        if f != fmt
    )
    assumed = () if q.fmt else ("weights in bf16 (no precision named)",)
    return Computed(
        "weights",
        part.total,
        "bytes",
        f"{human_bytes(part.total)} of weights in {FORMAT_WORDS[fmt]}",
        f"{part.quantized_codes:,} B of linear weights + {part.quant_stats:,} B of quantization "
        f"constants + {part.kept:,} B kept in 16-bit (embeddings, norms, lm_head) = {part.total:,} bytes",
        lab_memory_url(q.model),
        others,
        assumed,
    )


@lru_cache(maxsize=32)
def _weight_memory(model: str):
    """lab.memory.weight_memory, once per model (it builds the model on meta: ~0.5 s)."""
    from studyapp.lab.memory import weight_memory

    return weight_memory(model)


def _estimate(q: NumberQuestion):
    _settings(q)  # raises CannotCompute for settings the Lab rejects
    return _cached_estimate(
        q.model, q.fmt or "bf16", q.r, q.alpha, q.targets, q.use_dora, q.use_rslora, q.checkpointing
    )


@lru_cache(maxsize=64)
def _cached_estimate(
    model: str, fmt: str, r: int, alpha: float, targets: str, dora: bool, rslora: bool, checkpointing: bool
):
    from studyapp.lab.memory import training_estimate
    from studyapp.lab.settings import LoraSettings

    settings = LoraSettings(r=r, lora_alpha=alpha, target_modules=targets, use_dora=dora, use_rslora=rslora)
    return training_estimate(
        model, weight_format=fmt, settings=settings, gradient_checkpointing=checkpointing
    )


def _estimate_formula(e, checkpointing: bool) -> str:
    return (
        f"base weights {human_bytes(e.weights)} + adapter {human_bytes(e.lora_weights)} + gradients "
        f"{human_bytes(e.gradients)} + AdamW states {human_bytes(e.optimizer)} + activations "
        f"{human_bytes(e.activations)} (seq {e.seq_len}, batch {e.batch}, gradient checkpointing "
        f"{'on' if checkpointing else 'off'}) = {e.total:,} bytes"
    )


def _training_assumed(q: NumberQuestion) -> tuple[str, ...]:
    return (
        q.assumed
        + (() if q.fmt else ("base weights in bf16 (no precision named)",))
        + (() if q.checkpointing else ("gradient checkpointing off, as the Lab starts",))
    )


def _training(q: NumberQuestion) -> Computed:
    e = _estimate(q)
    return Computed(
        "training",
        e.total,
        "bytes",
        f"{human_bytes(e.total)} to fine-tune with the base in {FORMAT_WORDS[e.weight_format]}",
        _estimate_formula(e, q.checkpointing),
        lab_memory_url(q.model),
        _gpu_lines(e.gpus),
        _training_assumed(q),
    )


def _fit(q: NumberQuestion) -> Computed:
    from studyapp.lab.memory import CUDA_RESERVE_BYTES, GPUS_MIB, fit_gpus

    fmt, gpu = q.fmt or "bf16", q.gpu or "T4 16 GB"
    capacity = GPUS_MIB[gpu] * 2**20
    need = _estimate(q).total if q.training else _weight_memory(q.model).formats[fmt].total
    spare = capacity - CUDA_RESERVE_BYTES - need
    fits = spare >= 0
    formula = (
        f"{need:,} bytes ({human_bytes(need)}) needed + {human_bytes(CUDA_RESERVE_BYTES)} CUDA reserve "
        f"{'≤' if fits else '>'} {human_bytes(capacity)} on the {gpu} ({GPUS_MIB[gpu]:,} MiB)"
    )
    assumed = (
        _training_assumed(q) if q.training else (() if q.fmt else ("weights in bf16 (no precision named)",))
    )
    assumed += () if q.gpu else ("a T4 16 GB (no GPU named)",)
    return Computed(
        "fit",
        need,
        "bytes",
        _verdict(q, fmt, gpu, fits, spare),
        formula,
        lab_memory_url(q.model),
        (_other_need(q, fmt),) + _gpu_lines(fit_gpus(need)),
        assumed,
        fits,
        {"gpu": gpu, "capacity_bytes": capacity},
    )


def _verdict(q: NumberQuestion, fmt: str, gpu: str, fits: bool, spare: int) -> str:
    article = "an" if gpu[0] in "AHR" else "a"  # an A100, an H100, an RTX 4090, a T4
    if q.training:
        what = f"fine-tuning {q.model} with the base in {FORMAT_WORDS[fmt]}"
        verb = "fits" if fits else "does not fit"
    else:
        what = f"{q.model}'s weights in {FORMAT_WORDS[fmt]}"
        verb = "fit" if fits else "do not fit"
    how = f"with {human_bytes(spare)} to spare" if fits else f"short by {human_bytes(-spare)}"
    return f"{'Yes' if fits else 'No'}: {what} {verb} {article} {gpu}, {how}"


def _other_need(q: NumberQuestion, fmt: str) -> str:
    """The figure the question did not ask for: training when it asked about the weights, and back."""
    if q.training:
        weights = _weight_memory(q.model).formats[fmt].total
        return f"the weights alone in {FORMAT_WORDS[fmt]}: {human_bytes(weights)}"
    e = _estimate(q)
    return (
        f"to fine-tune it with LoRA r={q.r} on {q.targets} (seq {e.seq_len}, batch {e.batch}): "
        f"{human_bytes(e.total)} in all"
    )


def _gpu_lines(gpus) -> tuple[str, ...]:
    return tuple(
        f"{g.gpu}: "
        + (
            f"fits, {human_bytes(g.headroom_bytes)} to spare"
            if g.fits
            else f"does not fit, short by {human_bytes(-g.headroom_bytes)}"
        )
        for g in gpus
    )


def _full_ft(q: NumberQuestion) -> Computed:
    from studyapp.lab import claims

    n = claims.base_params(q.model)
    moments = 8 * n
    return Computed(
        "full_ft",
        moments,
        "bytes",
        f"{human_bytes(moments)} for the AdamW moments alone",
        f"{n:,} parameters × 2 fp32 moments × 4 bytes = {moments:,} bytes",
        lab_memory_url(q.model),
        (f"with fp32 weights and gradients too: {n:,} × 16 bytes = {human_bytes(16 * n)}",),
    )


def _scaling(q: NumberQuestion) -> Computed:
    settings = _settings(q)
    rule = (
        f"lora_alpha / sqrt(r) = {_num(q.alpha)} / √{q.r}"
        if q.use_rslora
        else f"lora_alpha / r = {_num(q.alpha)} / {q.r}"
    )
    return Computed(
        "scaling",
        settings.scaling,
        "x",
        f"scaling = {settings.scaling:.4g}",
        f"{rule} = {settings.scaling:.4g}",
        "/lab-rank?" + urlencode({"r": q.r, "alpha": _num(q.alpha)}),
        assumed=q.assumed,
    )


def _matrix(q: NumberQuestion) -> Computed:
    d, k = q.dims
    lora, full = q.r * (d + k), d * k
    return Computed(
        "matrix",
        lora,
        "parameters",
        f"{lora:,} LoRA parameters for one {d} × {k} matrix",
        f"r·(d + k) = {q.r}·({d} + {k}) = {lora:,}",
        "/lab-rank?" + urlencode({"r": q.r}),
        (
            f"the full matrix has d·k = {full:,}: {full / lora:,.4g} times more "
            f"({100 * lora / full:.2f}% of it)",
        ),
        q.assumed,
    )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_COMPUTERS = {
    "trainable": _trainable,
    "percent": _percent,
    "all_params": _all_params,
    "adapter_size": _adapter_size,
    "base_params": _base_params,
    "weights": _weights,
    "training": _training,
    "fit": _fit,
    "full_ft": _full_ft,
}
