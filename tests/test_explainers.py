"""The live explainers: their maths, and each one drawn through AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.core import explainers as ex


def test_parameter_maths():
    assert (ex.full_params(4096, 4096), ex.lora_params(4096, 4096, 8)) == (16_777_216, 65_536)
    assert ex.lora_share(4096, 4096, 8) == 1 / 256
    assert ex.break_even_rank(4096, 4096) == 2048 and ex.lora_params(4096, 4096, 2048) == ex.full_params(4096, 4096)
    assert (ex.scaling(16, 8), ex.scaling(16, 64, use_rslora=True)) == (2.0, 2.0)


def test_quantization_bits_follow_the_qlora_paper():
    assert ex.nf4_bits() == 4.5
    assert ex.nf4_double_quant_bits() == 4 + 8 / 64 + 32 / (64 * 256) == 4.126953125
    assert ex.weight_gib(8, 16) == 16e9 / 2**30  # binary units, as everywhere in the course
    assert ex.unmerged_overhead(4096, 4096, 8) == 0.00390625


def test_presets_are_checked():
    assert ex.check_params("lora-params", {"d": 4096, "r": 8}) == []
    assert ex.check_params("lora-params", {"r": 0}) == ["explainer 'lora-params': r must be a whole number from 1 to 256"]
    assert "has no parameter 'x'" in ex.check_params("quant-bits", {"x": 1})[0]


def _draw(name: str) -> None:
    from studyapp.ui import explainers

    explainers.render(name, {}, key="t")


@pytest.mark.parametrize("name", sorted(ex.NAMES))
def test_each_explainer_draws_a_chart(name):
    at = AppTest.from_function(_draw, args=(name,), default_timeout=30).run()
    assert not at.exception
    assert at.get("plotly_chart") and at.slider
