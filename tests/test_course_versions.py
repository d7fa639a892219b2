"""The library versions the course was checked against: pinned once, shown on every unit, and
`studyapp check` warns when the installed ones differ (read without importing any of them)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from paths import CONTENT, ROOT
from studyapp.cli import main
from studyapp.core.content import load_course
from studyapp.core.content import versions

BANNER = "Checked against peft 0.21.2, transformers 5.24.0, bitsandbytes 0.50.2"


def test_every_unit_shows_the_versions_it_was_checked_against(course):
    assert dict(course.verified_against) == {"peft": "0.21.2", "transformers": "5.24.0",
                                            "bitsandbytes": "0.50.2", "torch": "2.13.0"}
    for unit in course.units:
        assert unit.checked_against == BANNER
        assert unit.blocks[0].kind == "markdown" and unit.blocks[0].text.startswith(f"*{BANNER}.*")


def test_the_installed_versions_are_the_pinned_ones():
    """The suite runs against what the course was checked against (the Makefile installs it)."""
    assert versions.mismatches(load_course(CONTENT).verified_against, CONTENT) == []


def test_check_warns_when_installed_versions_differ(content_copy, capsys):
    course_yaml = content_copy / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace('peft: "0.21.2"', 'peft: "0.20.0"'))
    assert main(["check", str(content_copy)]) == 0  # a warning, not a failure
    err = capsys.readouterr().err
    assert (f"{course_yaml}:0: warning: the course was checked against peft 0.20.0, but 0.21.2 is installed"
            in err)
    assert "transformers" not in err  # only the package that differs


def test_versions_are_read_without_importing_the_libraries():
    code = ("import sys; from pathlib import Path; from studyapp.core.content import versions;"
            f"pins, _ = versions.load(Path({str(CONTENT)!r})); print(versions.mismatches(pins, Path('.')));"
            "print(sorted(m for m in ('torch', 'transformers', 'peft', 'bitsandbytes') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.splitlines() == ["[]", "[]"], out.stderr


def test_a_version_written_as_a_number_is_a_problem(content_copy):
    course_yaml = content_copy / "course.yaml"
    course_yaml.write_text("verified_against:\n  transformers: 5.0\n")
    (problem,) = load_course(content_copy).problems
    assert (problem.path.name, problem.line) == ("course.yaml", 1)
    assert "must be quoted text" in problem.message


def test_pyproject_floors_match_what_the_course_teaches():
    """transformers 5.23 introduced TrainingArguments(activation_checkpointing=), which unit 3 teaches."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    floors = {d.split(">=")[0]: d.split(">=")[1].split(",")[0] for d in deps if ">=" in d}
    assert floors["transformers"] == "5.23" and floors["peft"] == "0.21" and floors["bitsandbytes"] == "0.50"
    assert floors["torch"] == "2.6"  # what transformers 5.23+ itself requires
    text = (CONTENT / "units" / "03-finetuning-in-practice" / "unit.md").read_text()
    assert "`activation_checkpointing=True`" in text and "5.23" in text


def test_the_unit_page_shows_the_banner(tmp_path, monkeypatch):
    sys.path.insert(0, str(Path(__file__).parent))
    from apptest_helpers import open_page, texts

    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "app.sqlite3"))
    monkeypatch.setenv("STUDYAPP_CONTENT", str(CONTENT))
    at = open_page("views/unit.py", unit="qlora")
    assert not at.exception
    assert BANNER in texts(at)
