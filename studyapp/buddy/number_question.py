"""Read a number question: which quantity, which registry model, which LoRA settings.

"How many trainable parameters does r=16 on all linear layers of Llama-3-8B add?" becomes
``NumberQuestion(quantity="trainable", model="llama-3-8b", r=16, targets="all-linear")``.
Only the reading happens here (no torch); :mod:`studyapp.buddy.numbers` computes with the
Lab. Anything the question does not say takes the Lab's default, and is listed in
``assumed`` so the answer can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studyapp.lab.registry import list_models

QUANTITIES = (
    "fit",
    "training",
    "adapter_size",
    "weights",
    "full_ft",
    "percent",
    "all_params",
    "trainable",
    "base_params",
    "scaling",
    "matrix",
)
LORA_FREE = ("scaling", "matrix", "weights", "base_params", "full_ft")  # no adapter in these figures
TARGET_NAMES = (
    "qkv_proj",
    "gate_up_proj",
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
)
# Families and sizes a student may name that the registry has no config for.
UNKNOWN_MODEL = re.compile(
    r"\b((gpt|bert|t5|falcon|bloom|opt|mixtral|deepseek|claude|vicuna|guanaco|llama)"
    r"[-\w.]*|\d+(\.\d+)?\s?b\b)",
    re.I,
)


@dataclass(frozen=True)
class NumberQuestion:
    """What a number question asks, in the Lab's terms."""

    quantity: str  # one of QUANTITIES
    model: str | None = None  # a registry name, None when the question names none
    unknown_model: str = ""  # a model the question names that the registry lacks
    r: int = 8
    alpha: float = 16
    targets: str = "q_proj,v_proj"
    use_dora: bool = False
    use_rslora: bool = False
    fmt: str | None = None  # a memory.FORMATS name when the question names a precision
    gpu: str | None = None  # a memory.GPUS_MIB name
    training: bool = False  # about fine-tuning (vs loading the weights)
    checkpointing: bool = False  # gradient checkpointing named (the Lab's default is off)
    dims: tuple[int, int] | None = None  # (d, k) of one matrix: "a 4096 x 4096 matrix"
    assumed: tuple[str, ...] = field(default=())


def normalise(text: str) -> str:
    """Lowercase letters and digits only: 'Llama-3 8B' and 'llama38b' read alike."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _aliases() -> list[tuple[str, str]]:
    """(normalised alias, registry name), longest first so 'llama370b' wins over shorter ones."""
    pairs = []
    for spec in list_models():
        for alias in (spec.name, spec.title.split("(")[0], spec.source.split("/")[-1]):
            pairs.append((normalise(alias), spec.name))
    pairs += [
        ("mistral", "mistral-7b"),
        ("gemma", "gemma-2-9b"),
        ("phi3", "phi-3-mini"),
        ("qwen", "qwen2.5-7b"),
    ]
    return sorted(set(pairs), key=lambda p: -len(p[0]))


def find_model(text: str) -> str | None:
    """The registry model a question names, or None."""
    flat = normalise(text.replace("meta-llama-3", "llama-3"))
    return next((name for alias, name in _aliases() if alias and alias in flat), None)


def parse(text: str) -> NumberQuestion | None:
    """The number question in ``text``, or None when it asks for no figure the Lab computes."""
    lowered = text.lower()
    quantity = _quantity(lowered)
    if quantity is None:
        return None
    model = find_model(text)
    unknown = "" if model else _unknown_model(text)
    dims = _dims(lowered)
    if quantity not in ("scaling", "matrix") and not (model or unknown):
        if not dims:
            return None
        quantity = "matrix"
    return _settings(lowered, quantity, model, unknown, dims)


def lab_page(text: str) -> str:
    """The Lab page that shows the kind of figure ``text`` asks about ('' when it asks for none)."""
    quantity = _quantity(text.lower())
    if quantity is None:
        return ""
    if quantity in ("fit", "training", "weights", "full_ft"):
        return "/lab-memory"
    return "/lab-rank" if quantity in ("scaling", "matrix") else "/lab-build"


def _settings(lowered: str, quantity: str, model: str | None, unknown: str, dims) -> NumberQuestion:
    r = _int_after(lowered, (r"\br\s*=\s*(\d+)", r"\brank\s*(?:of\s*|=\s*|r\s*=\s*)?(\d+)", r"\brank-(\d+)"))
    alpha = _int_after(lowered, (r"alpha\s*=\s*(\d+)", r"alpha\s+(?:of\s+)?(\d+)"))
    targets = _targets(lowered)
    # An adapter plays a part unless the question is about the base model's own figures.
    adapter = quantity not in LORA_FREE and not (quantity == "fit" and not _about_training(lowered))
    assumed = [
        text
        for text, missing in (
            ("r=8", r is None and (adapter or quantity in ("scaling", "matrix"))),
            ("lora_alpha=16", alpha is None and quantity == "scaling"),
            ("target_modules=q_proj,v_proj", targets is None and adapter),
        )
        if missing
    ]
    return NumberQuestion(
        quantity=quantity,
        model=model,
        unknown_model=unknown,
        r=r or 8,
        alpha=alpha or 16,
        targets=targets or "q_proj,v_proj",
        use_dora="dora" in lowered,
        use_rslora=_rslora(lowered),
        fmt=_format(lowered),
        gpu=_gpu(lowered),
        training=_about_training(lowered),
        dims=dims,
        checkpointing=bool(re.search(r"checkpointing", lowered)),
        assumed=tuple(assumed),
    )


# Figures the Lab does not compute from a question: "how many layers", "how big is the vocabulary".
OTHER_FIGURE = re.compile(
    r"how (many|big|large) (\w+ )?(layers?|heads?|tokens?|blocks?|vocab\w*|dimensions?)\b|"
    r"\bvocab\w*\b|\bhidden size\b|\bcontext (length|window)\b"
)
MEMORY = re.compile(r"memory|vram|\bgi?b\b|\bgigabytes?\b|how big|how large|\bbytes\b|\bmi?b\b|on disk")
FIT = re.compile(r"\bfits?\b|\bfitting\b|enough (memory|vram)|\brun (it )?on\b|\bload (it )?on\b")


def _quantity(t: str) -> str | None:
    """The first quantity whose cue the question contains (the order settles overlaps)."""
    if OTHER_FIGURE.search(t):
        return None
    memory = bool(MEMORY.search(t))
    if FIT.search(t) or _gpu(t):
        return "fit"
    if re.search(r"\badapter\b|\bsafetensors\b|adapter_model", t) and (memory or re.search(r"\bsize\b", t)):
        return "adapter_size"
    if (
        memory
        and re.search(r"\b(adam|optimi[sz]er)\b", t)
        and re.search(r"\bfull\b|everything|every weight", t)
    ):
        return "full_ft"
    if memory:
        return "training" if _about_training(t) else "weights"
    param = re.search(r"\bparam(eter)?s?\b", t)
    if re.search(r"percent|%|\bfraction\b|\bshare\b|\bproportion\b", t) and _lora_context(t):
        return "percent"
    if re.search(r"\ball params\b|\btotal param|\ball parameters\b", t) and _lora_context(t):
        return "all_params"
    if param:
        return "trainable" if _lora_context(t) else "base_params"
    if re.search(r"scal(e|ing)|\bfactor\b|multipl", t) and re.search(r"alpha|\br\s*=", t):
        return "scaling"
    return None


def _lora_context(t: str) -> bool:
    return bool(
        re.search(
            r"\blora\b|\badapter|\btrainable|\br\s*=|\brank\b|_proj\b|all[- ]linear|\bdora\b|"
            r"\badd(s|ed)?\b|\btrain(s|ed)?\b",
            t,
        )
    )


def _about_training(t: str) -> bool:
    return bool(re.search(r"\btrain(ing)?\b|fine-?tun|finetun|\bqlora\b|\blora\b", t))


def _unknown_model(text: str) -> str:
    match = UNKNOWN_MODEL.search(text)
    return match.group(0) if match else ""


def _int_after(t: str, patterns: tuple[str, ...]) -> int | None:
    for pattern in patterns:
        match = re.search(pattern, t)
        if match:
            return int(match.group(1))
    return None


def _targets(t: str) -> str | None:
    if re.search(r"all[- ]linear|every linear|all (the )?linear|all (the )?layers|every layer", t):
        return "all-linear"
    named = [n for n in TARGET_NAMES if re.search(rf"(?<![a-z_]){n}\b", t)]
    named = [n for n in named if not any(n != o and n in o and o in named for o in named)]
    if (
        re.search(r"\b(all|every|the) attention\b|\battention (layers|projections|matrices)\b", t)
        and not named
    ):
        return "q_proj,k_proj,v_proj,o_proj"
    if re.search(r"\bq\s*(\+|and|,|&)\s*v\b", t) and not named:
        return "q_proj,v_proj"
    return ",".join(named) if named else None


def _rslora(t: str) -> bool:
    return bool(re.search(r"rs-?lora|use_rslora|rank-stabili[sz]ed", t))


def _format(t: str) -> str | None:
    if re.search(r"\bqlora\b|double[- ]quant", t):
        return "nf4_double_quant"
    for pattern, fmt in (
        (r"4[- ]?bit|\bnf4\b|\bint4\b", "nf4"),
        (r"8[- ]?bit|\bint8\b|llm\.int8", "int8"),
        (r"16[- ]?bit|\bbf16\b|\bfp16\b|\bhalf\b|bfloat16|float16", "bf16"),
        (r"32[- ]?bit|\bfp32\b|float32|full precision", "fp32"),
    ):
        if re.search(pattern, t):
            return fmt
    return None


def _gpu(t: str) -> str | None:
    # Names are keys of the Lab's own GPU list, memory.GPUS_MIB (a test checks each one).
    for pattern, name in (
        (r"\bt4\b", "T4 16 GB"),
        (r"\b4090\b", "RTX 4090 24 GB"),
        (r"a100[- ]?(sxm|pcie)?[- ]?80", "A100 80 GB"),
        (r"\ba100\b", "A100 40 GB"),
        (r"\bh100\b", "H100 80 GB"),
    ):
        if re.search(pattern, t):
            return name
    return None


def _dims(t: str) -> tuple[int, int] | None:
    match = re.search(r"(\d{2,6})\s*(?:x|×|by|\*)\s*(\d{2,6})", t)
    return (int(match.group(1)), int(match.group(2))) if match else None
