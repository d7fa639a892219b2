"""The learned update (lab/learned) and the bundled adapter the rank panel shows first."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studyapp.lab import learned
from studyapp.lab.cli import add_lab_parser, settings_from_args
from studyapp.lab.settings import LoraSettings, TrainSettings


@pytest.fixture(scope="module")
def bundled():
    return learned.load_adapter()


def test_bundled_adapter_is_tiny_and_says_how_it_was_made():
    folder = learned.bundled_folder()
    assert (folder / "adapter_model.safetensors").stat().st_size < 200_000
    made = learned.made_with()
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["r"] == made["lora"]["r"] == 8 and config["lora_alpha"] == 16
    # the command in learned.BUNDLED_COMMAND parses to exactly the settings it was made with
    import argparse

    root = argparse.ArgumentParser(prog="studyapp")
    add_lab_parser(root.add_subparsers(dest="command"))
    args = root.parse_args(learned.BUNDLED_COMMAND.split()[1:])
    from studyapp.lab.train import default_train_lora

    assert settings_from_args(TrainSettings, args) == TrainSettings.from_dict(made["train"])
    assert settings_from_args(LoraSettings, args, defaults=default_train_lora()) == LoraSettings.from_dict(
        made["lora"])
    assert made["steps_trained"] == 200


def test_bundled_update_is_learned_low_rank_and_uneven(bundled):
    assert len(bundled) == 14
    for layer in bundled:
        values = layer.singular_values()
        assert layer.delta.shape == (layer.B.shape[0], layer.A.shape[1])
        assert np.count_nonzero(values > 1e-5 * values[0]) == layer.r == 8  # rank exactly r
        shares = [share for _, share in layer.energy_kept()]
        assert shares[-1] == pytest.approx(1.0) and shares[0] > 1.5 / 8  # not spread evenly
        assert len(layer.w0_singular_values) == min(layer.delta.shape)  # W0 is (nearly) full rank


def test_bundled_adapter_lowers_the_loss_on_the_support_data(bundled):
    import torch

    from studyapp.lab.train import FineTune

    run = FineTune(TrainSettings(steps=1, device="cpu"))
    before = run._loss(run.logits())
    with torch.no_grad():
        for layer in bundled:
            module = run.model.get_submodule("base_model.model." + layer.name)
            module.lora_A["default"].weight.copy_(torch.from_numpy(layer.A))
            module.lora_B["default"].weight.copy_(torch.from_numpy(layer.B))
    assert run._loss(run.logits()) < before - 2.0


def test_energy_kept_of_a_known_spectrum():
    A = np.diag([3.0, 2.0, 1.0]).astype("float32")  # (r, k) with r = k = 3
    layer = learned.LearnedLayer("x", A, np.eye(3, dtype="float32"), 1.0, np.ones(3))
    assert [round(s, 6) for _, s in layer.energy_kept()] == [round(9 / 14, 6), round(13 / 14, 6), 1.0]
