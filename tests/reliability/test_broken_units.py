"""A corpus of broken units (issue 8.3): encodings, nesting, types, sizes and every validator.

Each case writes one good unit and one broken unit into a fresh course folder and checks three
things: the broken unit is reported as ``path:line: message`` at the exact file and line, the
good unit is still served, and nothing raised. The whole corpus at once then goes through
``studyapp check`` in a subprocess (no traceback, every problem listed) and through the app's
home page (the good unit is listed, nothing crashes).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from studyapp.core.content import load_course
from studyapp.lab.claims import catalog

ROOT = Path(__file__).resolve().parents[2]
LAB = catalog()

UNIT_MD = """---
slug: {slug}
title: {title}
order: {order}
summary: A unit that loads.
objectives:
  - Load a unit
---
## Section

Two is {{{{n}}}}.

```python
x = 1 + 1
```

```explainer
name: lora-params
r: 8
```

[Open the Lab](/lab-build?model=llama-2-7b&r=8)
"""
CLAIMS = 'n:\n  value: "2"\n  compute: "1 + 1"\n'
CARDS = "- id: c1\n  front: What is one plus one?\n  back: Two, {{n}}.\n  tags: [maths]\n"
QUIZ = ("- id: q1\n  kind: numeric\n  prompt: One plus one?\n  answer: {claim: n}\n"
        "  explanation: It is two.\n"
        "- id: q2\n  kind: single\n  prompt: Pick two.\n  choices: [one, two]\n  answer: two\n"
        "  explanation: Two is two.\n")


def unit_files(slug: str = "broken", title: str = "Broken", order: int = 2) -> dict[str, str | bytes]:
    return {"unit.md": UNIT_MD.format(slug=slug, title=title, order=order), "claims.yaml": CLAIMS,
            "cards.yaml": CARDS, "quiz.yaml": QUIZ}


@dataclass
class Case:
    """One broken unit: what to change, and where the problem must be reported."""

    id: str
    change: dict  # file name -> new content (str or bytes), or a (old, new) replacement
    file: str     # the file the problem names
    line: int | str  # the exact line, or a marker whose first line is the one
    message: str  # a part of the message


def _replace(old: str, new: str):
    return (old, new)


DEEP_PY = "```python\ny = " + "-" * 100_000 + "1\n```\n"
CASES = [
    # --- encodings and bytes -------------------------------------------------------------------
    Case("unit-md-latin-1", {"unit.md": UNIT_MD.format(slug="broken", title="Broken", order=2)
                             .replace("Two is", "Caf\u00e9 two is").encode("latin-1")},
         "unit.md", "Caf", "not UTF-8 text: byte 0xe9"),
    Case("cards-utf-16", {"cards.yaml": CARDS.encode("utf-16")}, "cards.yaml", 1, "not UTF-8 text"),
    Case("quiz-nul-byte", {"quiz.yaml": QUIZ.replace("One plus one?", "One\x00plus one?")}, "quiz.yaml", 3,
         "NUL byte"),
    Case("claims-bad-byte", {"claims.yaml": CLAIMS.encode() + b'm:\n  value: "\xff"\n  compute: "1"\n'},
         "claims.yaml", 5, "not UTF-8 text: byte 0xff"),
    # --- nesting deep enough to break a parser ---------------------------------------------------
    Case("python-block-memoryerror", {"unit.md": _replace("## Section\n", "## Section\n\n" + DEEP_PY)},
         "unit.md", "y = ---", "python block is nested too deeply"),
    Case("python-block-recursionerror",
         {"unit.md": _replace("x = 1 + 1", "x = 1" + " + 1" * 100_000)}, "unit.md", "x = 1 + 1 + 1",
         "python block is nested too deeply"),
    Case("claim-deeply-nested",
         {"claims.yaml": CLAIMS + 'deep:\n  value: "1"\n  compute: "' + "-" * 3000 + '1"\n'},
         "claims.yaml", "deep:", "compute is nested too deeply"),
    Case("cards-deep-flow-list",
         {"cards.yaml": CARDS + "- id: c2\n  front: " + "[" * 2000 + "]" * 2000 + "\n"},
         "cards.yaml", "front: [[[", "nested too deeply"),
    Case("front-matter-deep-mapping", {"unit.md": _replace("order: 2\n", "order: 2\nextra: " + "{a: " * 2000
                                                           + "1" + "}" * 2000 + "\n")},
         "unit.md", "extra:", "nested too deeply"),
    Case("explainer-deep-yaml", {"unit.md": _replace("name: lora-params\n", "name: " + "[" * 2000 + "]" * 2000
                                                     + "\n")},
         "unit.md", "```explainer", "explainer block is nested too deeply"),
    # --- types ---------------------------------------------------------------------------------
    Case("card-front-list", {"cards.yaml": _replace("front: What is one plus one?", "front: [not, text]")},
         "cards.yaml", "front:", "card 'front' must be text, not a list"),
    Case("card-back-mapping", {"cards.yaml": _replace("back: Two, {{n}}.", "back: {not: text}")},
         "cards.yaml", "back:", "card 'back' must be text, not a mapping"),
    Case("card-front-number", {"cards.yaml": _replace("front: What is one plus one?", "front: 42")},
         "cards.yaml", "front:", "card 'front' must be text, not a number"),
    Case("card-back-yes-is-a-boolean", {"cards.yaml": _replace("back: Two, {{n}}.", "back: yes")},
         "cards.yaml", "back:", "not a true/false value"),
    Case("card-tags-not-a-list", {"cards.yaml": _replace("tags: [maths]", "tags: maths")},
         "cards.yaml", "tags:", "'tags' must be a list"),
    Case("card-id-number", {"cards.yaml": _replace("- id: c1", "- id: 17")}, "cards.yaml", 1,
         "needs an 'id' of lowercase letters"),
    Case("choices-not-a-list", {"quiz.yaml": _replace("choices: [one, two]", "choices: one or two")},
         "quiz.yaml", "choices:", "'choices' must be a list"),
    Case("single-answer-a-number", {"quiz.yaml": _replace("choices: [one, two]\n  answer: two",
                                                          "choices: ['1.5', '2']\n  answer: 1.5")},
         "quiz.yaml", "answer: 1.5", "an answer must be the exact text of a choice"),
    Case("numeric-answer-text", {"quiz.yaml": _replace("answer: {claim: n}", "answer: two")},
         "quiz.yaml", "answer: two", "numeric question's answer must be a number, not a text"),
    Case("tolerance-nan",
         {"quiz.yaml": _replace("answer: {claim: n}", "answer: {claim: n}\n  tolerance: .nan")},
         "quiz.yaml", "tolerance:", "'tolerance' must be a finite number"),
    Case("tolerance-negative",
         {"quiz.yaml": _replace("answer: {claim: n}", "answer: {claim: n}\n  tolerance: -1")},
         "quiz.yaml", "tolerance:", "'tolerance' must be a number >= 0"),
    Case("order-not-a-number", {"unit.md": _replace("order: 2", "order: second")}, "unit.md", "order:",
         "'order' must be a whole number"),
    Case("objectives-a-string",
         {"unit.md": _replace("objectives:\n  - Load a unit", "objectives: Load a unit")},
         "unit.md", "objectives:", "'objectives' must be a list"),
    Case("slug-with-spaces", {"unit.md": _replace("slug: broken", "slug: Bad Slug")}, "unit.md", "slug:",
         "slug must be lowercase letters"),
    Case("claim-value-a-number", {"claims.yaml": 'n:\n  value: 2\n  compute: "1 + 1"\n'}, "claims.yaml", 1,
         "needs 'value': the value as shown, as text (quote it)"),
    Case("claim-spec-a-list", {"claims.yaml": "n: [2, 1 + 1]\n"}, "claims.yaml", 1,
         "claim 'n' must be a mapping with value, compute and format"),
    Case("claims-file-a-list", {"claims.yaml": "- n\n"}, "claims.yaml", 1, "claims.yaml must be a mapping"),
    # --- sizes ---------------------------------------------------------------------------------
    Case("unit-md-over-a-mebibyte", {"unit.md": _replace("Two is", "word " * 220_000 + "Two is")},
         "unit.md", 0, "a course file may be at most 1.00 MiB"),
    Case("claim-compute-too-long",
         {"claims.yaml": CLAIMS + 'long:\n  value: "1"\n  compute: "' + "1 + " * 1200
                                    + '1"\n'}, "claims.yaml", "long:", "the limit is 4,000"),
    # --- every validator -----------------------------------------------------------------------
    Case("missing-cards", {"cards.yaml": None}, "cards.yaml", 0, "missing cards.yaml"),
    Case("missing-unit-md", {"unit.md": None}, "unit.md", 0, "missing unit.md"),
    Case("empty-unit-md", {"unit.md": ""}, "unit.md", 1, "must start with YAML front matter"),
    Case("cards-a-mapping", {"cards.yaml": "id: c1\nfront: f\nback: b\n"}, "cards.yaml", 1,
         "cards.yaml must be a YAML list of cards"),
    Case("card-field-typo", {"cards.yaml": _replace("back: Two", "bakc: Two")}, "cards.yaml", "bakc:",
         "unknown field 'bakc' in card"),
    Case("duplicate-card-id", {"cards.yaml": CARDS + "- id: c1\n  front: Again?\n  back: Again.\n"},
         "cards.yaml", 5, "duplicate id 'c1' (first on line 1)"),
    Case("duplicate-key", {"cards.yaml": _replace("  tags: [maths]", "  tags: [maths]\n  front: Twice?")},
         "cards.yaml", "front: Twice?", "'front' appears twice in one mapping (first on line 2)"),
    Case("yaml-alias", {"cards.yaml": "- id: c1\n  front: &f What?\n  back: *f\n"}, "cards.yaml", "&f",
         "anchors and aliases"),
    Case("yaml-python-tag", {"quiz.yaml": _replace("prompt: One plus one?",
                                                   "prompt: !!python/object/apply:os.system ['true']")},
         "quiz.yaml", "prompt:", "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    Case("date-instead-of-text", {"cards.yaml": _replace("back: Two, {{n}}.", "back: 2024-13-45")},
         "cards.yaml", "back:", "YAML reads '2024-13-45' as a date"),
    Case("invalid-yaml-quote", {"quiz.yaml": _replace("prompt: Pick two.", 'prompt: "Pick two.')},
         "quiz.yaml", 'prompt: "Pick', "invalid YAML"),
    Case("placeholder-starts-a-value", {"cards.yaml": _replace("back: Two, {{n}}.", "back: {{n}} is two")},
         "cards.yaml", "back:", "invalid YAML"),
    Case("unknown-explainer", {"unit.md": _replace("name: lora-params", "name: lora-parms")}, "unit.md",
         "```explainer", "unknown explainer 'lora-parms'"),
    Case("explainer-param-out-of-range", {"unit.md": _replace("r: 8\n```", "r: 9999\n```")}, "unit.md",
         "```explainer", "r must be a whole number from 1 to 256"),
    Case("unknown-lab-page", {"unit.md": _replace("(/lab-build?", "(/lab-buld?")}, "unit.md", "/lab-buld",
         "link to unknown Lab panel '/lab-buld'"),
    Case("unknown-lab-model", {"unit.md": _replace("model=llama-2-7b", "model=llama-9")}, "unit.md",
         "model=llama-9", "presets unknown model 'llama-9'"),
    Case("unknown-placeholder", {"quiz.yaml": _replace("explanation: It is two.",
                                                       "explanation: >-\n    It is\n    {{two}}.")},
         "quiz.yaml", "{{two}}", "unknown claim '{{two}}'"),
    Case("unused-claim", {"claims.yaml": CLAIMS + 'spare:\n  value: "3"\n  compute: "1 + 2"\n'},
         "claims.yaml",
         "spare:", "claim 'spare' is declared but never used"),
    Case("claim-escape-attribute", {"claims.yaml": CLAIMS + 'evil:\n  value: "0"\n'
                                    '  compute: "[c for c in ().__class__.__base__.__subclasses__()]"\n'},
         "claims.yaml", "evil:", "claim 'evil': compute may "),
    Case("claim-unknown-function", {"claims.yaml": CLAIMS + 'ev:\n  value: "0"\n  compute: "eval(\'1\')"\n'},
         "claims.yaml", "ev:", "unknown name 'eval'"),
    Case("claim-format-reads-attributes", {"claims.yaml": 'n:\n  value: "2"\n  compute: "1 + 1"\n'
                                           '  format: "{0.__class__}"\n'},
         "claims.yaml", 1, "must have exactly one plain field"),
    Case("answer-not-a-choice", {"quiz.yaml": _replace("answer: two", "answer: three")}, "quiz.yaml",
         "answer: three", "answer 'three' is not one of the choices"),
    Case("single-with-two-answers", {"quiz.yaml": _replace("answer: two", "answer: [one, two]")}, "quiz.yaml",
         "answer: [one", "a single-choice answer is one choice"),
    Case("unknown-kind", {"quiz.yaml": _replace("kind: single", "kind: essay")}, "quiz.yaml", "kind: essay",
         "kind must be one of single, multi, numeric"),
    Case("numeric-answer-claim-not-a-number", {"claims.yaml": 'n:\n  value: "two"\n  compute: "\'two\'"\n'},
         "quiz.yaml", "answer: {claim", "claim 'n' shows 'two', which is not a number"),
    Case("no-front-matter", {"unit.md": "## Just text\n"}, "unit.md", 1, "must start with YAML front matter"),
    Case("front-matter-a-list", {"unit.md": "---\n- slug\n- title\n---\n## A\n"}, "unit.md", 2,
         "front matter must be a mapping"),
    Case("old-format-claims-in-front-matter",
         {"unit.md": _replace("objectives:", "claims:\n  n:\n    value: '2'\n"
                                                                   "    compute: '1 + 1'\nobjectives:")},
         "unit.md", "claims:", "run `studyapp check --fix DIR`"),
    Case("duplicate-slug", {"unit.md": _replace("slug: broken", "slug: good")}, "unit.md", 2,
         "slug 'good' is also used by 01-good"),
    Case("python-syntax-error", {"unit.md": _replace("x = 1 + 1", "def broken(:")}, "unit.md", "def broken(",
         "python block does not parse"),
]


def _write_unit(folder: Path, files: dict) -> None:
    folder.mkdir(parents=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _apply(case: Case) -> dict:
    files = unit_files()
    for name, change in case.change.items():
        if isinstance(change, tuple):
            old, new = change
            assert old in files[name], f"{case.id}: fixture text {old!r} not in {name}"
            files[name] = files[name].replace(old, new, 1)
        else:
            files[name] = change
    return files


def _line(folder: Path, case: Case) -> int:
    if isinstance(case.line, int):
        return case.line
    data = (folder / case.file).read_bytes()
    marker = case.line.encode()
    assert marker in data, f"{case.id}: marker {case.line!r} not in {case.file}"
    return data[:data.index(marker)].count(b"\n") + 1


def _course(root: Path, cases: list[Case]) -> Path:
    _write_unit(root / "units" / "01-good", unit_files("good", "Good", 1))
    for number, case in enumerate(cases, 2):
        _write_unit(root / "units" / f"{number:02d}-broken", _apply(case))
    return root


def test_the_fixture_units_are_valid(tmp_path):
    course = load_course(_course(tmp_path, []), lab=LAB)
    assert course.problems == [] and [u.slug for u in course.units] == ["good"]
    unit = course.units[0]
    assert unit.cards[0].back == "Two, 2." and unit.questions[0].answer == 2.0


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_unit_reports_path_line_and_the_rest_is_served(tmp_path, case):
    root = _course(tmp_path, [case])
    folder = root / "units" / "02-broken"
    course = load_course(root, lab=LAB)
    assert "good" in [u.slug for u in course.units], "the good unit must still be served"
    line = _line(folder, case)
    problems = [p for p in course.problems if p.path.name == case.file and p.path.parent.name == "02-broken"]
    found = [p for p in problems if p.line == line and case.message in p.message]
    got = "; ".join(map(str, course.problems))
    assert found, f"{case.id}: want {case.file}:{line}: ...{case.message}...; got {got}"
    assert str(found[0]).startswith(f"{folder / case.file}:{line}: ")


def test_a_utf8_bom_is_accepted(tmp_path):
    root = _course(tmp_path, [])
    md = root / "units" / "01-good" / "unit.md"
    md.write_bytes(b"\xef\xbb\xbf" + md.read_bytes())
    assert load_course(root, lab=LAB).problems == []


def test_any_exception_while_loading_a_unit_becomes_its_problem(tmp_path, monkeypatch):
    """A bug or an unforeseen input must not take the course down: the unit is broken, the rest served."""
    from studyapp.core.content import cards

    root = _course(tmp_path, [])
    _write_unit(root / "units" / "02-broken", unit_files())

    def explode(path, slug, claims):
        if slug == "broken":
            raise RuntimeError("a bug in a reader")
        return real(path, slug, claims)

    real = cards.load
    monkeypatch.setattr(cards, "load", explode)
    course = load_course(root, lab=LAB)
    assert [u.slug for u in course.units] == ["good"]
    (problem,) = course.broken_unit("broken").problems
    assert str(problem) == (f"{root / 'units' / '02-broken' / 'unit.md'}:0: could not be loaded "
                            "(RuntimeError: a bug in a reader); the rest of the course is served")


def test_check_lists_the_whole_corpus_without_a_traceback(tmp_path):
    root = _course(tmp_path, CASES)
    out = subprocess.run([sys.executable, "-m", "studyapp.cli", "check", str(root)], capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert all(line.startswith(str(root)) and line.split(":")[1].isdigit() for line in lines), lines[:5]
    for number, case in enumerate(CASES, 2):
        folder = root / "units" / f"{number:02d}-broken"
        where = f"{folder / case.file}:{_line(folder, case)}: "
        assert any(line.startswith(where) and case.message in line for line in lines), case.id


def test_check_reports_claims_that_raise_or_drift_and_huge_arithmetic(tmp_path):
    root = _course(tmp_path, [])
    claims = root / "units" / "01-good" / "claims.yaml"
    claims.write_text(CLAIMS + 'div:\n  value: "1"\n  compute: "1 / 0"\n'
                      'drift:\n  value: "5"\n  compute: "2 + 2"\n'
                      'huge:\n  value: "1"\n  compute: "9 ** 9 ** 9"\n')
    cards = root / "units" / "01-good" / "cards.yaml"
    cards.write_text(CARDS + "- id: c2\n  front: Values?\n  back: '{{div}} {{drift}} {{huge}}'\n")
    out = subprocess.run([sys.executable, "-m", "studyapp.cli", "check", str(root)], capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert f"{claims}:4: claim 'div': computing it raised ZeroDivisionError: division by zero" in out.stdout
    assert f"{claims}:7: claim 'drift' shows '5' but `2 + 2` gives '4'" in out.stdout
    assert f"{claims}:10: claim 'huge': computing it raised ExpressionError: 9 ** 387420489 is too large" \
        in out.stdout


def test_the_app_serves_the_good_unit_next_to_the_whole_corpus(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tests"))
    from apptest_helpers import open_page, texts

    root = _course(tmp_path / "course", CASES)
    monkeypatch.setenv("STUDYAPP_CONTENT", str(root))
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "app.sqlite3"))
    home = open_page()
    assert not home.exception
    assert "Good" in texts(home)
    page = open_page("views/unit.py", unit="good")
    assert not page.exception and page.title[0].value == "Good"
    broken = open_page("views/unit.py", unit="broken")
    assert not broken.exception
    assert any("02-broken" in c.value for c in broken.code), "the broken unit's problems are shown"
