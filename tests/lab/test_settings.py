"""Every setting stated once (lab/settings): its range checks URL presets and the CLI alike."""

from __future__ import annotations

import argparse
import math

import pytest

from studyapp.lab.cli import add_lab_parser
from studyapp.lab.settings import (EstimateSettings, LoraSettings, QuantizeSettings, RankSettings, Setting,
                                   SettingError, TrainSettings, from_presets)

ALL = (LoraSettings, TrainSettings, RankSettings, EstimateSettings, QuantizeSettings)

# The hand-edited links of issue 8.4, and garbage in every parameter: each preset is ignored
# with a sentence saying why, and the page keeps its default.
BAD_LORA_PRESETS = [
    ("r", "0"), ("r", "-1"), ("r", "100000"), ("r", "abc"), ("r", "8.5"), ("r", ""),
    ("alpha", "-5"), ("alpha", "inf"), ("alpha", "-inf"), ("alpha", "nan"), ("alpha", "0"),
    ("alpha", "1e400"),
    ("dropout", "5"), ("dropout", "-0.1"), ("dropout", "nan"), ("targets", "<script>alert(1)</script>"),
    ("targets", ""), ("targets", ",,,"), ("bias", "some"), ("init", "zeros"), ("rslora", "maybe"),
    ("dora", "2"),
]
BAD_TRAIN_PRESETS = [("r", "0"), ("steps", "100000"), ("steps", "0"), ("steps", "1e3"), ("lr", "0"),
                     ("lr", "nan"), ("lr", "5"), ("batch", "0"), ("seq_len", "4"), ("model", "llama-2-7b"),
                     ("model", "../../etc/passwd"), ("qlora", "yes please"), ("seed", "-1")]
BAD_RANK_PRESETS = [("r", "100000"), ("r", "-1"), ("alpha", "nan"), ("layer", "lm_head"),
                    ("layer", "model.layers.99.self_attn.q_proj"), ("model", "gpt-5")]


@pytest.mark.parametrize("key, raw", BAD_LORA_PRESETS)
def test_a_bad_lora_preset_is_ignored_with_a_reason(key, raw):
    settings, ignored = from_presets(LoraSettings(), {key: raw})
    assert settings == LoraSettings()
    assert len(ignored) == 1 and ignored[0].startswith(f"Ignored the preset {key}")
    assert "from the link" in ignored[0]


@pytest.mark.parametrize("key, raw", BAD_TRAIN_PRESETS)
def test_a_bad_training_preset_is_ignored(key, raw):
    defaults = (LoraSettings(), TrainSettings())
    lora, ignored_lora = from_presets(defaults[0], {key: raw})
    train, ignored_train = from_presets(defaults[1], {key: raw})
    assert (lora, train) == defaults and len(ignored_lora + ignored_train) == 1


@pytest.mark.parametrize("key, raw", BAD_RANK_PRESETS)
def test_a_bad_rank_preset_is_ignored(key, raw):
    settings, ignored = from_presets(RankSettings(), {key: raw})
    assert settings == RankSettings() and len(ignored) == 1


def test_good_presets_are_applied_and_unknown_keys_left_alone():
    settings, ignored = from_presets(LoraSettings(), {"r": "16", "alpha": "32", "targets": "q_proj,k_proj",
                                                      "dora": "true", "utm_source": "mail"})
    assert ignored == []
    assert settings == LoraSettings(r=16, lora_alpha=32, target_modules=["q_proj", "k_proj"], use_dora=True)
    rank, ignored = from_presets(RankSettings(), {"layer": "model.layers.3.mlp.down_proj", "r": "64"})
    assert ignored == [] and (rank.layer, rank.r) == ("model.layers.3.mlp.down_proj", 64)


def test_one_bad_preset_does_not_cost_the_good_ones():
    settings, ignored = from_presets(LoraSettings(), {"r": "0", "alpha": "32"})
    assert settings == LoraSettings(lora_alpha=32) and len(ignored) == 1


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_validators_reject_nan_and_infinities(value):
    problems = LoraSettings(lora_alpha=value, lora_dropout=value).validate()
    assert len(problems) == 2 and all("finite" in p for p in problems)
    assert TrainSettings(learning_rate=value).validate()
    assert RankSettings(lora_alpha=value).validate()


def test_settings_are_frozen_hashable_cache_keys():
    a = LoraSettings(r=4, target_modules=["q_proj", "v_proj"])
    b = LoraSettings(r=4, target_modules=" q_proj,v_proj ")
    assert a == b and hash(a) == hash(b) and len({a, b, LoraSettings()}) == 2
    with pytest.raises(AttributeError):
        a.r = 5  # type: ignore[misc]
    assert a.replace(r=5).r == 5 and a.r == 4


def test_lora_settings_keyword_arguments_keep_working():
    s = LoraSettings(r=16, lora_alpha=32, target_modules="all-linear", use_dora=True, use_rslora=False,
                     lora_dropout=0.05, bias="none", init_lora_weights="gaussian")
    assert s.check() is s and s.target_list() == "all-linear" and s.lora_alpha == 32.0
    assert LoraSettings(lora_alpha=16).to_dict()["scaling"] == 2.0


def test_every_setting_has_help_and_a_default_that_fits_it():
    for cls in ALL:
        assert cls().validate() == [], cls
        for spec in cls.specs():
            assert spec.help.strip() and spec.problems(spec.default) == [], (cls, spec.name)


def test_parse_reads_text_the_way_links_and_flags_spell_it():
    flag = Setting("x", bool, False, "a flag")
    texts = ("1", "true", "Yes", "on", "0", "false", "NO", "off")
    assert [flag.parse(t) for t in texts] == [True] * 4 + [False] * 4
    with pytest.raises(SettingError, match="x='maybe': must be true or false"):
        flag.parse("maybe")
    assert LoraSettings.spec("r").parse(" 16 ") == 16


def _parser_actions(command: str) -> dict[str, argparse.Action]:
    root = argparse.ArgumentParser(prog="studyapp")
    lab = add_lab_parser(root.add_subparsers(dest="command"))
    sub = next(a for a in lab._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    return {a.dest: a for a in sub._actions}


@pytest.mark.parametrize("command, cls", [("params", LoraSettings), ("train", TrainSettings),
                                          ("rank", RankSettings), ("memory", EstimateSettings),
                                          ("quantize", QuantizeSettings)])
def test_cli_flags_are_the_settings_own(command, cls):
    actions = _parser_actions(command)
    for spec in cls.specs():
        action = actions[spec.name]
        assert spec.cli_flag in action.option_strings and spec.help in action.help, spec.name


def test_the_page_and_the_cli_share_the_live_fine_tune_defaults():
    from studyapp.lab.train import default_train_lora

    actions = _parser_actions("train")
    assert "(default: all-linear)" in actions["target_modules"].help
    assert default_train_lora().target_modules == "all-linear"


def _presets_read(view: str) -> set[str]:
    """The settings classes a Lab view passes to lab_controls.presets(...), from its source."""
    import ast

    from studyapp.config import PACKAGE_ROOT

    tree = ast.parse((PACKAGE_ROOT / view).read_text())
    found = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if getattr(call.func, "attr", None) == "presets" and call.args and isinstance(call.args[0], ast.Call):
            inner = call.args[0].func
            name = getattr(inner, "id", None) or getattr(inner, "attr", None)
            found.add({"default_train_lora": "LoraSettings"}.get(name, name))  # a factory of LoraSettings
    return found


def test_each_lab_page_reads_the_presets_its_panel_declares():
    from studyapp.lab.panels import PANELS, url_parameters

    for panel in PANELS:
        assert _presets_read(panel.view) == set(panel.presets), panel.view
    build = url_parameters("views/lab_build.py")
    assert build["r"] == "number" and build["alpha"] == "number" and build["dora"] == "bool"
    assert {"model", "targets", "dropout"} <= set(build)
    assert url_parameters("views/lab_train.py")["steps"] == "number"
