import threading

import pytest
import torch

from studyapp.lab.device import AdmissionGate
from studyapp.lab.settings import LoraSettings
from studyapp.lab.train import (MERGE_TOLERANCE, FineTune, TrainSettings, compare, fine_tune_bytes,
                                load_support_texts, run_fine_tune)


@pytest.fixture(scope="module")
def trained():
    run = FineTune(TrainSettings(model="tiny-llama", steps=40, seed=0, device="cpu"))
    history = list(run.steps())
    return run, history


def test_bundled_data():
    texts = load_support_texts()
    assert 40 <= len(texts) <= 80
    assert all(t.startswith("Customer: ") and "\nAgent: " in t for t in texts)


def test_loss_falls(trained):
    _, history = trained
    assert [s.step for s in history] == list(range(1, 41))
    first, last = history[0].loss, sum(s.loss for s in history[-5:]) / 5
    assert first > 7.0 and last < first - 2.0


def test_stop_event_stops_training():
    stop = threading.Event()
    run = FineTune(TrainSettings(steps=50, device="cpu"))
    seen = []
    for step in run.steps(stop):
        seen.append(step.step)
        if step.step == 3:
            stop.set()
    assert seen == [1, 2, 3] and len(run.history) == 3


def test_merge_save_reload_and_alpha(trained, tmp_path):
    run, _ = trained
    report = run.after_training(tmp_path)
    assert report.merge.merged_type == "LlamaForCausalLM" and report.merge.route == "merge_and_unload"
    assert report.merge.max_abs_diff < 1e-4 and report.merge.passed and report.merge.dtype == "float32"
    assert report.merge.tolerance == MERGE_TOLERANCE["float32"] * report.merge.max_abs_logit
    assert report.reload_max_abs_diff == 0.0
    assert set(report.saved.adapter_files) >= {"adapter_model.safetensors", "adapter_config.json"}
    trainable = run.wrap.trainable_params
    assert 4 * trainable < report.saved.adapter_bytes < 4 * trainable + 20_000  # fp32 + header
    assert report.saved.full_bytes > 10 * report.saved.adapter_bytes
    alpha = report.alpha
    assert alpha.scaling_after == 2 * alpha.scaling_before == 4.0
    assert alpha.max_abs_diff > 0.1 and alpha.loss_scaled > alpha.loss_trained
    # the experiment puts scaling back
    layer = run.model.base_model.model.model.layers[0].self_attn.q_proj
    assert layer.scaling["default"] == 2.0


def test_fine_tune_through_the_gate():
    settings = TrainSettings(steps=5, device="cpu")
    estimate = fine_tune_bytes(settings)
    assert 2_624_000 < estimate < 100 * 2**20  # more than the fp32 weights, far below a GPU
    gate = AdmissionGate(budget_bytes=2**30)
    losses = gate.run(lambda: [s.loss for s in FineTune(settings).steps()], estimate, "fine-tune")
    assert len(losses) == 5


def test_runs_are_reproducible():
    a = [s.loss for s in FineTune(TrainSettings(steps=3, device="cpu")).steps()]
    b = [s.loss for s in FineTune(TrainSettings(steps=3, device="cpu")).steps()]
    assert a == b


def test_train_settings_validation():
    with pytest.raises(ValueError, match="only the small models train here"):
        FineTune(TrainSettings(model="llama-2-7b"))
    assert TrainSettings(steps=0, learning_rate=2.0).validate()[0].endswith("try 60.")


@pytest.mark.gpu
def test_fine_tune_on_cuda(tmp_path):
    run = FineTune(TrainSettings(steps=20, device="cuda"))
    history = list(run.steps())
    assert history[-1].loss < history[0].loss
    assert run.after_training(tmp_path).merge.max_abs_diff < 1e-3
    assert torch.cuda.memory_allocated() > 0


@pytest.fixture(scope="module")
def qlora():
    return run_fine_tune(TrainSettings(model="tiny-llama", steps=12, seed=0, device="cpu", qlora=True))


def test_qlora_trains_on_an_nf4_base_prepared_for_kbit_training(qlora):
    assert qlora.kind == "QLoRA" and len(qlora.history) == 12 and not qlora.stopped
    assert qlora.history[-1].loss < qlora.history[0].loss - 1.0
    memory = qlora.base_memory
    assert memory.fmt == "nf4_double_quant" and memory.accounted == memory.measured
    fp32_base = 4 * 656_000
    assert memory.measured < fp32_base / 2  # the linears are 4-bit; embeddings, norms, lm_head fp32


def test_qlora_merges_through_a_dequantized_base_and_passes_its_tolerance(qlora):
    merge = qlora.checks.merge
    assert merge.route.startswith("dequantize the 4-bit base") and merge.dtype == "float32"
    assert merge.passed and 0 < merge.max_abs_diff <= merge.tolerance
    assert merge.tolerance == MERGE_TOLERANCE["float32"] * merge.max_abs_logit
    assert merge.tolerance < qlora.checks.alpha.trained_vs_base  # a wrong merge would miss by this much
    # against the 4-bit model as trained, whose layers computed in bf16: close, not equal
    assert merge.max_abs_diff < merge.vs_trained < 0.1 * qlora.checks.alpha.trained_vs_base
    assert qlora.checks.reload_max_abs_diff == 0.0  # the same NF4 base, prepared the same way


def test_a_wrong_merge_fails_the_verdict(trained):
    import copy

    run, _ = trained
    merged = copy.deepcopy(run.model).merge_and_unload()
    assert run.verdict(merged, run.logits(), run.logits(), "merge_and_unload").passed
    for module in merged.modules():  # every weight 1 % off: far smaller than any real merge mistake
        if hasattr(module, "weight") and module.weight is not None and module.weight.dim() == 2:
            module.weight.data.mul_(1.01)
    assert not run.verdict(merged, run.logits(), run.logits(), "merge_and_unload").passed


def test_report_has_timings_memory_sample_and_learned_layers(qlora):
    assert qlora.steps_per_second > 0 and qlora.build_seconds > 0
    assert qlora.peak.how and (qlora.peak.bytes is None or qlora.peak.bytes >= 0)
    assert qlora.sample.prompt.startswith("Customer:") and qlora.sample.trained != qlora.sample.base
    names = [layer.name for layer in qlora.learned]
    assert len(names) == 14 and names[0] == "model.layers.0.self_attn.q_proj"  # 2 layers x 7 linears
    layer = qlora.learned[0]
    assert layer.A.shape == (8, 128) and layer.B.shape == (128, 8) and len(layer.w0_singular_values) == 128
    data = qlora.to_dict()
    assert data["history"][0][0] == 1 and "learned" not in data
    assert data["lora"]["target_modules"] == "all-linear"


def test_compare_runs_lora_then_qlora_with_the_same_settings():
    seen = []
    reports = compare(TrainSettings(steps=3, device="cpu"), LoraSettings(r=4, target_modules="q_proj"),
                      on_step=lambda kind, step: seen.append((kind, step.step)))
    assert [r.kind for r in reports] == ["LoRA", "QLoRA"]
    assert seen == [("LoRA", 1), ("LoRA", 2), ("LoRA", 3), ("QLoRA", 1), ("QLoRA", 2), ("QLoRA", 3)]
    assert reports[1].base_memory.measured < reports[0].base_memory.measured
    assert reports[0].trainable_params == reports[1].trainable_params


def test_a_stop_before_the_first_step_still_reports_and_checks():
    stop = threading.Event()
    stop.set()
    report = run_fine_tune(TrainSettings(steps=10, device="cpu"), stop=stop)
    assert report.stopped and report.history == () and report.steps_per_second == 0.0
    assert report.checks.merge.passed and report.checks.merge.max_abs_diff == 0.0  # B = 0: nothing to merge


@pytest.mark.gpu
def test_qlora_on_cuda_reports_cuda_peak():
    report = run_fine_tune(TrainSettings(steps=10, device="cuda", qlora=True))
    assert report.peak.how.startswith("torch.cuda.max_memory_allocated") and report.peak.bytes > 0
    assert report.checks.merge.passed
