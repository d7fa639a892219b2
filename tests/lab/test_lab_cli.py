import argparse
import json

import pytest

from studyapp.lab.cli import add_lab_parser, run_lab
from studyapp.lab.registry import model_names


def parser():
    root = argparse.ArgumentParser(prog="studyapp")
    add_lab_parser(root.add_subparsers(dest="command", required=True))
    return root


def run(argv, capsys):
    code = run_lab(parser().parse_args(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_models_json(capsys):
    code, out, _ = run(["lab", "models", "--json"], capsys)
    assert code == 0
    assert [m["name"] for m in json.loads(out)["models"]] == model_names()


def test_params_json(capsys):
    code, out, _ = run(["lab", "params", "--model", "llama-2-7b", "--r", "8", "--alpha", "16",
                        "--targets", "q_proj,v_proj", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["trainable_params"], data["total_params"]) == (4_194_304, 6_742_609_920)
    assert data["trainable_percent"] == pytest.approx(0.0622, abs=1e-4)
    assert data["line"] == ("trainable params: 4,194,304 || all params: 6,742,609,920 || "
                            "trainable%: 0.0622")
    assert data["scaling"] == 2.0 and len(data["modules"]) == 64


def test_params_flags_reach_peft(capsys):
    code, out, _ = run(["lab", "params", "--model", "llama-3-8b", "--r", "16", "--alpha", "16",
                        "--use-rslora", "--use-dora", "--dropout", "0.05", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["scaling"] == 4.0  # 16 / sqrt(16)
    assert data["settings"]["use_dora"] and data["settings"]["lora_dropout"] == 0.05
    assert data["trainable_params"] == 2 * 3_407_872 + 32 * (4096 + 1024)  # r 16 + DoRA magnitudes


def test_params_text(capsys):
    code, out, _ = run(["lab", "params", "--model", "tiny-llama"], capsys)
    assert code == 0 and out.startswith("trainable params: 7,168 || all params: 663,168")


def test_params_no_match_is_a_clear_error(capsys):
    code, out, _ = run(["lab", "params", "--model", "phi-3-mini", "--json"], capsys)
    data = json.loads(out)
    assert code == 2 and "not found in the base model" in data["error"]
    assert "qkv_proj" in data["available"]
    code, _, err = run(["lab", "params", "--model", "gpt-5"], capsys)
    assert code == 2 and "pick one of" in err


def test_memory_json(capsys):
    code, out, _ = run(["lab", "memory", "--model", "llama-3-8b", "--seq-len", "256",
                        "--batch", "2", "--r", "8", "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert set(data["bytes"]) == {"fp32", "bf16", "int8", "nf4", "nf4_double_quant"}
    assert round(data["bytes"]["nf4_double_quant"] / 1e9, 2) == 5.70
    training = data["training"]
    assert training["lora_params"] == 3_407_872 and (training["seq_len"], training["batch"]) == (256, 2)
    parts = ["weights", "lora_weights", "gradients", "optimizer", "activations"]
    assert training["total"] == sum(training[p] for p in parts)
    assert {g["gpu"] for g in training["gpus"]} >= {"T4 16 GB", "H100 80 GB"}


def test_memory_text_is_in_binary_units_and_states_the_cuda_allowance(capsys):
    code, out, _ = run(["lab", "memory", "--model", "llama-2-7b", "--gradient-checkpointing"], capsys)
    assert code == 0 and "NF4 + double quant" in out
    assert "13,476,831,232 bytes" in out and "12.55 GiB" in out  # bf16 weights of Llama-2-7b
    assert "fits (with 1.00 GiB for the CUDA context): T4 16 GB yes" in out
    for card in ("16 GB", "24 GB", "40 GB", "80 GB"):  # the cards' names keep the vendors' "GB"
        out = out.replace(card, "")
    assert " GB " not in out


def test_bad_values_are_refused_with_the_settings_own_message(capsys):
    for argv, expected in [(["--r", "0"], "r=0: must be >= 1 and <= 1024; try 8 or 16."),
                           (["--alpha", "nan"], "lora_alpha=nan: must be a finite number"),
                           (["--alpha", "-5"], "lora_alpha=-5.0: must be > 0"),
                           (["--dropout", "5"], "lora_dropout=5.0: must be >= 0 and <= 0.99"),
                           (["--targets", "<script>"], "'<script>' is not a module name")]:
        code, out, _ = run(["lab", "params", "--model", "tiny-llama", *argv, "--json"], capsys)
        assert code == 2 and expected in json.loads(out)["error"], (argv, out)
    code, _, err = run(["lab", "train", "--steps", "100000"], capsys)
    assert code == 2 and "steps=100000: must be >= 1 and <= 500" in err


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_gpu_that_is_not_there_is_a_clear_error(capsys):
    code, out, _ = run(["lab", "quantize", "--model", "tiny-llama", "--device", "cuda", "--json"], capsys)
    assert code == 2 and "no CUDA device" in json.loads(out)["error"]


def test_rank_json_random_update_has_rank_r(capsys):
    code, out, _ = run(["lab", "rank", "--model", "small-llama", "--layer", "model.layers.1.mlp.down_proj",
                        "--r", "5", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and (data["d"], data["k"], data["r"]) == (256, 768, 5)
    assert data["numerical_rank"] == 5 and len(data["w0_singular_values"]) == 256
    assert data["scaling"] == 8 / 5 and data["energy_kept"] == []
    assert [r for r, _ in data["w0_error_curve"]] == [1, 2, 4, 8, 16, 32, 64, 128, 256]


def test_rank_json_learned_update_from_the_bundled_adapter(capsys):
    code, out, _ = run(["lab", "rank", "--learned", "--layer", "model.layers.0.self_attn.v_proj", "--json"],
                       capsys)
    data = json.loads(out)
    assert code == 0 and data["model"] == "tiny-llama" and (data["d"], data["k"], data["r"]) == (64, 128, 8)
    shares = [share for _, share in data["energy_kept"]]
    assert shares == sorted(shares) and shares[-1] == pytest.approx(1.0)
    assert shares[0] > 1 / 8  # a learned update is not spread evenly over its r directions
    code, out, _ = run(["lab", "rank", "--learned", "--layer", "lm_head", "--json"], capsys)
    assert code == 2 and "layer='lm_head'" in json.loads(out)["error"]


@pytest.mark.parametrize("double_quant, fmt", [(False, "nf4"), (True, "nf4_double_quant")])
def test_quantize_json_measured_equals_accounted(capsys, double_quant, fmt):
    argv = ["lab", "quantize", "--model", "tiny-llama", "--device", "cpu", "--json"]
    code, out, _ = run(argv + (["--double-quant"] if double_quant else []), capsys)
    data = json.loads(out)
    assert code == 0 and data["format"] == fmt and data["difference"] == 0
    assert data["measured"]["total"] == data["accounted"]["total"] > 0
    assert data["measured"]["device"] == "cpu" and data["measured"]["cuda_allocated"] is None


def test_train_json_reports_history_timings_merge_and_adapter(capsys):
    code, out, _ = run(["lab", "train", "--model", "tiny-llama", "--steps", "6", "--qlora", "--device", "cpu",
                        "--json"], capsys)
    run_ = json.loads(out)["runs"][0]
    assert code == 0 and run_["kind"] == "QLoRA" and [h[0] for h in run_["history"]] == list(range(1, 7))
    assert run_["steps_per_second"] > 0 and run_["build_seconds"] > 0
    merge = run_["checks"]["merge"]
    assert merge["passed"] and merge["dtype"] == "float32" and merge["route"].startswith("dequantize")
    adapter_bytes = run_["checks"]["saved"]["adapter_files"]["adapter_model.safetensors"]
    assert adapter_bytes > 4 * run_["trainable_params"]
    assert run_["base_memory"]["accounted"] == run_["base_memory"]["measured"]
    assert run_["checks"]["reload_max_abs_diff"] == 0.0


def _all_parsers(p):
    yield p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_every_command_and_argument_has_help():
    root = argparse.ArgumentParser(prog="studyapp")
    subs = root.add_subparsers(dest="command")
    lab = add_lab_parser(subs)
    helps = {a.dest: a.help for a in subs._choices_actions}
    assert helps["lab"]
    parsers = list(_all_parsers(lab))
    assert len(parsers) == 7  # lab and its six commands
    for p in parsers:
        assert p.format_help()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions)
            else:
                assert action.help, f"{p.prog} {action.dest} has no help"
