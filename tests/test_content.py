"""The course loader and validator: the bundled course, and every kind of author mistake."""

from __future__ import annotations

from pathlib import Path

import yaml

from paths import CONTENT
from studyapp.cli import main
from studyapp.core.content import LabCatalog, load_course, read_minutes
from studyapp.lab.claims import catalog

UNIT = "01-lora-basics"
LAB = catalog()


def test_bundled_course_is_valid_and_complete(course):
    assert course.problems == []
    unit = course.unit("lora-basics")
    assert unit.title == "LoRA: Low-Rank Adaptation Explained"
    assert len(unit.cards) >= 10 and len(unit.questions) >= 8
    assert {q.kind for q in unit.questions} == {"single", "multi", "numeric"}
    assert all(q.explanation for q in unit.questions)
    assert any(b.kind == "explainer" and b.explainer == "lora-params" for b in unit.blocks)
    assert unit.objectives and unit.sections


def test_every_content_file_is_valid_yaml_as_written():
    """No placeholder trick: a plain YAML parser reads every file before any claim is filled in."""
    files = sorted(CONTENT.rglob("*.yaml"))
    assert len(files) == 1 + 6 * 3  # course.yaml, and claims, cards, quiz per unit
    for path in files:
        assert yaml.safe_load(path.read_text(encoding="utf-8")) is not None, path
    for unit_md in sorted(CONTENT.glob("units/*/unit.md")):
        front = unit_md.read_text(encoding="utf-8").split("---\n")[1]
        assert set(yaml.safe_load(front)) == {"slug", "title", "order", "summary", "objectives"}, unit_md


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


def _problems(root: Path, lab: LabCatalog | None = LAB) -> dict[tuple[str, int], str]:
    return {(p.path.name, p.line): p.message for p in load_course(root, lab=lab).problems}


def test_bad_yaml_is_reported_with_file_and_line(content_copy):
    _edit(content_copy, "cards.yaml", "- id:", "- id: [unclosed\n  oops: :", )
    course = load_course(content_copy)
    (problem,) = course.problems
    assert (problem.path.name, problem.line) == ("cards.yaml", 2)
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
    extra = f"- id: {first_id}\n  front: again\n  back: again\n"
    (content_copy / "units" / UNIT / "cards.yaml").write_text(cards + extra)
    _edit(content_copy, "unit.md", "name: lora-params", "name: no-such-explainer")
    problems = _problems(content_copy)
    dup_line = len(cards.splitlines()) + 1
    assert "duplicate id" in problems[("cards.yaml", dup_line)]
    assert any(name == "quiz.yaml" and "needs an 'answer'" in msg for (name, _), msg in problems.items())
    explainer_line = _line_of(content_copy, "unit.md", "```explainer")
    assert "unknown explainer 'no-such-explainer'" in problems[("unit.md", explainer_line)]


def test_answer_not_among_choices(content_copy):
    quiz = content_copy / "units" / UNIT / "quiz.yaml"
    quiz.write_text("- id: q\n  kind: single\n  prompt: p\n  choices: [a, b]\n  answer: c\n"
                    "  explanation: e\n")
    (problem,) = [p for p in load_course(content_copy).problems if "never used" not in p.message]
    assert (problem.path.name, problem.line) == ("quiz.yaml", 5)
    assert "not one of the choices" in problem.message


def test_front_matter_fields_are_required(content_copy):
    _edit(content_copy, "unit.md", "title:", "titel:")
    problems = _problems(content_copy)
    assert "front matter needs a non-empty 'title' (what students read)" in problems.values()
    assert "unknown field 'titel' in front matter" in problems[("unit.md", 3)]


def test_one_broken_unit_leaves_the_others_served(content_copy):
    second = content_copy / "units" / "02-second"
    second.mkdir()
    (second / "unit.md").write_text("---\nslug: second\ntitle: Second\norder: 2\nsummary: s\n"
                                    "objectives: [o]\n---\n## A\ntext\n")
    (second / "cards.yaml").write_text("- id: a\n  front: f\n")
    (second / "quiz.yaml").write_text("[]\n")
    course = load_course(content_copy)
    assert "second" not in [u.slug for u in course.units] and "lora-basics" in [u.slug for u in course.units]
    assert len(course.units) == len(load_course(CONTENT).units)
    assert [str(p).split("/")[-1] for p in course.problems] == [
        "cards.yaml:1: card needs a non-empty 'back' (the answer)"]


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
    line = _line_of(content_copy, "unit.md", "(/lab-bild?model=llama-9")
    messages = [p.message for p in load_course(content_copy, lab=LAB).problems if p.line == line]
    assert any("unknown Lab panel '/lab-bild'" in m for m in messages)
    assert any("unknown model 'llama-9'" in m for m in messages)


def test_without_a_catalog_lab_links_are_not_checked(content_copy):
    """core/ never imports the Lab: with no catalog passed in, links are left unchecked (documented)."""
    _edit(content_copy, "unit.md", "(/lab-build?model=llama-3-8b", "(/lab-bild?model=llama-9")
    assert load_course(content_copy).problems == []
    only_build = LabCatalog.of(pages={"lab-bild"}, models={"llama-9"})
    assert load_course(content_copy, lab=only_build).problems != []  # the other links are now unknown


def test_catalog_is_the_registered_lab_pages_and_models():
    from studyapp.lab.panels import PANELS
    from studyapp.lab.registry import model_names

    assert {p.url_path for p in PANELS} == LAB.pages
    assert set(model_names()) == LAB.models
    assert {"params", "weights", "estimate", "GiB"} <= LAB.claim_names


CLAIM = '''test_trainable:
  value: "65,536"
  compute: "8 * (4096 + 4096)"
  format: "{:,}"
'''


def _add_claims(root: Path, entries: str = CLAIM) -> None:
    path = root / "units" / UNIT / "claims.yaml"
    path.write_text(path.read_text() + entries)


def test_claims_fill_placeholders_in_text_cards_and_quiz(content_copy):
    _add_claims(content_copy)
    sentence = "A rank-8 adapter on a 4096 x 4096 matrix has {{test_trainable}} parameters.\n\n## "
    _edit(content_copy, "unit.md", "## ", sentence)
    _edit(content_copy, "cards.yaml", "back: ", "back: ({{ test_trainable }}) ")
    course = load_course(content_copy)
    assert course.problems == []
    unit = course.unit("lora-basics")
    assert "has 65,536 parameters" in unit.body and "{{" not in unit.body
    assert unit.cards[0].back.startswith("(65,536) ")
    added = [c for c in unit.claims if c.name == "test_trainable"]
    assert [(c.value, c.compute, c.format) for c in added] == [("65,536", "8 * (4096 + 4096)", "{:,}")]


def test_a_claim_value_with_colon_space_cannot_change_a_files_structure(content_copy):
    _add_claims(content_copy, 'tricky:\n  value: "a: b\\n- c"\n  compute: "1"\n')
    _edit(content_copy, "cards.yaml", "back: ", "back: With {{tricky}} and ")
    course = load_course(content_copy)
    assert course.problems == []
    assert course.unit("lora-basics").cards[0].back.startswith("With a: b\n- c and ")


def test_unknown_placeholder_is_reported_at_its_exact_line_inside_a_folded_scalar(content_copy):
    quiz = content_copy / "units" / UNIT / "quiz.yaml"
    text = quiz.read_text()
    start = text.index("  explanation: >-\n")
    line = text.count("\n", 0, start) + 3  # the second line of the folded text
    lines = text.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + " {{no_such_claim}}\n"
    quiz.write_text("".join(lines))
    problems = _problems(content_copy)
    assert problems[("quiz.yaml", line)].startswith("unknown claim '{{no_such_claim}}'")


def test_a_numeric_answer_names_a_claim_and_gets_its_number(content_copy):
    _add_claims(content_copy)
    quiz = content_copy / "units" / UNIT / "quiz.yaml"
    quiz.write_text(quiz.read_text() + "\n- id: added\n  kind: numeric\n  prompt: How many?\n"
                    "  answer: {claim: test_trainable}\n  explanation: it is eight times 4096 plus 4096\n")
    course = load_course(content_copy)
    assert course.problems == []
    question = next(q for q in course.unit("lora-basics").questions if q.id == "added")
    assert question.answer == 65536.0


def test_a_numeric_answer_naming_a_missing_or_non_number_claim(content_copy):
    _add_claims(content_copy, CLAIM + 'gpu:\n  value: "T4 16 GB"\n  compute: "\'T4 16 GB\'"\n')
    quiz = content_copy / "units" / UNIT / "quiz.yaml"
    tail = "\n- id: {0}\n  kind: numeric\n  prompt: p\n  answer: {1}\n  explanation: e\n"
    base = len(quiz.read_text().splitlines())
    quiz.write_text(quiz.read_text() + tail.format("a", "{claim: nope}") + tail.format("b", "{claim: gpu}")
                    + tail.format("c", '"{{test_trainable}}"'))
    problems = _problems(content_copy)
    assert "unknown claim 'nope'" in problems[("quiz.yaml", base + 5)]
    assert "claim 'gpu' shows 'T4 16 GB', which is not a number" in problems[("quiz.yaml", base + 11)]
    hint = "not a text (to take a claim's number, write answer: {claim: NAME})"
    assert hint in problems[("quiz.yaml", base + 17)]


def test_unknown_unused_and_malformed_claims_are_reported(content_copy):
    claims = content_copy / "units" / UNIT / "claims.yaml"
    base = len(claims.read_text().splitlines())
    _add_claims(content_copy, CLAIM + 'broken:\n  value: "1"\n  compute: "params("\n')
    _edit(content_copy, "quiz.yaml", "prompt: ", "prompt: About {{nope}} ")
    problems = _problems(content_copy)
    nope = _line_of(content_copy, "quiz.yaml", "{{nope}}")
    assert problems[("quiz.yaml", nope)].startswith("unknown claim '{{nope}}'")
    unused = "claim 'test_trainable' is declared but never used as {{test_trainable}}"
    assert problems[("claims.yaml", base + 1)] == unused
    assert "claim 'broken': compute is not a Python expression" in problems[("claims.yaml", base + 5)]


def test_old_format_unit_asks_for_check_fix(content_copy):
    md = content_copy / "units" / UNIT / "unit.md"
    old = "claims:\n  x:\n    value: '1'\n    compute: '1'\nobjectives:"
    md.write_text(md.read_text().replace("objectives:", old, 1))
    (problem,) = load_course(content_copy).problems
    assert problem.line == _line_of(content_copy, "unit.md", "claims:")
    assert "claims now live in claims.yaml" in problem.message and "studyapp check --fix" in problem.message


def test_unknown_front_matter_field(content_copy):
    _edit(content_copy, "unit.md", "objectives:", "objectivs: [x]\nobjectives:")
    problems = load_course(content_copy).problems
    assert any("unknown field 'objectivs' in front matter" in p.message for p in problems)


def test_python_block_that_does_not_parse(content_copy):
    _edit(content_copy, "unit.md", "```python\n", "```python\ndef broken(:\n")
    line = _line_of(content_copy, "unit.md", "def broken(:")
    problems = [(p.path.name, p.line, p.message) for p in load_course(content_copy).problems]
    message = "python block does not parse: invalid syntax; fix it or mark the fence with another language"
    assert ("unit.md", line, message) in problems


def test_objectives_empty_explanation_and_missing_answer_are_each_reported(content_copy):
    _edit(content_copy, "unit.md", "objectives:", "objectives: []\nold_objectives:")
    _edit(content_copy, "quiz.yaml", "explanation:", "explanation: ''\n  old_explanation:")
    _edit(content_copy, "cards.yaml", "back:", "old_back:")
    messages = [p.message for p in load_course(content_copy).problems]
    assert "front matter needs 'objectives' (a list of what the student will be able to do)" in messages
    why = "question needs a non-empty 'explanation' (why the answer is right and the others are not)"
    assert why in messages
    assert "card needs a non-empty 'back' (the answer)" in messages


def test_card_text_must_be_text_not_a_list_or_mapping(content_copy):
    """Issue 8.3: `front: [not, text]` was accepted and shown as "['not', 'text']"."""
    _edit(content_copy, "cards.yaml", "front: ", "front: [not, text]\n  old_front: ")
    _edit(content_copy, "cards.yaml", "back: ", "back: {not: text}\n  old_back: ")
    problems = _problems(content_copy)
    assert problems[("cards.yaml", 2)] == "card 'front' must be text, not a list"
    assert problems[("cards.yaml", 4)] == "card 'back' must be text, not a mapping"
    assert load_course(content_copy).unit("lora-basics") is None


OLD_UNIT_MD = '''---
slug: old
title: Old format
order: 1
summary: A unit written before claims.yaml.
claims:
  # counts
  count:
    value: "65,536"
    compute: "8 * (4096 + 4096)"
    format: "{:,}"
  count_plain:
    value: "65536"
    compute: "8 * (4096 + 4096)"
    format: "{}"
objectives:
  - Convert
---
## A

An adapter has {{count}} parameters.
'''
OLD_QUIZ = '''- id: q
  kind: numeric
  prompt: {{count}} or what?
  answer: {{count_plain}}
  explanation: eight times 8192
- id: s
  kind: single
  prompt: Pick
  choices:
    - {{count}}
    - none
  answer: {{count}}
  explanation: the count
'''


def test_check_fix_converts_an_old_format_unit(tmp_path, capsys):
    import yaml

    unit = tmp_path / "units" / "01-old"
    unit.mkdir(parents=True)
    (unit / "unit.md").write_text(OLD_UNIT_MD)
    (unit / "cards.yaml").write_text("- id: c\n  front: How many?\n  back: {{count}}\n")
    (unit / "quiz.yaml").write_text(OLD_QUIZ)
    assert "studyapp check --fix" in load_course(tmp_path).problems[0].message
    assert main(["check", "--fix", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "fixed: " in out and "OK: 1 unit(s)" in out
    for name in ("claims.yaml", "cards.yaml", "quiz.yaml"):
        yaml.safe_load((unit / name).read_text())  # valid YAML as written
    assert "claims:" not in (unit / "unit.md").read_text()
    claims = yaml.safe_load((unit / "claims.yaml").read_text())
    assert set(claims) == {"count"}  # the comma-free twin is gone
    loaded = load_course(tmp_path).unit("old")
    assert loaded.cards[0].back == "65,536"
    assert [q.answer for q in loaded.questions] == [65536.0, "65,536"]
    assert main(["check", "--fix", str(tmp_path)]) == 0  # a second run changes nothing
    assert "fixed: " not in capsys.readouterr().out


def test_check_help_describes_the_format():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "studyapp.cli", "check", "--help"], capture_output=True,
                         text=True, timeout=60)
    for words in ("claims.yaml", "{claim: name}", "valid YAML as written", "--fix", "verified_against"):
        assert words in out.stdout, words


def test_core_has_no_import_circle_and_never_imports_the_lab():
    import subprocess
    import sys

    from paths import ROOT

    code = ("import sys; import studyapp.core.claims; "
            "print('studyapp.core.content' in sys.modules); "
            "import studyapp.core.content; print(sorted(m for m in sys.modules if m.startswith('studyapp.lab')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.split() == ["False", "[]"], out.stderr
    for path in (ROOT / "studyapp" / "core").rglob("*.py"):
        source = path.read_text()
        assert "from studyapp.lab" not in source and "import studyapp.lab" not in source, path
