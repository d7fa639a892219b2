"""Every Lab page through AppTest: real peft, real bitsandbytes, a real (short) fine-tune."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.lab import device, memory

from apptest_helpers import open_page, texts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "lab.sqlite3"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(ROOT / "content"))


def test_build_page_shows_peft_line_for_llama_2_7b():
    at = open_page("views/lab_build.py", timeout=120)
    assert not at.exception
    assert at.code[0].value == "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["scaling"] == "2" and metrics["Adapter size, fp32"] == "16.78 MB"
    assert metrics["Adapter size, bf16"] == "8.39 MB"
    table = at.dataframe[0].value
    assert len(table) == 64 and set(table["LoRA params"]) == {65_536}  # 32 layers x (q, v), 8·(4096+4096)


def test_build_page_presets_from_the_url():
    at = open_page("views/lab_build.py", timeout=120, model="llama-3-8b", r="8", alpha="16", targets="q_proj,v_proj")
    assert not at.exception
    assert at.code[0].value == "trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424"


def test_target_names_that_match_nothing_show_peft_error_and_real_names():
    at = open_page("views/lab_build.py", timeout=120, targets="query,value")
    assert not at.exception
    assert "Target modules" in at.error[0].value and "not found in the base model" in at.error[0].value
    assert "`q_proj`" in at.info[0].value and "`down_proj`" in at.info[0].value


def test_partly_matching_targets_warn_which_matched_nothing():
    at = open_page("views/lab_build.py", timeout=120, targets="q_proj,query")
    assert not at.exception
    assert "query" in at.warning[0].value
    assert "trainable params: 2,097,152" in at.code[0].value


def test_invalid_setting_says_how_to_fix():
    at = open_page("views/lab_build.py", timeout=120)
    at.text_input(key="lab-targets").input("").run()
    assert "target_modules is empty" in at.error[0].value


def test_forward_pass_equals_base_at_init():
    at = open_page("views/lab_build.py", timeout=120)
    at.button(key="lab-forward").click().run()
    assert not at.exception
    page = texts(at)
    assert "equals the base model at initialisation" in page and "**0**" in page


def test_rank_page_update_has_rank_r():
    at = open_page("views/lab_rank.py", timeout=120, r="3")
    assert not at.exception
    assert "numerical rank **3** (at most r = 3)" in texts(at)
    assert len(at.get("plotly_chart")) == 4


def test_memory_page_table_estimate_and_measurement():
    at = open_page("views/lab_memory.py", timeout=120)
    assert not at.exception
    table = at.dataframe[0].value
    # the ERRATA's figures for Llama-2-7b (decimal GB), and the exact bytes of the accounting
    assert list(table["total"]) == ["26.95 GB", "13.48 GB", "7.01 GB", "4.17 GB", "3.87 GB"]
    assert list(table["bytes"]) == list(memory.weight_memory("llama-2-7b").to_dict()["bytes"].values())
    assert "T4 16 GB" in texts(at)
    at.button(key="mem-measure").click().run(timeout=180)
    assert not at.exception
    measured = at.dataframe[1].value
    assert list(measured["difference"]) == [0, 0, 0, 0, 0]
    assert "differ by at most 0 bytes" in at.success[0].value


def test_live_fine_tune_trains_then_checks():
    at = open_page("views/lab_train.py", timeout=120, steps="20")
    at.button(key="train-start").click().run(timeout=180)
    assert not at.exception
    page = texts(at)
    assert "over 20 steps" in page and "After training" in page
    first, last = (float(x) for x in page.split("Loss **")[1].split("**")[0].split(" → "))
    assert last < first * 0.8, "the loss falls visibly"
    merge = next(m for m in at.metric if m.label.startswith("merge_and_unload"))
    assert float(merge.value) < 1e-3


def test_out_of_memory_budget_is_told_and_the_app_keeps_serving(monkeypatch):
    monkeypatch.setattr(device, "_GATE", device.AdmissionGate(budget_bytes=1000))
    at = open_page("views/lab_train.py", timeout=120, steps="10")
    at.button(key="train-start").click().run(timeout=120)
    assert not at.exception
    assert "could not run" in at.error[0].value and "budget" in at.error[0].value
    assert not open_page().exception  # the server goes on serving every page
