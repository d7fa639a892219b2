"""Number questions answered exactly: each expected figure is computed here, independently of the
Lab's code, by peft wrapping the bundled configs on the meta device (or byte rules applied to
the meta model's tensors), and the buddy must give exactly that figure."""

from __future__ import annotations

import json
import math
from functools import lru_cache

import pytest

from paths import ROOT
from studyapp.buddy.answer import CANNOT_COMPUTE, COMPUTED, ask
from studyapp.buddy.number_question import QUANTITIES, parse
from studyapp.buddy.numbers import _COMPUTERS

CONFIGS = ROOT / "studyapp" / "lab" / "configs"
GIB = 2**30


def meta_model(name: str):
    """The architecture from its bundled config.json, built on meta (no studyapp code)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    values = json.loads((CONFIGS / f"{name}.json").read_text())
    for key in ("_name_or_path", "architectures", "transformers_version", "torch_dtype"):
        values.pop(key, None)
    config = AutoConfig.for_model(values.pop("model_type"), **values)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


@lru_cache(maxsize=None)
def peft_counts(name: str, r: int, targets: str, dora: bool = False) -> tuple[int, int]:
    """(trainable, all) parameters as peft reports them after get_peft_model."""
    from peft import LoraConfig, get_peft_model

    target = targets if targets == "all-linear" else targets.split(",")
    config = LoraConfig(r=r, lora_alpha=16, target_modules=target, use_dora=dora, task_type="CAUSAL_LM")
    model = get_peft_model(meta_model(name), config, low_cpu_mem_usage=True)
    return model.get_nb_trainable_parameters()


@lru_cache(maxsize=None)
def base_count(name: str) -> int:
    return sum(p.numel() for p in meta_model(name).parameters())


def weight_bytes(name: str, fmt: str) -> int:
    """Weight bytes: every nn.Linear but lm_head quantized by bitsandbytes' storage rule, the rest 16-bit."""
    import torch

    total = 0
    for mod_name, module in meta_model(name).named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            n = p.numel()
            if isinstance(module, torch.nn.Linear) and p_name == "weight" and mod_name != "lm_head":
                d = p.shape[0]
                total += {
                    "bf16": 2 * n,
                    "int8": n + 4 * d,
                    "nf4": math.ceil(n / 2) + 4 * math.ceil(n / 64) + 64,
                }[fmt]
            else:
                total += 2 * n
    return total


# (question as a student asks it, what the figure must be)
CASES = [
    (
        "How many trainable parameters does r=16 on all linear layers of Llama-3-8B add?",
        lambda: peft_counts("llama-3-8b", 16, "all-linear")[0],
    ),
    (
        "how many trainable params does lora r=8 on q_proj and v_proj give llama-2-7b",
        lambda: peft_counts("llama-2-7b", 8, "q_proj,v_proj")[0],
    ),
    (
        "trainable parameters for mistral 7b with rank 4 on q_proj,k_proj,v_proj,o_proj",
        lambda: peft_counts("mistral-7b", 4, "q_proj,k_proj,v_proj,o_proj")[0],
    ),
    (
        "qwen2.5-7b r=32 all-linear, how many parameters are trainable?",
        lambda: peft_counts("qwen2.5-7b", 32, "all-linear")[0],
    ),
    (
        "Gemma-2-9b with r=8 on q_proj and v_proj: how many trainable parameters?",
        lambda: peft_counts("gemma-2-9b", 8, "q_proj,v_proj")[0],
    ),
    (
        "phi-3 mini, r=16 on qkv_proj, how many trainable params",
        lambda: peft_counts("phi-3-mini", 16, "qkv_proj")[0],
    ),
    (
        "llama 3 70b with all linear layers at r=64, trainable parameters?",
        lambda: peft_counts("llama-3-70b", 64, "all-linear")[0],
    ),
    (
        "how many trainable parameters with DoRA, r=8 on llama-3-8b q_proj and v_proj",
        lambda: peft_counts("llama-3-8b", 8, "q_proj,v_proj", dora=True)[0],
    ),
    (
        "what percent of llama-2-7b is trainable with r=8 on q_proj,v_proj",
        lambda: (
            100
            * peft_counts("llama-2-7b", 8, "q_proj,v_proj")[0]
            / peft_counts("llama-2-7b", 8, "q_proj,v_proj")[1]
        ),
    ),
    (
        "what percentage of Llama-3-8B trains with r=16 on all-linear?",
        lambda: (
            100
            * peft_counts("llama-3-8b", 16, "all-linear")[0]
            / peft_counts("llama-3-8b", 16, "all-linear")[1]
        ),
    ),
    (
        "what is the total parameter count of llama-2-7b with a lora adapter r=8 on q_proj, v_proj",
        lambda: peft_counts("llama-2-7b", 8, "q_proj,v_proj")[1],
    ),
    ("how many parameters does llama-3-8b have?", lambda: base_count("llama-3-8b")),
    ("how many parameters does Mistral-7B have", lambda: base_count("mistral-7b")),
    (
        "how big is the adapter file for llama-2-7b with r=8 on q_proj and v_proj",
        lambda: 4 * peft_counts("llama-2-7b", 8, "q_proj,v_proj")[0],
    ),
    (
        "adapter size in MB for llama-3-8b with r=16 on all linear layers",
        lambda: 4 * peft_counts("llama-3-8b", 16, "all-linear")[0],
    ),
    ("how much memory do llama-2-7b's weights take in bf16", lambda: weight_bytes("llama-2-7b", "bf16")),
    ("how much memory does mistral 7b take in 8-bit", lambda: weight_bytes("mistral-7b", "int8")),
    ("how much VRAM does llama-3-8b need in 4-bit nf4", lambda: weight_bytes("llama-3-8b", "nf4")),
    ("what is the scaling factor for r=16 and lora_alpha=32", lambda: 32 / 16),
    ("what scale does rslora give at r=64 with alpha=16", lambda: 16 / math.sqrt(64)),
    ("how many lora parameters does a 4096 x 11008 matrix need at r=16", lambda: 16 * (4096 + 11008)),
    ("does llama-2-7b fit a T4 in 4-bit?", lambda: weight_bytes("llama-2-7b", "nf4")),
    ("does llama-3-70b fit an A100 80GB in bf16?", lambda: weight_bytes("llama-3-70b", "bf16")),
    (
        "how much memory would the adam optimizer states take if I fine-tune every weight of llama 2 7b",
        lambda: 8 * base_count("llama-2-7b"),
    ),
]


@pytest.mark.parametrize("question,expected", CASES, ids=[q for q, _ in CASES])
def test_number_questions_are_exact(index, question, expected):
    answer = ask(index, question)
    assert answer.kind == COMPUTED, answer.text
    want = expected()
    assert answer.computed.value == pytest.approx(want, rel=0, abs=1e-12), answer.computed.formula
    if isinstance(want, int):
        assert f"{want:,}" in answer.computed.formula + answer.computed.display
    assert answer.computed.lab_url.startswith(("/lab-build?", "/lab-memory?", "/lab-rank?"))


def test_there_are_at_least_twenty_number_questions():
    assert len(CASES) >= 20


def test_fit_verdicts_compare_with_the_gpu_and_the_cuda_reserve(index):
    t4 = ask(index, "does llama-2-7b fit a T4 in 4-bit?").computed
    assert t4.fits is True and t4.extra["capacity_bytes"] == 15360 * 2**20
    assert t4.value + GIB <= t4.extra["capacity_bytes"] and t4.display.startswith("Yes")
    a100 = ask(index, "does llama-3-70b fit an A100 80GB in bf16?").computed
    assert a100.fits is False and a100.display.startswith("No") and "short by" in a100.display


def test_lab_links_are_preset_to_the_question(index):
    computed = ask(
        index, "How many trainable parameters does r=16 on all linear layers of Llama-3-8B add?"
    ).computed
    assert computed.lab_url == "/lab-build?model=llama-3-8b&r=16&alpha=16&targets=all-linear"
    assert (
        ask(index, "how much memory does mistral 7b take in 8-bit").computed.lab_url
        == "/lab-memory?model=mistral-7b"
    )


def test_defaults_taken_are_said(index):
    computed = ask(index, "how many trainable parameters does llama-2-7b get with lora").computed
    assert computed.assumed == ("r=8", "target_modules=q_proj,v_proj")
    assert "Assumed" in ask(index, "how many trainable parameters does llama-2-7b get with lora").text


@pytest.mark.parametrize(
    "question",
    [
        "how many trainable parameters does falcon-40b get with r=8?",
        "does gpt-3 fit a T4 in 4-bit?",
        "how much memory does llama-2-13b need in bf16",
    ],
)
def test_unknown_models_get_i_cant_compute_that_with_the_registry(index, question):
    answer = ask(index, question)
    assert answer.kind == CANNOT_COMPUTE
    assert (
        "can't compute that" in answer.text and "llama-3-8b" in answer.text and "llama-3-8b" in answer.models
    )


def test_targets_the_model_lacks_get_i_cant_compute_that_with_its_layer_names(index):
    answer = ask(index, "how many trainable parameters does phi-3-mini get with r=8 on q_proj?")
    assert answer.kind == CANNOT_COMPUTE and "qkv_proj" in answer.text


def test_concept_questions_are_not_computed(index):
    for question in (
        "how much does quantizing the quantization constants save",
        "what is lora",
        "why is B initialised to zero?",
        "how many layers does llama-2-7b have?",
        "how big is the vocabulary of llama-3-8b",
        "what share of llama-3-8b is the embedding",
    ):
        assert parse(question) is None, question
        assert ask(index, question).kind != COMPUTED


def test_every_quantity_has_a_computer_and_every_gpu_is_the_labs():
    from studyapp.buddy import number_question
    from studyapp.lab.memory import GPUS_MIB

    assert set(_COMPUTERS) | {"scaling", "matrix"} == set(QUANTITIES)
    for text in ("t4", "4090", "a100 80", "a100", "h100"):
        assert number_question._gpu(text) in GPUS_MIB
