import numpy as np
import pytest

from studyapp.lab.decompose import (adapted_layer_names, demo_layer, layer_matrices,
                                    low_rank_error_curve, numerical_rank, param_count_curve,
                                    singular_values, truncated)
from studyapp.lab.settings import LoraSettings
from studyapp.lab.wrap import wrap_registry_model


@pytest.mark.parametrize("r", [1, 4, 8])
def test_update_has_rank_r_and_paper_shapes(r):
    m = demo_layer("tiny-llama", "model.layers.1.mlp.down_proj", r=r, lora_alpha=2 * r)
    d, k = 128, 384  # down_proj: out 128, in 384
    assert m.W.shape == (d, k) and m.A.shape == (r, k) and m.B.shape == (d, r)
    np.testing.assert_allclose(m.delta, m.scaling * m.B @ m.A, rtol=1e-5, atol=1e-7)
    assert numerical_rank(singular_values(m.delta)) == r


def test_default_init_gives_zero_update():
    wrapped = wrap_registry_model("tiny-llama", LoraSettings(target_modules=["v_proj"]))
    names = adapted_layer_names(wrapped.model)
    assert names == ["model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.v_proj"]
    m = layer_matrices(wrapped.model, names[0])
    assert m.W.shape == (64, 128)  # 2 KV heads x 32
    assert not m.delta.any() and numerical_rank(singular_values(m.delta)) == 0
    with pytest.raises(KeyError, match="v_proj"):
        layer_matrices(wrapped.model, "model.layers.0.self_attn.q_proj")


def test_param_count_curve():
    rows = param_count_curve(4096, 4096, [8, 2048])
    assert (rows[0].full, rows[0].lora) == (16_777_216, 65_536)
    assert rows[1].ratio == 1.0  # r = d·k / (d + k): LoRA stops saving


def test_low_rank_error_curve_is_truncated_svd():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((64, 48))
    curve = low_rank_error_curve(W, [1, 8, 47, 48])
    errors = [e for _, e in curve]
    assert errors == sorted(errors, reverse=True) and errors[-1] == pytest.approx(0, abs=1e-12)
    direct = np.linalg.norm(W - truncated(W, 8)) / np.linalg.norm(W)
    assert curve[1][1] == pytest.approx(direct, rel=1e-9)
    low = rng.standard_normal((64, 3)) @ rng.standard_normal((3, 48))
    assert low_rank_error_curve(low, [3])[0][1] < 1e-7
