"""`studyapp ask`: the buddy's offline answer as text or JSON, and clear errors for bad input."""

from __future__ import annotations

import json
import re

from studyapp.cli import main


def _json(capsys, *args) -> dict:
    assert main(["ask", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_answer_and_citations_best_first(capsys):
    out = _json(capsys, "what does double quantization save?")
    assert out["kind"] == "found" and out["answer"].startswith("The course covers this in")
    first = out["citations"][0]
    assert first["unit"] == "qlora" and first["section"] == "Double quantization"
    assert first["url"] == "/unit?unit=qlora&section=double-quantization" and first["score"] > 0
    assert [c["n"] for c in out["citations"]] == [1, 2, 3] and "\ue000" not in first["text"]
    assert out["computed"] is None


def test_json_of_a_number_question_has_the_computed_value_and_formula(capsys):
    out = _json(capsys, "how big is the adapter file for llama-2-7b with r=8 on q_proj and v_proj")
    assert out["kind"] == "computed"
    assert out["computed"]["value"] == 16_777_216 and "× 4 bytes" in out["computed"]["formula"]
    assert out["computed"]["lab_url"] == "/lab-build?model=llama-2-7b&r=8&alpha=16&targets=q_proj,v_proj"


def test_text_output_lists_each_citation_with_its_link(capsys):
    assert main(["ask", "what does print_trainable_parameters print?", "--unit", "lora-basics"]) == 0
    out = capsys.readouterr().out
    assert (
        "[1] LoRA: Low-Rank Adaptation Explained › Wrapping a model with peft\n"
        "    /unit?unit=lora-basics&section=wrapping-a-model-with-peft  (score "
    ) in out
    assert re.findall(r"^\[(\d)\] ", out, flags=re.M) == ["1", "2", "3"]
    assert "Drill these now:" in out


def test_a_question_outside_the_course_is_refused(capsys):
    out = _json(capsys, "what is the capital of france")
    assert out["kind"] == "not_found" and out["answer"].startswith("I could not find this in the course.")


def test_an_unknown_unit_is_a_usage_error_naming_the_real_ones(capsys):
    assert main(["ask", "what is NF4?", "--unit", "nope"]) == 2
    err = capsys.readouterr().err
    assert "There is no unit 'nope'" in err and "qlora" in err
