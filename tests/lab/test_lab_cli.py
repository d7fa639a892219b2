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


def test_memory_text(capsys):
    code, out, _ = run(["lab", "memory", "--model", "tiny-llama"], capsys)
    assert code == 0 and "NF4 + double quant" in out and "fits:" in out


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
    assert len(parsers) == 4
    for p in parsers:
        assert p.format_help()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions)
            else:
                assert action.help, f"{p.prog} {action.dest} has no help"
