import threading

import pytest
import torch

from studyapp.lab.device import AdmissionGate
from studyapp.lab.train import FineTune, TrainSettings, fine_tune_bytes, load_support_texts


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
    assert report.merge.merged_type == "LlamaForCausalLM"
    assert report.merge.max_abs_diff < 1e-4
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
