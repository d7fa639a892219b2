"""Every number a unit declares as a claim equals what the Lab computes, to the last digit."""

from __future__ import annotations

import pytest

from paths import CONTENT
from studyapp.core.content import load_course
from studyapp.lab.claims import evaluate

COURSE = load_course(CONTENT)
CLAIMS = [(u.slug, c) for u in COURSE.units for c in u.claims]


@pytest.mark.parametrize("slug,claim", CLAIMS, ids=[f"{s}:{c.name}" for s, c in CLAIMS])
def test_claim_equals_the_computed_value(slug, claim):
    assert evaluate(claim.compute, claim.format) == claim.value, (
        f"{slug}: claim '{claim.name}' shows {claim.value} but `{claim.compute}` gives "
        f"{evaluate(claim.compute, claim.format)}")


def test_evaluate_uses_real_models():
    assert evaluate("params('llama-2-7b').trainable_params", "{:,}") == "4,194,304"
    assert evaluate("params('llama-3-8b').total_params", "{:,}") == "8,033,669,120"
    assert evaluate("weights('llama-2-7b')['nf4_double_quant'] / 1e9", "{:.2f}") == "3.87"
    assert evaluate("base_params('mistral-7b')", "{:,}") == "7,241,732,096"


def test_claim_expressions_cannot_reach_builtins():
    with pytest.raises(NameError):
        evaluate("__import__('os').getcwd()")
