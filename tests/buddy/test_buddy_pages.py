"""The buddy in the app (AppTest from the real entry point): the unit panel, the page, quiz-me, isolation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from apptest_helpers import class_environment, open_page, sign_in, texts
from paths import ROOT
from studyapp.buddy import history
from studyapp.core.store import open_store


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "app.sqlite3"
    monkeypatch.setenv("STUDYAPP_DB", str(path))
    monkeypatch.delenv("STUDYAPP_LLM_BASE_URL", raising=False)
    return path


def _ask(at, text: str):
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def test_the_unit_page_panel_answers_with_cited_sections_of_that_unit(db):
    at = open_page("views/unit.py", unit="qlora")
    assert "Answers from the course" in texts(at)
    _ask(at, "what does double quantization save?")
    shown = texts(at)
    assert (
        "The course covers this in **QLoRA: fine-tuning on a 4-bit base › Double quantization** [1]" in shown
    )
    links = [(p.label, p.proto.page) for p in at.get("page_link")]
    assert any(label.startswith("[1] QLoRA") for label, _ in links)


def test_the_study_buddy_page_keeps_the_conversation_per_student(db, monkeypatch):
    class_environment(monkeypatch, db, ("ada", "correct horse"), ("bob", "battery staple"))
    at = sign_in("ada", "correct horse", "views/buddy.py")
    _ask(at, "what is the capital of france")
    assert "I could not find this in the course." in texts(at)
    with _opened(db) as store:
        assert [m.role for m in history.messages(store, "ada")] == ["student", "buddy"]
        assert history.messages(store, "bob") == []
    bob = sign_in("bob", "battery staple", "views/buddy.py")
    assert "capital of france" not in texts(bob) and "Hi! I'm Spooky" in texts(bob)
    again = sign_in("ada", "correct horse", "views/buddy.py")  # a new session: the history comes from SQLite
    assert "capital of france" in texts(again) and "I could not find this in the course." in texts(again)


class _opened:
    def __init__(self, path):
        self.store = open_store(path)

    def __enter__(self):
        return self.store

    def __exit__(self, *exc):
        self.store.close()


def test_quiz_me_records_real_reviews_through_the_fsrs_path(db):
    at = open_page("views/buddy.py")
    _ask(at, "quiz me")
    shown = texts(at)
    assert "Quiz time: 5 card(s) from the whole course" in shown and "QUIZ · card 1 of 5" in shown
    _ask(at, "B starts at zero so BA is zero")
    shown = texts(at)
    assert "YOUR ANSWER" in shown and "THE CARD SAYS" in shown and "B starts at zero so BA is zero" in shown
    good = next(b for b in at.button if b.key == "buddy-page-quiz-rate-3")
    assert good.label.startswith("Good · ")
    good.click().run()
    assert not at.exception
    with _opened(db) as store:
        logs = store.query("select card_key, rating from review_log where user_id = 'local'")
        assert len(logs) == 1 and logs[0]["rating"] == 3
        state = store.query(
            "select reps from card_state where user_id = 'local' and card_key = ?", (logs[0]["card_key"],)
        )
        assert state == [{"reps": 1}]
        saved = [m.payload["quiz"] for m in history.messages(store, "local") if "quiz" in m.payload]
        assert saved[0]["answer"] == "B starts at zero so BA is zero" and saved[0]["rating"] == "Good"
    assert "QUIZ · card 2 of 5" in texts(at)
    _ask(at, "stop")
    assert "Quiz over: 1 Good" in texts(at)


def test_clearing_empties_only_this_students_conversation(db):
    with _opened(db) as store:
        from datetime import datetime, timezone

        store.ensure_user("bob", datetime.now(timezone.utc))
        history.add_message(store, "bob", history.STUDENT, "bob's", datetime.now(timezone.utc))
    at = open_page("views/buddy.py")
    _ask(at, "what is NF4?")
    next(b for b in at.button if b.key == "buddy-page-clear").click().run()
    with _opened(db) as store:
        assert history.messages(store, "local") == []
        assert [m.text for m in history.messages(store, "bob")] == ["bob's"]


def test_a_study_page_and_a_question_import_no_torch(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        os.environ["STUDYAPP_DB"] = {str(tmp_path / "torch.sqlite3")!r}
        from apptest_helpers import open_page
        at = open_page("views/unit.py", unit="lora-basics")
        assert "torch" not in sys.modules, "the unit page imported torch"
        at.chat_input[0].set_value("why is B initialised to zero?").run()
        assert not at.exception, at.exception
        print("TORCH", "torch" in sys.modules)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240, cwd=ROOT
    )
    assert "TORCH False" in out.stdout, out.stdout + out.stderr
