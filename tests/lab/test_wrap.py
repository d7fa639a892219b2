import math

import pytest

from studyapp.lab.registry import build_model, model_names
from studyapp.lab.settings import LoraSettings, LoraSettingsError, field_help
from studyapp.lab.wrap import (TargetsNotFoundError, forward_check, linear_module_names,
                               wrap_model, wrap_registry_model)


def expected_counts(model, settings):
    """Trainable and all params computed independently of peft, from the module shapes."""
    import torch

    targets = settings.target_list()
    base = sum(p.numel() for p in model.parameters())
    head = model.get_output_embeddings()
    lora = 0
    for name, module in model.named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if not isinstance(module, torch.nn.Linear):
            continue
        hit = module is not head if targets == "all-linear" else leaf in targets
        if hit:
            d, k = module.weight.shape
            lora += settings.r * (d + k) + (d if settings.use_dora else 0)
    return lora, base + lora


PINNED = [  # (model, r, targets, trainable, all params) from ERRATA.md
    ("llama-2-7b", 8, ["q_proj", "v_proj"], 4_194_304, 6_742_609_920),
    ("llama-3-8b", 8, ["q_proj", "v_proj"], 3_407_872, 8_033_669_120),
    ("mistral-7b", 8, ["q_proj", "v_proj"], 3_407_872, 7_245_139_968),
]


@pytest.mark.parametrize("name, r, targets, trainable, total", PINNED)
def test_known_counts(name, r, targets, trainable, total):
    result = wrap_registry_model(name, LoraSettings(r=r, lora_alpha=16, target_modules=targets))
    assert (result.trainable_params, result.total_params) == (trainable, total)
    assert result.line == (f"trainable params: {trainable:,d} || all params: {total:,d} || "
                           f"trainable%: {100 * trainable / total:.4f}")
    assert result.adapter_bytes_fp32 == 4 * trainable and result.adapter_bytes_bf16 == 2 * trainable


SPREAD = [
    LoraSettings(r=8, target_modules=["q_proj", "v_proj"]),
    LoraSettings(r=16, lora_alpha=32, target_modules="all-linear"),
    LoraSettings(r=4, target_modules=["o_proj", "down_proj"], use_dora=True),
    LoraSettings(r=64, lora_alpha=16, target_modules=["o_proj"], use_rslora=True),
]


@pytest.mark.parametrize("name", [n for n in model_names() if n != "llama-3-70b"])
@pytest.mark.parametrize("settings", SPREAD, ids=["qv-r8", "all-r16", "dora-r4", "rslora-r64"])
def test_counts_match_peft_and_shapes(name, settings):
    model = build_model(name)
    if name == "phi-3-mini" and settings.target_list() != "all-linear":
        settings = LoraSettings(**{**settings.__dict__, "target_modules": ["qkv_proj", "o_proj"]})
    lora, total = expected_counts(model, settings)
    result = wrap_model(model, settings)
    trainable_peft, all_peft = result.model.get_nb_trainable_parameters()
    assert (result.trainable_params, result.total_params) == (trainable_peft, all_peft) == (lora, total)
    assert sum(row.lora_params for row in result.modules) == lora


def test_llama_3_70b_all_linear():
    result = wrap_registry_model("llama-3-70b", LoraSettings(r=16, target_modules="all-linear"))
    assert result.trainable_params == 207_093_760
    assert result.total_params == 70_553_706_496 + 207_093_760
    assert len(result.modules) == 80 * 7


def test_module_table_rows():
    result = wrap_registry_model("llama-3-8b", LoraSettings(r=8, target_modules=["q_proj", "v_proj"]))
    first, second = result.modules[:2]
    assert first.name == "model.layers.0.self_attn.q_proj"
    assert (first.shape, first.base_params, first.lora_params) == ((4096, 4096), 16_777_216, 8 * 8192)
    assert (second.shape, second.lora_params) == ((1024, 4096), 8 * (1024 + 4096))  # 8 KV heads


@pytest.mark.parametrize("rslora, expected", [(False, 16 / 64), (True, 16 / 8)])
def test_scaling(rslora, expected):
    settings = LoraSettings(r=64, lora_alpha=16, use_rslora=rslora)
    result = wrap_registry_model("tiny-llama", settings)
    assert math.isclose(result.scaling, expected)
    layer = result.model.base_model.model.model.layers[0].self_attn.q_proj
    assert math.isclose(layer.scaling["default"], expected)


def test_targets_that_match_nothing_raise_with_peft_message_and_names():
    with pytest.raises(TargetsNotFoundError) as caught:
        wrap_registry_model("phi-3-mini", LoraSettings(target_modules=["q_proj", "v_proj"]))
    err = caught.value
    assert "not found in the base model" in err.peft_message
    assert err.available == ["o_proj", "qkv_proj", "gate_up_proj", "down_proj", "lm_head"]
    assert "qkv_proj" in str(err) and "all-linear" in str(err)


def test_targets_that_match_some_names_warn():
    result = wrap_registry_model("tiny-llama", LoraSettings(target_modules=["q_proj", "query", "fc1"]))
    assert result.unmatched_targets == ["query", "fc1"]
    assert len(result.warnings) == 1 and "query, fc1" in result.warnings[0]
    assert "q_proj, k_proj, v_proj" in result.warnings[0]
    assert [m.name.rsplit(".", 1)[-1] for m in result.modules] == ["q_proj", "q_proj"]


def test_linear_module_names_are_deduplicated_leaves():
    assert linear_module_names(build_model("llama-2-7b")) == [
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"]


def test_forward_equals_base_at_init_and_not_with_random_B():
    check = forward_check("tiny-llama", LoraSettings(target_modules="all-linear"))
    assert check.input_shape == (1, 47) and check.output_shape == (1, 47, 1024)
    assert check.max_abs_diff == 0.0
    assert forward_check("tiny-llama", LoraSettings(init_lora_weights="no_init")).max_abs_diff > 1e-3


def test_settings_validation_says_how_to_fix():
    bad = LoraSettings(r=0, lora_alpha=-1, target_modules=[], lora_dropout=1.5, bias="some")
    problems = bad.validate()
    assert len(problems) == 5
    assert "try 8 or 16" in problems[0] and "lora_alpha = r" in problems[1]
    assert "0.05" in problems[2] and "lora_only" in problems[3] and "all-linear" in problems[4]
    with pytest.raises(LoraSettingsError):
        bad.check()
    assert LoraSettings().validate() == []
    assert "lora_alpha / r" in field_help("lora_alpha")


def test_settings_round_trip_and_target_parsing():
    s = LoraSettings(r=4, target_modules=" q_proj , v_proj ,")
    assert s.target_list() == ["q_proj", "v_proj"]
    assert LoraSettings.from_dict(s.to_dict()).to_dict() == s.to_dict()
    assert LoraSettings(target_modules="all-linear").target_list() == "all-linear"
