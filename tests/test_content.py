"""The course loader and validator: the bundled course, and every kind of author mistake."""

from __future__ import annotations

from pathlib import Path

from paths import CONTENT
from studyapp.cli import main
from studyapp.core.content import load_course, read_minutes

UNIT = "01-lora-basics"


def test_bundled_course_is_valid_and_complete(course):
    assert course.problems == []
    unit = course.unit("lora-basics")
    assert unit.title == "LoRA: Low-Rank Adaptation Explained"
    assert len(unit.cards) >= 10 and len(unit.questions) >= 8
    assert {q.kind for q in unit.questions} == {"single", "multi", "numeric"}
    assert all(q.explanation for q in unit.questions)
    assert any(b.kind == "explainer" and b.explainer == "lora-params" for b in unit.blocks)
    assert unit.objectives and unit.sections


def test_read_time_comes_from_the_words():
    assert read_minutes("word " * 200) == 1
    assert read_minutes("word " * 201) == 2
    assert read_minutes("word " * 10 + "```python\n" + "code " * 1000 + "\n```") == 1


def test_card_and_question_keys_are_unit_scoped(course):
    unit = course.unit("lora-basics")
    assert all(c.key == f"lora-basics/{c.id}" for c in unit.cards)
    assert course.card(unit.cards[0].key) == unit.cards[0]


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "units" / UNIT / name
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def _line_of(root: Path, name: str, needle: str) -> int:
    lines = (root / "units" / UNIT / name).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_bad_yaml_is_reported_with_file_and_line(content_copy):
    _edit(content_copy, "cards.yaml", "- id:", "- id: [unclosed\n  oops: :", )
    course = load_course(content_copy)
    (problem,) = course.problems
    assert problem.path.name == "cards.yaml" and problem.line >= 1
    assert "invalid YAML" in problem.message
    assert course.unit("lora-basics") is None and course.broken_unit("lora-basics")


def test_missing_answer_duplicate_id_and_unknown_explainer(content_copy):
    quiz = (content_copy / "units" / UNIT / "quiz.yaml")
    first_answer = _line_of(content_copy, "quiz.yaml", "answer:")
    lines = quiz.read_text().splitlines()
    del lines[first_answer - 1]
    quiz.write_text("\n".join(lines) + "\n")
    cards = (content_copy / "units" / UNIT / "cards.yaml").read_text()
    first_id = cards.split("- id: ", 2)[1].split("\n")[0]
    (content_copy / "units" / UNIT / "cards.yaml").write_text(cards + f"- id: {first_id}\n  front: again\n  back: again\n")
    _edit(content_copy, "unit.md", "name: lora-params", "name: no-such-explainer")
    problems = {(p.path.name, p.line): p.message for p in load_course(content_copy).problems}
    dup_line = len(cards.splitlines()) + 1
    assert "duplicate id" in problems[("cards.yaml", dup_line)]
    assert any(name == "quiz.yaml" and "needs an 'answer'" in msg for (name, _), msg in problems.items())
    explainer_line = _line_of(content_copy, "unit.md", "```explainer")
    assert "unknown explainer 'no-such-explainer'" in problems[("unit.md", explainer_line)]


def test_answer_not_among_choices(content_copy):
    quiz = content_copy / "units" / UNIT / "quiz.yaml"
    quiz.write_text("- id: q\n  kind: single\n  prompt: p\n  choices: [a, b]\n  answer: c\n  explanation: e\n")
    (problem,) = load_course(content_copy).problems
    assert (problem.path.name, problem.line) == ("quiz.yaml", 5)
    assert "not one of the choices" in problem.message


def test_front_matter_fields_are_required(content_copy):
    _edit(content_copy, "unit.md", "title:", "titel:")
    messages = [p.message for p in load_course(content_copy).problems]
    assert "front matter needs 'title'" in messages


def test_one_broken_unit_leaves_the_others_served(content_copy):
    second = content_copy / "units" / "02-second"
    second.mkdir()
    (second / "unit.md").write_text("---\nslug: second\ntitle: Second\norder: 2\nsummary: s\nobjectives: [o]\n---\n## A\ntext\n")
    (second / "cards.yaml").write_text("- id: a\n  front: f\n")
    (second / "quiz.yaml").write_text("[]\n")
    course = load_course(content_copy)
    assert "second" not in [u.slug for u in course.units] and "lora-basics" in [u.slug for u in course.units]
    assert len(course.units) == len(load_course(CONTENT).units)
    assert [str(p).split("/")[-1] for p in course.problems] == ["cards.yaml:1: card needs a 'back' (the answer)"]


def test_check_command_prints_problems_and_exits_1(content_copy, capsys):
    assert main(["check", str(content_copy)]) == 0
    assert f"OK: {len(load_course(CONTENT).units)} unit(s)" in capsys.readouterr().out
    _edit(content_copy, "quiz.yaml", "kind: numeric", "kind: essay")
    assert main(["check", str(content_copy)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out and all(":" in line and "quiz.yaml:" in line for line in out)
    assert "kind must be one of single, multi, numeric" in out[0]


def test_missing_content_directory(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 1
    assert "content directory not found" in capsys.readouterr().out


def test_lab_links_must_name_a_real_panel_and_model(content_copy):
    _edit(content_copy, "unit.md", "(/lab-build?model=llama-3-8b", "(/lab-bild?model=llama-9")
    messages = [p.message for p in load_course(content_copy).problems]
    assert any("unknown Lab panel '/lab-bild'" in m for m in messages)
    assert any("unknown model 'llama-9'" in m for m in messages)


def test_lab_paths_match_the_registered_lab_pages():
    from studyapp.core.content import LAB_PATHS
    from studyapp.lab.panels import PANELS

    assert {p.url_path for p in PANELS} == LAB_PATHS


CLAIM = '''  test_trainable:
    value: "65,536"
    compute: "8 * (4096 + 4096)"
    format: "{:,}"
'''


def _add_claims(root: Path, entries: str = CLAIM) -> None:
    """Add claims to the unit's front matter (to its claims: mapping if it has one)."""
    text = (root / "units" / UNIT / "unit.md").read_text()
    if "\nclaims:\n" in text:
        _edit(root, "unit.md", "\nclaims:\n", "\nclaims:\n" + entries)
    else:
        _edit(root, "unit.md", "objectives:", "claims:\n" + entries + "objectives:")


def test_claims_fill_placeholders_in_text_cards_and_quiz(content_copy):
    _add_claims(content_copy)
    _edit(content_copy, "unit.md", "## ", "A rank-8 adapter on a 4096 x 4096 matrix has {{test_trainable}} parameters.\n\n## ")
    _edit(content_copy, "cards.yaml", "back: ", "back: ({{ test_trainable }}) ")
    course = load_course(content_copy)
    assert course.problems == []
    unit = course.unit("lora-basics")
    assert "has 65,536 parameters" in unit.body and "{{" not in unit.body
    assert unit.cards[0].back.startswith("(65,536) ")
    added = [c for c in unit.claims if c.name == "test_trainable"]
    assert [(c.value, c.compute, c.format) for c in added] == [("65,536", "8 * (4096 + 4096)", "{:,}")]


def test_unknown_unused_and_malformed_claims_are_reported(content_copy):
    _add_claims(content_copy, CLAIM + "  broken:\n    value: 1\n    compute: \"params(\"\n")
    _edit(content_copy, "quiz.yaml", "prompt: ", "prompt: {{nope}} ")
    messages = [f"{p.path.name}:{p.message}" for p in load_course(content_copy).problems]
    assert any(m.startswith("quiz.yaml:unknown claim '{{nope}}'") for m in messages)
    assert any("claim 'test_trainable' is declared but never used" in m for m in messages)
    assert any("claim 'broken': compute is not a Python expression" in m for m in messages)


def test_unknown_front_matter_field(content_copy):
    _edit(content_copy, "unit.md", "objectives:", "objectivs: [x]\nobjectives:")
    assert any("unknown front matter field 'objectivs'" in p.message for p in load_course(content_copy).problems)


def test_python_block_that_does_not_parse(content_copy):
    _edit(content_copy, "unit.md", "```python\n", "```python\ndef broken(:\n")
    line = _line_of(content_copy, "unit.md", "def broken(:")
    problems = [(p.path.name, p.line, p.message) for p in load_course(content_copy).problems]
    assert ("unit.md", line, "python block does not parse: invalid syntax; fix it or mark the fence with another language") in problems


def test_objectives_empty_explanation_and_missing_answer_are_each_reported(content_copy):
    _edit(content_copy, "unit.md", "objectives:", "objectives: []\nold_objectives:")
    _edit(content_copy, "quiz.yaml", "explanation:", "explanation: ''\n  old_explanation:")
    _edit(content_copy, "cards.yaml", "back:", "old_back:")
    messages = [p.message for p in load_course(content_copy).problems]
    assert "front matter needs 'objectives'" in messages
    assert "question needs a non-empty 'explanation'" in messages
    assert "card needs a 'back' (the answer)" in messages
