"""Every number a unit declares as a claim equals what the Lab computes, to the last digit; and a
claim's compute is an allow-listed expression, never Python at large (issue 8.9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import CONTENT
from studyapp.cli import main
from studyapp.core import claims, expressions
from studyapp.core.content import load_course
from studyapp.lab.claims import catalog, evaluate, namespace

COURSE = load_course(CONTENT, lab=catalog())
CLAIMS = [(u.slug, c) for u in COURSE.units for c in u.claims]


@pytest.mark.parametrize("slug,claim", CLAIMS, ids=[f"{s}:{c.name}" for s, c in CLAIMS])
def test_claim_equals_the_computed_value(slug, claim):
    assert evaluate(claim.compute, claim.format) == claim.value, (
        f"{slug}: claim '{claim.name}' shows {claim.value} but `{claim.compute}` gives "
        f"{evaluate(claim.compute, claim.format)}")


def test_evaluate_uses_real_models():
    assert evaluate("params('llama-2-7b').trainable_params", "{:,}") == "4,194,304"
    assert evaluate("params('llama-3-8b').total_params", "{:,}") == "8,033,669,120"
    assert evaluate("weights('llama-2-7b')['nf4_double_quant'] / GiB", "{:.2f}") == "3.60"
    assert evaluate("base_params('mistral-7b')", "{:,}") == "7,241,732,096"
    assert evaluate("([g.gpu for g in estimate('llama-2-7b').gpus if g.fits] + ['none'])[0]") == "T4 16 GB"
    assert evaluate("max(len(e['agent']) for e in support_exchanges()) > 10") == "True"


ESCAPES = [
    "().__class__.__base__.__subclasses__()",            # the walk to os.system in issue 8.9
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "__import__('os').getcwd()",
    "params.__globals__",
    "config('llama-2-7b').get('x')",                     # a method call
    "(lambda: 1)()",
    "f'{1}'",
    "(x := 1)",
    "{'a': 1}",
    "open('/etc/passwd')",
    "eval('1')",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_expressions_outside_the_allow_list_are_rejected_before_running(source):
    assert expressions.check(source, namespace()) is not None
    with pytest.raises(expressions.ExpressionError):
        evaluate(source)


@pytest.mark.parametrize("source", ["9 ** 9 ** 9", "2 << 100000", "'x' * 10 ** 9", "[0] * 10 ** 9",
                                    "support_exchanges() * 100000",
                                    "sum(support_exchanges() + support_exchanges())"])
def test_arithmetic_is_bounded_and_on_numbers(source):
    with pytest.raises((expressions.ExpressionError, TypeError)):
        evaluate(source)


def test_a_method_read_as_a_value_is_refused():
    with pytest.raises(expressions.ExpressionError, match="is a method"):
        evaluate("max([1], key=params('tiny-llama').to_dict)")


def test_formats_cannot_read_attributes():
    assert claims.format_problem("{0.__class__}") is not None
    assert claims.format_problem("{!r}") is not None
    assert claims.format_problem("{:,}") is None and claims.format_problem("{:.2f} GiB") is None
    with pytest.raises(expressions.ExpressionError):
        evaluate("1", "{0.__class__.__mro__}")


def test_verify_reports_a_claim_that_raises_or_drifts():
    bad = [claims.Claim("div", "1", "1 / 0", line=3, path=Path("u/claims.yaml")),
           claims.Claim("drift", "2", "1 + 2", line=7, path=Path("u/claims.yaml")),
           claims.Claim("good", "3", "1 + 2", line=9, path=Path("u/claims.yaml"))]
    problems = claims.verify(bad, evaluate)
    assert [(p.line, p.message) for p in problems] == [
        (3, "claim 'div': computing it raised ZeroDivisionError: division by zero"),
        (7, "claim 'drift' shows '2' but `1 + 2` gives '3'")]


def test_check_evaluates_every_claim_and_reports_path_line(content_copy, capsys):
    claims_yaml = content_copy / "units" / "01-lora-basics" / "claims.yaml"
    text = claims_yaml.read_text()
    claims_yaml.write_text(text.replace('compute: "4096 * 4096"', 'compute: "4096 * 4096 / 0"', 1)
                           .replace('compute: "8 * 4096"', 'compute: "8 * 4095"', 1))
    assert main(["check", str(content_copy)]) == 1
    out = capsys.readouterr().out
    lines = text.splitlines()
    div = next(i for i, line in enumerate(lines, 1) if line == "full_4096:")
    drift = next(i for i, line in enumerate(lines, 1) if line == "one_factor_4096_r8:")
    assert f"{claims_yaml}:{div}: claim 'full_4096': computing it raised ZeroDivisionError" in out
    assert f"{claims_yaml}:{drift}: claim 'one_factor_4096_r8' shows '32,768' but" in out
    assert "Traceback" not in out


def test_a_disallowed_compute_breaks_its_unit_at_load_with_path_line(content_copy):
    claims_yaml = content_copy / "units" / "01-lora-basics" / "claims.yaml"
    claims_yaml.write_text(claims_yaml.read_text() + 'evil:\n  value: "0"\n'
                           '  compute: "().__class__.__base__.__subclasses__()"\n')
    line = len(claims_yaml.read_text().splitlines()) - 2
    (problem,) = load_course(content_copy).problems
    assert (problem.path.name, problem.line) == ("claims.yaml", line)
    assert problem.message.startswith("claim 'evil': compute may ")
