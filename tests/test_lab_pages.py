"""Every Lab page through AppTest: real peft, real bitsandbytes, real (short) fine-tunes as jobs."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from studyapp.core.store import DEFAULT_USER
from studyapp.core.units import GIB, gib
from studyapp.lab import device, heavy, jobs, memory
from studyapp.lab.settings import LoraSettings, TrainSettings

from apptest_helpers import open_page, texts

LLAMA_2_7B_LINE = "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def lab_env(app_env, monkeypatch):
    """A fresh database, and a fresh job runner and gate per test, so queues and results never leak."""
    monkeypatch.setattr(jobs, "_JOBS", jobs.LocalJobs(device.AdmissionGate(8 * GIB)))


def test_build_page_shows_peft_line_for_llama_2_7b():
    at = open_page("views/lab_build.py", timeout=120)
    assert not at.exception
    assert at.code[0].value == LLAMA_2_7B_LINE
    metrics = {m.label: m.value for m in at.metric}
    # 4,194,304 parameters x 4 bytes = 16,777,216 B = 16.00 MiB (binary units, core/units)
    assert metrics["scaling"] == "2" and metrics["Adapter size, fp32"] == "16.00 MiB"
    assert metrics["Adapter size, bf16"] == "8.00 MiB"
    summary = at.dataframe[0].value
    assert list(summary["layer"]) == ["q_proj", "v_proj"] and list(summary["count"]) == [32, 32]
    assert set(summary["LoRA params each"]) == {65_536}  # 8·(4096+4096)
    assert len(at.dataframe[1].value) == 64


def test_build_page_presets_from_the_url():
    at = open_page("views/lab_build.py", timeout=120, model="llama-3-8b", r="8", alpha="16",
                   targets="q_proj,v_proj")
    assert not at.exception and not at.warning
    assert at.code[0].value == ("trainable params: 3,407,872 || all params: 8,033,669,120 || "
                                "trainable%: 0.0424")


# Issue 8.4: hand-edited links. Each must give the friendly message, never Streamlit's error box.
BAD_LINKS = [
    ("views/lab_build.py", {"r": "0"}), ("views/lab_build.py", {"r": "-1"}),
    ("views/lab_build.py", {"r": "100000"}),
    ("views/lab_build.py", {"alpha": "-5"}), ("views/lab_build.py", {"alpha": "inf"}),
    ("views/lab_build.py", {"alpha": "nan"}), ("views/lab_build.py", {"dropout": "5"}),
    ("views/lab_build.py", {"r": "abc"}), ("views/lab_build.py", {"model": "gpt-5"}),
    ("views/lab_rank.py", {"r": "100000"}), ("views/lab_rank.py", {"r": "-1"}),
    ("views/lab_train.py", {"r": "0"}), ("views/lab_train.py", {"steps": "100000"}),
    ("views/lab_memory.py", {"model": "llama-9"}), ("views/lab_memory.py", {"seq_len": "-3"}),
]
GARBAGE = {"r": "1e9", "alpha": "NaN", "dropout": "-inf", "targets": "<img src=x onerror=alert(1)>",
           "bias": "?", "init": "[]", "rslora": "perhaps", "dora": "2", "model": "../etc", "steps": "0x10",
           "lr": "inf", "batch": "-1", "seq_len": "99999", "layer": "lm_head", "format": "fp8",
           "batch_size": "x",
           "ckpt": "maybe", "small": "llama-2-7b", "qlora": "?", "seed": "-5"}


def _link_id(page: str, query: dict) -> str:
    return page[6:-3] + "-" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.mark.parametrize("page, query", BAD_LINKS, ids=[_link_id(p, q) for p, q in BAD_LINKS])
def test_a_bad_preset_in_a_link_is_ignored_with_a_friendly_message(page, query):
    at = open_page(page, timeout=120, **query)
    assert not at.exception, at.exception
    (key, raw), = query.items()
    warnings = [_unescaped(w.value) for w in at.warning]
    assert any(w.startswith(f"Ignored the preset {key}={raw!r} from the link") for w in warnings), warnings
    assert not at.error


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)  # what the student reads


def test_a_preset_is_quoted_as_text_never_rendered_as_markdown():
    probe = "![x](http://127.0.0.1:9/pixel.png)"
    at = open_page("views/lab_build.py", timeout=120, model=probe, targets=probe)
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert len(shown) == 2 and all("![x](" not in w and "http://" not in w for w in shown)
    assert all(probe in _unescaped(w) for w in shown)


@pytest.mark.parametrize("page", ["views/lab_build.py", "views/lab_rank.py", "views/lab_memory.py",
                                  "views/lab_train.py"])
def test_garbage_in_every_parameter_breaks_no_page(page):
    at = open_page(page, timeout=120, **GARBAGE)
    assert not at.exception, at.exception
    assert at.warning and all("Ignored the preset" in w.value for w in at.warning)
    assert not at.error


def test_the_widgets_read_their_settings_range_and_help():
    at = open_page("views/lab_build.py", timeout=120)
    r, alpha = at.number_input(key="lab-r"), at.number_input(key="lab-alpha")
    spec = LoraSettings.spec
    rank = spec("r")
    assert (r.min, r.max, r.value, r.help) == (rank.low, rank.high, rank.default, rank.help)
    assert (alpha.max, alpha.value) == (spec("lora_alpha").high, spec("lora_alpha").default)
    at = open_page("views/lab_train.py", timeout=120)
    steps = at.slider(key="train-steps")
    assert (steps.min, steps.max, steps.value) == (1, TrainSettings.spec("steps").high, TrainSettings().steps)
    assert at.text_input(key="train-targets").value == "all-linear"  # the live demo's own default


def test_target_names_that_match_nothing_show_peft_error_and_real_names():
    at = open_page("views/lab_build.py", timeout=120, targets="query,value")
    assert not at.exception
    assert "Target modules" in at.error[0].value and "not found in the base model" in at.error[0].value
    assert "`q_proj`" in at.info[-1].value and "`down_proj`" in at.info[-1].value


def test_partly_matching_targets_warn_which_matched_nothing():
    at = open_page("views/lab_build.py", timeout=120, targets="q_proj,query")
    assert not at.exception
    assert "query" in at.warning[0].value
    assert "trainable params: 2,097,152" in at.code[0].value


def test_invalid_setting_says_how_to_fix():
    at = open_page("views/lab_build.py", timeout=120)
    at.text_input(key="lab-targets").input("").run()
    assert "target_modules is empty" in at.error[0].value


def test_forward_pass_equals_base_at_init_and_shows_the_text_both_write():
    at = open_page("views/lab_build.py", timeout=120)
    at.button(key="lab-forward").click().run(timeout=120)
    assert not at.exception
    page = texts(at)
    assert "equals the base model at initialisation" in page and "**0**" in page
    text = at.text[0].value
    assert "base:" in text and "wrapped:" in text
    base, wrapped = (line.split(":", 1)[1].strip() for line in text.splitlines()[-2:])
    assert base == wrapped and base


def test_first_load_cost_is_told_while_the_lab_is_not_warm(monkeypatch):
    monkeypatch.setattr(heavy, "status", lambda: heavy.HeavyStatus("cold", None))
    at = open_page("views/lab_build.py", timeout=120)
    assert any("loads torch, transformers, peft and bitsandbytes once" in i.value
               and f"about {heavy.COLD_IMPORT_SECONDS:.0f} s" in i.value for i in at.info)
    monkeypatch.setattr(heavy, "status", lambda: heavy.HeavyStatus("loading", 2.0))
    at = open_page("views/lab_build.py", timeout=120)
    assert any("is loading torch" in i.value and "2 s so far" in i.value for i in at.info)
    monkeypatch.setattr(heavy, "status", lambda: heavy.HeavyStatus("ready", 4.0))
    at = open_page("views/lab_build.py", timeout=120)
    assert not any("torch" in i.value for i in at.info)


def test_rank_page_shows_a_learned_update_first():
    at = open_page("views/lab_rank.py", timeout=120)
    assert not at.exception
    page = texts(at)
    assert "the adapter bundled with the Lab" in page and "**Numerical rank 8** (at most r = 8)" in page
    assert "The top singular direction alone keeps" in page
    charts = at.get("plotly_chart")
    assert len(charts) == 5  # B, A, scaling·B·A, singular values, energy kept


def test_rank_page_random_update_has_rank_r_with_colour_scales():
    import json

    at = open_page("views/lab_rank.py", timeout=120, r="3")
    assert not at.exception
    assert "numerical rank **3** (at most r = 3)" in texts(at)
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heatmaps = [f for f in figures if f["data"][0]["type"] == "heatmap"]
    assert len(heatmaps) == 4 and all(h["data"][0]["showscale"] for h in heatmaps)
    w0, delta = heatmaps[0]["data"][0], heatmaps[1]["data"][0]
    assert (w0["zmin"], w0["zmax"]) == (delta["zmin"], delta["zmax"])  # one colour range to compare them
    log_axes = [f["layout"]["yaxis"] for f in figures if f["layout"].get("yaxis", {}).get("type") == "log"]
    assert log_axes and all(a["dtick"] == 1 for a in log_axes)


def test_rank_page_shows_the_students_own_fine_tune_after_training():
    at = open_page("views/lab_train.py", timeout=120, steps="4")
    at.button(key="train-start").click().run(timeout=240)
    assert not at.exception
    at.switch_page("views/lab_rank.py").run(timeout=120)
    assert "From your last live fine-tune (LoRA, tiny-llama)." in texts(at)


def test_memory_page_in_gib_with_the_cuda_allowance_stated():
    at = open_page("views/lab_memory.py", timeout=120)
    assert not at.exception
    table = at.dataframe[0].value
    accounted = memory.weight_memory("llama-2-7b").to_dict()["bytes"]
    assert list(table["bytes"]) == list(accounted.values())
    assert list(table["weights"]) == ["25.10 GiB", "12.55 GiB", "6.53 GiB", "3.88 GiB", "3.60 GiB"]
    est = memory.training_estimate("llama-2-7b")
    spare = 40 * GIB - GIB - est.total  # an A100 40 GB holds 40 GiB; 1 GiB for the CUDA context
    page = texts(at)
    assert f"**A100 40 GB** (40.00 GiB): {gib(spare)} to spare" in page
    assert "plus 1.00 GiB for the CUDA context" in page
    assert at.metric[0].value == gib(est.total)


def test_quantize_and_measure_shows_progress_and_agrees_to_the_byte():
    at = open_page("views/lab_memory.py", timeout=120)
    at.button(key="mem-measure").click().run(timeout=240)
    assert not at.exception
    measured = at.dataframe[1].value
    assert list(measured["diff B"]) == [0, 0, 0, 0, 0]
    assert "differ by at most 0 bytes" in at.success[0].value


def test_live_fine_tune_trains_then_checks_with_a_verdict():
    at = open_page("views/lab_train.py", timeout=120, steps="20")
    at.button(key="train-start").click().run(timeout=240)
    assert not at.exception
    page = texts(at)
    assert "over 20 steps" in page and "After training" in page
    first, last = (float(x) for x in page.split("loss **")[1].split("**")[0].split(" → "))
    assert last < first * 0.8, "the loss falls visibly"
    verdict = next(m for m in at.metric if m.label == "LoRA merge")
    assert verdict.value == "pass" and "against a tolerance of" in page and ": **pass**" in page
    assert "before training:" in at.text[0].value and "after training:" in at.text[0].value


def test_live_qlora_beside_lora_on_one_chart():
    import json

    at = open_page("views/lab_train.py", timeout=120, steps="6")
    at.segmented_control(key="train-mode").set_value("Both, to compare").run()
    at.button(key="train-start").click().run(timeout=300)
    assert not at.exception
    runs = at.dataframe[0].value
    assert list(runs["run"]) == ["LoRA", "QLoRA"] and list(runs["merge"]) == ["pass", "pass"]
    final = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "train-final" in c.proto.id)
    assert [trace["name"] for trace in final["data"]] == ["LoRA", "QLoRA"]
    page = texts(at)
    assert "dequantize the 4-bit base (to fp32)" in page and "NF4 + double quant linears" in page


def test_stop_still_runs_the_checks_on_what_was_trained(monkeypatch):
    from studyapp.ui import lab_jobs

    real_follow = lab_jobs.follow

    def stop_early(name, draw=None):  # press Stop once the job has trained a couple of steps
        job_id = at.session_state[f"lab-job-{name}"]
        runner, end = jobs.get_jobs(), time.monotonic() + 240
        while len((runner.status(job_id, owner=DEFAULT_USER).partial or {}).get("LoRA", ())) < 2:
            assert time.monotonic() < end, "the fine-tune never got going"
            time.sleep(0.02)
        runner.cancel(job_id, owner=DEFAULT_USER)
        return real_follow(name, draw)

    at = open_page("views/lab_train.py", timeout=120, steps="300")
    monkeypatch.setattr(lab_jobs, "follow", stop_early)
    at.button(key="train-start").click().run(timeout=300)
    assert not at.exception
    page = texts(at)
    assert "(stopped)." in page and "After training" in page
    assert next(m for m in at.metric if m.label == "LoRA merge").value == "pass"
    assert any(m.label == "LoRA adapter on disk" for m in at.metric)


def test_a_job_over_the_budget_is_told_and_the_app_keeps_serving(monkeypatch):
    monkeypatch.setattr(jobs, "_JOBS", jobs.LocalJobs(device.AdmissionGate(budget_bytes=1000)))
    at = open_page("views/lab_train.py", timeout=120, steps="10")
    at.button(key="train-start").click().run(timeout=120)
    assert not at.exception
    assert "Lab budget is" in at.error[0].value and "Nothing else was affected" in at.error[0].value
    assert not open_page().exception  # the server goes on serving every page


def test_a_student_sees_their_place_but_never_another_students_job(monkeypatch):
    import threading

    release = threading.Event()
    runner = jobs.get_jobs()
    blocker = jobs.Task("Fine-tune of ann's secret adapter", lambda: 1, lambda context: release.wait(60))
    runner.submit(blocker, owner="ann")  # another student; the page's student is context.current_user()
    at = open_page("views/lab_build.py", timeout=120)

    from studyapp.ui import lab_jobs

    seen = []
    real_waiting = lab_jobs._waiting

    def record(current, draw):
        seen.append(current)
        if current.ahead:
            release.set()  # this student has seen their place; let ann's job finish
        real_waiting(current, draw)

    monkeypatch.setattr(lab_jobs, "_waiting", record)
    at.button(key="lab-forward").click().run(timeout=120)
    assert not at.exception
    assert any(s.ahead == 1 for s in seen)
    shown = " ".join(repr(s) for s in seen) + texts(at)
    assert "ann" not in shown and "secret" not in shown
    assert "equals the base model at initialisation" in texts(at)
