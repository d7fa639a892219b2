import pytest

from studyapp.lab.memory import (FORMATS, activation_bytes, fit_gpus, linear_weight_bytes,
                                 nf4_bytes, training_estimate, weight_memory)
from studyapp.lab.quantize import measure_quantized, measure_tensor_bytes, quantize_linear
from studyapp.lab.registry import load_config


@pytest.mark.parametrize("name", ["tiny-llama", "small-llama"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_accounting_equals_real_bitsandbytes_bytes(name, fmt):
    accounted = weight_memory(name).formats[fmt]
    measured = measure_quantized(name, fmt, device="cpu")
    assert (measured.quantized_codes, measured.quant_stats, measured.kept) == (
        accounted.quantized_codes, accounted.quant_stats, accounted.kept)
    assert measured.total == accounted.total


@pytest.mark.parametrize("fmt", ["int8", "nf4", "nf4_double_quant"])
@pytest.mark.parametrize("shape", [(4096, 4096), (100, 72)], ids=["4096x4096", "odd-100x72"])
def test_full_size_layer_bytes(fmt, shape):
    layer = quantize_linear(fmt, *shape)
    measured = measure_tensor_bytes(layer, fmt)
    expected = linear_weight_bytes(fmt, *shape)
    assert (measured.quantized_codes, measured.quant_stats) == (expected["codes"], expected["stats"])


def test_bits_per_parameter_match_the_qlora_paper():
    n = 4096 * 14336
    plain, double = nf4_bytes(n, double_quant=False), nf4_bytes(n, double_quant=True)
    assert 8 * sum(plain.values()) / n == pytest.approx(4.5, abs=1e-4)
    assert 8 * sum(double.values()) / n == pytest.approx(4.127, abs=1e-3)


# Decimal GB from ERRATA.md (weights only; embeddings and lm_head stay 16-bit).
ERRATA_GB = {
    "llama-2-7b": {"bf16": 13.48, "int8": 7.01, "nf4": 4.17, "nf4_double_quant": 3.87},
    "llama-3-8b": {"bf16": 16.06, "int8": 9.09, "nf4": 6.03, "nf4_double_quant": 5.70},
}


@pytest.mark.parametrize("name", list(ERRATA_GB))
def test_full_size_models_match_errata(name):
    memory = weight_memory(name)
    for fmt, gb in ERRATA_GB[name].items():
        assert round(memory.formats[fmt].gb, 2) == gb
    assert memory.formats["fp32"].total == 4 * memory.params


def test_llama_2_7b_exact_bytes():
    memory = weight_memory("llama-2-7b")
    assert memory.to_dict()["bytes"] == {
        "fp32": 26_953_662_464, "bf16": 13_476_831_232, "int8": 7_006_265_344,
        "nf4": 4_167_587_840, "nf4_double_quant": 3_865_836_416}


def test_tied_embeddings_are_counted_once():
    memory = weight_memory("gemma-2-9b")
    assert memory.params == 9_241_705_984


def test_activation_formula_is_pinned():
    config = load_config("llama-2-7b")
    per_token_layer = 2 * (4 * 4096 + 2 * 4096 + 2 * 4096 + 4 * 11008)  # bytes
    expected = 512 * (32 * per_token_layer) + 512 * 32000 * 10
    assert activation_bytes(config, 512, 1) == expected
    assert activation_bytes(config, 512, 2) == 2 * expected
    checkpointed = 512 * (32 * 2 * 4096 + per_token_layer) + 512 * 32000 * 10
    assert activation_bytes(config, 512, 1, gradient_checkpointing=True) == checkpointed


def test_training_estimate_parts_and_gpus():
    e = training_estimate("llama-2-7b", seq_len=512, batch=1)
    assert e.lora_params == 4_194_304
    assert (e.lora_weights, e.gradients, e.optimizer) == (4 * 4_194_304, 4 * 4_194_304, 8 * 4_194_304)
    assert e.weights == 3_865_836_416
    assert e.total == e.weights + e.lora_weights + e.gradients + e.optimizer + e.activations
    assert [g.gpu for g in e.gpus] == ["T4 16 GB", "RTX 4090 24 GB", "A100 40 GB", "A100 80 GB", "H100 80 GB"]
    assert all(g.fits for g in e.gpus)
    big = training_estimate("llama-3-70b", weight_format="bf16")
    assert not any(g.fits for g in big.gpus)


def test_gpu_fit_boundaries():
    t4 = fit_gpus(15360 * 2**20 - 2**30)[0]
    assert t4.fits and t4.headroom_bytes == 0
    assert not fit_gpus(15360 * 2**20 - 2**30 + 1)[0].fits


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="use one of"):
        linear_weight_bytes("fp8", 4, 4)
    with pytest.raises(ValueError, match="try 512"):
        training_estimate("tiny-llama", seq_len=0)


@pytest.mark.gpu
@pytest.mark.parametrize("fmt", FORMATS)
def test_accounting_equals_real_bytes_on_cuda(fmt):
    accounted = weight_memory("small-llama").formats[fmt]
    measured = measure_quantized("small-llama", fmt, device="cuda")
    assert measured.total == accounted.total
    assert measured.cuda_allocated >= measured.total
