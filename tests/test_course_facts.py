"""The course's statements about library behaviour, checked by running the libraries it was
checked against (content/course.yaml) on tiny models. Each test names the unit text it backs
and asserts that text is still there, so a changed sentence and a changed library both fail here.
docs/course-audit.md lists which statement each test checks.
"""

from __future__ import annotations

import tempfile
import warnings

import pytest
import torch

from paths import CONTENT

UNITS = {p.parent.name[:2]: p.parent for p in CONTENT.glob("units/*/unit.md")}


def text(unit: str, name: str = "unit.md") -> str:
    """A unit's file as written (placeholders unfilled): what the tests below quote."""
    return (UNITS[unit] / name).read_text()


def tiny():
    from studyapp.lab.registry import build_model

    return build_model("tiny-llama")


def wrap(**config):
    from peft import LoraConfig, get_peft_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(tiny(), LoraConfig(**config))


def raised(call) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(Exception) as info:
            call()
    return info.value


# --- unit 2: LoraConfig --------------------------------------------------------------------------

def test_loraconfig_defaults():
    from peft import LoraConfig

    c = LoraConfig()
    assert (c.r, c.lora_alpha, c.lora_dropout, c.bias, c.init_lora_weights, c.target_modules) == \
        (8, 8, 0.0, "none", True, None)
    assert ('`r=8`, `lora_alpha=8`, `lora_dropout=0.0`, `bias="none"`, `init_lora_weights=True`, '
            '`target_modules=None`') in text("02")


def test_default_targets_per_architecture():
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as defaults

    for family in ("llama", "mistral", "qwen2", "gemma2"):
        assert defaults[family] == ["q_proj", "v_proj"], family
    assert "phi3" not in defaults
    assert "`q_proj` and `v_proj` for Llama, Mistral, Qwen2 and Gemma-2. Phi-3 has none" in text("02")


def test_target_matching_rules():
    from peft.utils.error import NoMatchingPeftModuleError

    adapted = wrap(target_modules=["self_attn.q_proj"]).targeted_module_names
    assert adapted and all(n.endswith("self_attn.q_proj") for n in adapted)
    assert isinstance(raised(lambda: wrap(target_modules=["proj"])), NoMatchingPeftModuleError)
    string = raised(lambda: wrap(target_modules="q_proj"))  # a string is a full-match regex
    assert isinstance(string, NoMatchingPeftModuleError)
    assert len(wrap(target_modules=r".*\.(q_proj|v_proj)").targeted_module_names) == 4
    leaves = {n.rsplit(".", 1)[-1] for n in wrap(target_modules="all-linear").targeted_module_names}
    assert "lm_head" not in leaves and {"q_proj", "down_proj"} <= leaves
    assert '`"proj"` matches nothing' in text("02") and "so never `lm_head`" in text("02")


def test_a_partial_match_is_silent():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = wrap(target_modules=["q_proj", "v_prj"])
    assert {n.rsplit(".", 1)[-1] for n in model.targeted_module_names} == {"q_proj"}
    assert not [w for w in caught if "v_prj" in str(w.message) or "target" in str(w.message).lower()]
    assert "unmatched ones are skipped without a warning" in text("02")


def phi3(**config):
    from peft import LoraConfig, get_peft_model

    from studyapp.lab.registry import build_model

    return get_peft_model(build_model("phi-3-mini"), LoraConfig(**config))


def lora_config(**config):
    from peft import LoraConfig

    return LoraConfig(**config)


ERRORS = [  # (call, the start of the exact text unit 2's error table quotes)
    (lambda: phi3(target_modules=["q_proj", "v_proj"]),
     "NoMatchingPeftModuleError: Target modules {'q_proj', 'v_proj'} not found in the base model. "
     "Please check the target modules and try again."),
    (lambda: phi3(), "ValueError: Please specify `target_modules` or `target_parameters`in `peft_config`"),
    (lambda: lora_config(task_type="causal_lm"), "ValueError: Invalid task type: 'causal_lm'."),
    (lambda: wrap(target_modules=["q_proj"], bias="lora"),
     "NotImplementedError: Requested bias: lora, is not implemented."),
    (lambda: lora_config(target_modules="all-linear", layers_to_transform=[0]),
     "ValueError: `layers_to_transform` cannot be used when `target_modules` is a str."),
    (lambda: wrap(target_modules=["q_proj"], init_lora_weights="nonsense"),
     "ValueError: Unknown initialization init_lora_weights="),
]


@pytest.mark.parametrize("call,quoted", ERRORS, ids=[q.split(":")[0] for _, q in ERRORS])
def test_error_texts_quoted_in_unit_2(call, quoted):
    exc = raised(call)
    shown = f"{type(exc).__name__}: {exc}"
    if "{'" in shown:  # a set: the order inside the braces can vary, as the unit says
        shown = shown.replace("{'v_proj', 'q_proj'}", "{'q_proj', 'v_proj'}")
    assert shown.startswith(quoted)
    assert quoted in text("02") or quoted.split(": ", 1)[1] in text("02")


def test_loading_an_adapter_on_another_base_is_a_size_mismatch():
    from peft import LoraConfig, PeftModel, get_peft_model

    from studyapp.lab.registry import build_model

    folder = tempfile.mkdtemp()
    model = get_peft_model(tiny(), LoraConfig(target_modules=["q_proj"], task_type="CAUSAL_LM"))
    model.save_pretrained(folder)
    exc = raised(lambda: PeftModel.from_pretrained(build_model("small-llama"), folder))
    assert isinstance(exc, RuntimeError)
    quoted = "Error(s) in loading state_dict for PeftModelForCausalLM:"
    assert str(exc).startswith(quoted + "\n\tsize mismatch for")
    assert f"`RuntimeError: {quoted} size mismatch" in text("02")


def test_layer_index_without_layers_pattern_is_the_first_number():
    adapted = wrap(target_modules=["q_proj", "v_proj"], layers_to_transform=[1]).targeted_module_names
    assert adapted == ["model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"]
    assert "takes the first number in a module's name as its layer index" in text("02")


def test_dropout_is_an_identity_at_zero_and_task_type_picks_the_wrapper():
    q = wrap(target_modules=["q_proj"]).base_model.model.model.layers[0].self_attn.q_proj
    assert type(q.lora_dropout["default"]).__name__ == "Identity"
    assert type(wrap(target_modules=["q_proj"])).__name__ == "PeftModel"
    assert type(wrap(target_modules=["q_proj"], task_type="CAUSAL_LM")).__name__ == "PeftModelForCausalLM"
    assert "an identity at 0.0" in text("02") and "plain `PeftModel` if omitted" in text("02")


def test_alpha_and_rslora_change_no_count_and_gaussian_std_is_one_over_r():
    counts = {wrap(target_modules=["q_proj"], **kw).get_nb_trainable_parameters()[0]
              for kw in ({}, {"lora_alpha": 32}, {"use_rslora": True}, {"lora_dropout": 0.1})}
    assert len(counts) == 1
    a = wrap(r=8, target_modules=["q_proj"], init_lora_weights="gaussian")
    std = a.base_model.model.model.layers[0].self_attn.q_proj.lora_A["default"].weight.std().item()
    assert abs(std - 1 / 8) < 0.01
    assert "standard deviation $1/r$" in text("06")


def test_four_bit_parameters_are_counted_twice_per_byte():
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    folder = tempfile.mkdtemp()
    tiny().save_pretrained(folder)
    four_bit = BitsAndBytesConfig(load_in_4bit=True)
    q4 = AutoModelForCausalLM.from_pretrained(folder, quantization_config=four_bit)
    by_hand = sum(p.numel() for p in q4.parameters())
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(q4, LoraConfig(target_modules=["q_proj"]))
    _, total = model.get_nb_trainable_parameters()
    assert total > by_hand  # bitsandbytes packs two 4-bit values per byte
    bf16_like = get_peft_model(tiny(), LoraConfig(target_modules=["q_proj"]))
    assert total == sum(p.numel() for p in bf16_like.parameters())
    assert "get_nb_trainable_parameters()` corrects for it" in text("02")


# --- units 3 and 4: transformers 5.24 -------------------------------------------------------------

def test_trainer_and_training_arguments_names():
    from transformers import Trainer, TrainingArguments

    out = tempfile.mkdtemp()
    old = raised(lambda: TrainingArguments(output_dir=out, evaluation_strategy="epoch"))
    assert "evaluation_strategy" in str(old)
    assert "'tokenizer'" in str(raised(lambda: Trainer(model=tiny(), args=TrainingArguments(output_dir=out),
                                                        tokenizer=None)))
    assert TrainingArguments(output_dir=out, activation_checkpointing=True).activation_checkpointing
    with pytest.warns(FutureWarning, match="`gradient_checkpointing` is deprecated"):
        TrainingArguments(output_dir=out, gradient_checkpointing=True)
    mismatch = raised(lambda: TrainingArguments(output_dir=out, load_best_model_at_end=True,
                                                eval_strategy="epoch", save_strategy="no"))
    assert "requires the save and eval strategy to match" in str(mismatch)
    assert "`gradient_checkpointing=` still works as a deprecated alias (a `FutureWarning`)" in text("03")


@pytest.mark.skipif(torch.cuda.is_available() and torch.cuda.is_bf16_supported(),
                    reason="needs a machine without bf16")
def test_bf16_training_arguments_need_a_bf16_gpu():
    from transformers import TrainingArguments

    exc = raised(lambda: TrainingArguments(output_dir=tempfile.mkdtemp(), bf16=True))
    assert isinstance(exc, ValueError) and "doesn't support bf16/gpu" in str(exc)
    said = "raises a `ValueError` in `TrainingArguments` on a machine without a bf16-capable GPU"
    assert said in text("03")


def test_removed_loading_keywords_and_the_deprecated_dtype_keyword():
    from transformers import AutoModelForCausalLM

    folder = tempfile.mkdtemp()
    tiny().save_pretrained(folder)
    for keyword in ("load_in_4bit", "load_in_8bit"):
        exc = raised(lambda: AutoModelForCausalLM.from_pretrained(folder, **{keyword: True}))
        assert isinstance(exc, TypeError) and f"unexpected keyword argument '{keyword}'" in str(exc)
    from transformers.utils import logging

    logging.enable_propagation()
    assert AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.bfloat16).dtype == torch.bfloat16
    assert "`torch_dtype=` still works but is deprecated" in text("02")


def test_padding_without_a_pad_token_error_text():
    from transformers import PreTrainedTokenizerFast
    from tokenizers import Tokenizer, models

    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"a": 0, "<unk>": 1}, "<unk>")))
    exc = raised(lambda: tok(["a", "a a"], padding=True))
    quoted = ("ValueError: Asking to pad but the tokenizer does not have a padding token. Please select a "
              "token to use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new "
              "pad token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.")
    assert f"{type(exc).__name__}: {exc}" == quoted and quoted in text("03")


def test_bitsandbytes_config_defaults_and_paged_optimizers():
    from transformers import BitsAndBytesConfig
    from transformers.training_args import OptimizerNames

    c = BitsAndBytesConfig(load_in_4bit=True)
    assert (c.bnb_4bit_quant_type, c.bnb_4bit_use_double_quant, c.bnb_4bit_compute_dtype) == ("fp4", False,
                                                                                              torch.float32)
    assert {"paged_adamw_32bit", "paged_adamw_8bit"} <= {o.value for o in OptimizerNames}
    assert '| `bnb_4bit_quant_type` | `"fp4"` | `"nf4"` |' in text("04")


def test_nf4_table_and_double_quant_storage():
    import bitsandbytes.functional as bnb_f

    levels = bnb_f.get_4bit_type("nf4", device="cpu").tolist()
    assert levels == sorted(levels) and levels[0] == -1.0 and levels[-1] == 1.0 and 0.0 in levels
    w = torch.randn(64 * 256 * 2)
    packed, state = bnb_f.quantize_4bit(w, blocksize=64, quant_type="nf4", compress_statistics=True)
    assert packed.dtype == torch.uint8 and state.nested and state.absmax.dtype == torch.uint8
    assert state.state2.absmax.dtype == torch.float32 and state.state2.blocksize == 256


def test_peft_merge_warning_text_and_multi_adapter_defaults():
    import inspect

    from peft import PeftModel
    from peft.tuners.lora import LoraModel, bnb

    assert "Merge lora module to 4-bit linear may get different generations due to rounding errors." in \
        inspect.getsource(bnb)
    warning = "Merge lora module to 4-bit linear may get different generations due to rounding errors."
    assert f"`{warning}`" in text("05")
    assert inspect.signature(PeftModel.set_adapter).parameters["inference_mode"].default is False
    assert inspect.signature(LoraModel.add_weighted_adapter).parameters["combination_type"].default == "svd"
    assert 'The default `"svd"` compresses the sum' in text("05")


def test_adapters_other_than_default_are_saved_in_subfolders():
    from pathlib import Path

    from peft import LoraConfig

    model = wrap(target_modules=["q_proj"])
    model.add_adapter("second", LoraConfig(target_modules=["q_proj"]))
    folder = Path(tempfile.mkdtemp())
    model.save_pretrained(folder, selected_adapters=["default", "second"])
    assert (folder / "adapter_config.json").exists() and (folder / "second" / "adapter_config.json").exists()
    said = "writes each one to a subfolder named after it; only an adapter named `default` goes in the top"
    assert said in text("05")
