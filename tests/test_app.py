"""Every page through AppTest from the entry point, with a real SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.core import notes, quiz, srs
from studyapp.core.store import open_store

from apptest_helpers import open_page, texts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _every_test_on_a_fresh_database(app_env):
    return app_env


def db(app_env, now=None):
    from datetime import datetime, timezone
    return open_store(app_env, now or datetime.now(timezone.utc))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_lists_units_with_progress_and_charts(course):
    at = open_page()
    assert not at.exception
    page = texts(at)
    assert "Learn LoRA and QLoRA" in page
    assert "min read" in page and f"**Mastered 0%** · 0 of {len(course.units[0].cards)} cards" in page
    assert at.get("plotly_chart") and len(at.get("plotly_chart")) == 2


def test_home_counts_new_learning_and_due_apart_for_a_new_student(course):
    """A brand-new student has 20 new cards (today's limit) and nothing to review: not "20 to review"."""
    at = open_page()
    assert metrics(at) == {"New": str(srs.NEW_CARDS_PER_DAY), "Learning": "0", "Due": "0",
                           "Mastered": f"0 / {len(course.cards)}", "Study streak": "0 days"}
    first = len(course.units[0].cards)  # unit 1 in the course map, same counts
    assert f"Now: {min(first, srs.NEW_CARDS_PER_DAY)} new · 0 learning · 0 due" in texts(at)


def test_unit_page_renders_text_explainer_and_tabs(course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    assert not at.exception
    assert at.title[0].value == unit.title
    assert f"{unit.read_minutes} min read" in texts(at)
    assert len(at.tabs) == 3
    assert at.get("plotly_chart"), "the explainer's Plotly figure is drawn"
    assert at.slider(key="lora-basics-explainer-0-r").value == 8


def test_explainer_sliders_update_the_counts():
    at = open_page("views/unit.py", unit="lora-basics")
    key = next(s.key for s in at.slider if s.key.endswith("-r"))
    at.slider(key=key).set_value(16).run()
    values = {m.label: m.value for m in at.metric}
    assert values["LoRA r·(d+k)"] == f"{16 * (4096 + 4096):,}"


def test_unknown_unit_is_a_friendly_not_found():
    at = open_page("views/unit.py", unit="no-such-unit")
    assert not at.exception
    assert at.title[0].value == "Unit not found"
    assert "no-such-unit" in texts(at)


def test_broken_unit_shows_its_errors_and_home_still_serves(content_copy, monkeypatch):
    cards = content_copy / "units" / "01-lora-basics" / "cards.yaml"
    cards.write_text(cards.read_text() + "- id: [broken\n")
    monkeypatch.setenv("STUDYAPP_CONTENT", str(content_copy))
    at = open_page("views/unit.py", unit="lora-basics")
    assert not at.exception
    assert "cannot be shown because its files have errors" in texts(at)
    assert "cards.yaml:" in at.code[0].value
    home = open_page()
    assert not home.exception and "This unit has 1 error and is hidden" in texts(home)


def test_drill_flip_rate_undo(app_env, course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    assert f"Left in this session: **{len(unit.cards)} new · 0 learning · 0 due**" in texts(at)
    assert at.button(key="drill-undo").disabled  # nothing to undo yet
    assert unit.cards[0].front in texts(at)
    at.button(key="drill-flip").click().run()
    assert unit.cards[0].back in texts(at)
    labels = [at.button(key=f"drill-rate-{i}").label for i in range(1, 5)]
    # Learning steps are exact; the app fuzzes review intervals (as Anki does), so Easy's
    # 8 days may show as a few days more or less: what matters is that the saved interval
    # is the one on the button (checked below).
    assert labels[:3] == ["Again · 1m", "Hard · 6m", "Good · 10m"]
    assert labels[3].startswith("Easy · ") and labels[3].endswith("d")
    at.button(key="drill-rate-4").click().run()
    assert not at.exception
    assert f"**{len(unit.cards) - 1} new · 0 learning · 0 due**" in texts(at)
    assert unit.cards[1].front in texts(at)
    store = db(app_env)
    state = srs.load_state(store, "local", unit.cards[0].key)
    assert state is not None and state.reps == 1
    assert f"Easy · {srs.format_interval(state.card.due - state.card.last_review)}" == labels[3]  # saved = shown
    assert not at.button(key="drill-undo").disabled
    at.button(key="drill-undo").click().run()
    assert srs.load_state(store, "local", unit.cards[0].key) is None
    assert f"**{len(unit.cards)} new · 0 learning · 0 due**" in texts(at)
    assert unit.cards[0].front in texts(at)
    assert at.button(key="drill-undo").disabled  # the one rating of this session was taken back


def test_every_figure_on_the_unit_page_includes_the_action_just_taken(app_env, course):
    """The header used to lag one action behind (ticks, ratings, answers): it is read after them."""
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    for section in unit.sections[:3]:
        at.checkbox(key=f"read-lora-basics-{section.slug}").check().run()
    assert metrics(at)["Read"] == f"3/{len(unit.sections)}"
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-1").click().run()  # Again: a new card becomes a learning card
    assert metrics(at)["New · Learning · Due"] == f"{len(unit.cards) - 1} · 1 · 0"
    assert f"**{min(len(unit.cards), srs.NEW_CARDS_PER_DAY) - 1} new · 1 learning · 0 due**" in texts(at)
    question = unit.questions[0]
    _answer(at, question, right=True)
    at.button(key="quiz-check").click().run()
    assert metrics(at)["Quiz"] == f"1/{len(unit.questions)}"
    at.checkbox(key=f"read-lora-basics-{unit.sections[0].slug}").uncheck().run()
    assert metrics(at)["Read"] == f"2/{len(unit.sections)}"


def test_a_card_rated_again_comes_back_until_it_passes(app_env, course, monkeypatch):
    monkeypatch.setenv("STUDYAPP_NEW_CARDS_PER_DAY", "1")
    card = course.units[0].cards[0]
    at = open_page("views/review.py")
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-1").click().run()
    # Its one-minute step is not over and nothing else is left: shown early (learn-ahead).
    assert card.front in texts(at) and "**0 new · 1 learning · 0 due**" in texts(at)
    for _ in range(2):  # Good, Good: through the 10-minute step to a review interval
        at.button(key="drill-flip").click().run()
        at.button(key="drill-rate-3").click().run()
    assert srs.load_state(db(app_env), "local", card.key).card.state == srs.State.Review  # it passed
    assert "No more cards for now." in texts(at) and "You reviewed 3 cards this session." in texts(at)


def test_the_new_card_limit_is_the_reason_given_everywhere_and_can_be_raised(app_env, course, monkeypatch):
    monkeypatch.setenv("STUDYAPP_NEW_CARDS_PER_DAY", "1")
    unit = course.unit("loraconfig")
    at = open_page("views/unit.py", unit="loraconfig")
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-4").click().run()
    page = texts(at)
    held = f"so {len(unit.cards) - 1} unseen cards wait. The limit resets at 04:00 UTC, in "  # the student's day
    assert "No more cards for now." in page and held in page
    assert "Today's limit of 1 new card is reached" in page
    nudge = next(i.value for i in at.info if "Every card offered today is done." in i.value)
    assert held in nudge  # the quiz's nudge gives the same reason, not "24 card(s) not yet seen"
    assert "All caught up" not in page
    at.button(key="drill-more-new").click().run()
    assert unit.cards[1].front in texts(at)
    assert f"**{srs.MORE_NEW_CARDS} new · 0 learning · 0 due**" in texts(at)
    assert metrics(at)["New · Learning · Due"] == f"{srs.MORE_NEW_CARDS} · 0 · 0"


def test_review_page_is_the_queue_across_units(course):
    at = open_page("views/review.py")
    assert not at.exception
    assert f"**{min(len(course.cards), srs.NEW_CARDS_PER_DAY)} new · 0 learning · 0 due**" in texts(at)


def test_drill_all_caught_up(app_env, course):
    from datetime import datetime, timezone

    unit, now = course.units[0], datetime.now(timezone.utc)
    store = db(app_env)
    easy = srs.preview(srs.make_scheduler(enable_fuzzing=False), None, now)[srs.Rating.Easy]
    for card in unit.cards:  # every card of the unit seen, none due for 8 days
        srs.record_review(store, "local", card.key, easy, now)
    at = open_page("views/unit.py", unit=unit.slug)
    assert "**All caught up.** The next review is due in 8d." in texts(at)
    assert not [b for b in at.button if b.key == "drill-undo"]


def test_quiz_feedback_score_and_retry_missed(app_env, course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    waiting = min(len(unit.cards), srs.NEW_CARDS_PER_DAY)
    assert f"Before the quiz, {waiting} new cards wait in the Fast Drill." in texts(at)
    for i, question in enumerate(unit.questions):
        assert f"Question {i + 1} of {len(unit.questions)}" in texts(at)
        _answer(at, question, right=(i != 0))
        at.button(key="quiz-check").click().run()
        assert not at.exception
        assert ("Correct." if i else "Not quite.") in texts(at)
        assert question.explanation.split("\n")[0][:40] in texts(at)
        assert metrics(at)["Quiz"] == f"{i}/{len(unit.questions)}"  # the header counts this answer already
        at.button(key="quiz-next").click().run()
    assert metrics(at)["Your score"] == f"{len(unit.questions) - 1} / {len(unit.questions)}"
    assert metrics(at)["Quiz"] == f"{len(unit.questions) - 1}/{len(unit.questions)}"
    missed = next(m.value for m in at.markdown if m.value.startswith("**Missed:**"))
    # A list, not a run-on line:
    assert missed == "**Missed:**\n\n- " + unit.questions[0].prompt.replace("\n", "\n  ")
    at.button(key="quiz-retry").click().run()
    assert f"Question 1 of 1" in texts(at) and unit.questions[0].prompt in texts(at)
    results = quiz.latest_results(db(app_env), "local", unit.slug)
    assert len(results) == len(unit.questions) and results[unit.questions[0].key] is False


def test_a_checked_answer_marks_the_correct_choice_and_the_students(course):
    unit = course.unit("lora-basics")
    question = next(q for q in unit.questions if q.kind == "single")
    at = open_page("views/unit.py", unit="lora-basics")
    while question.prompt not in texts(at):  # answer until the single-choice question comes up
        current = next(q for q in unit.questions if q.prompt in texts(at))
        _answer(at, current, right=True)
        at.button(key="quiz-check").click().run()
        at.button(key="quiz-next").click().run()
    _answer(at, question, right=False)
    at.button(key="quiz-check").click().run()
    shown = [m.value for m in at.markdown]
    labels = [v for v in shown if v.startswith(":material/")]
    assert labels.count(":material/check_circle: **Correct answer · you did not choose it**") == 1
    assert labels.count(":material/cancel: **Your choice · not correct**") == 1
    assert len(labels) == len(question.choices)  # every choice is shown, each with its mark
    label = shown.index(":material/check_circle: **Correct answer · you did not choose it**")
    assert shown[label + 1] == question.answer  # the mark sits on the correct choice
    assert not [w for w in at.radio if (w.key or "").startswith("quiz-answer")]  # no greyed-out widget


def test_a_reload_resumes_the_quiz_where_the_student_was(app_env, course):
    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    for question in unit.questions[:2]:
        _answer(at, question, right=True)
        at.button(key="quiz-check").click().run()
        at.button(key="quiz-next").click().run()
    _answer(at, unit.questions[2], right=False)
    at.button(key="quiz-check").click().run()
    reloaded = open_page("views/unit.py", unit="lora-basics")  # a new browser session
    page = texts(reloaded)
    assert f"Question 3 of {len(unit.questions)}" in page and "Not quite." in page
    reloaded.button(key="quiz-next").click().run()
    assert f"Question 4 of {len(unit.questions)}" in texts(reloaded)


def _answer(at, question, right: bool) -> None:
    key = next(w.key for w in (*at.radio, *at.text_input, *at.checkbox) if w.key and w.key.startswith("quiz-answer"))
    base = key.rsplit("-", 1)[0] if question.kind == "multi" else key
    if question.kind == "single":
        wrong = next(c for c in question.choices if c != question.answer)
        at.radio(key=base).set_value(question.answer if right else wrong).run()
    elif question.kind == "multi":
        picks = set(question.answer) if right else {question.choices[0]} ^ set(question.answer)
        for i, choice in enumerate(question.choices):
            at.checkbox(key=f"{base}-{i}").set_value(choice in picks)
        at.run()
    else:
        value = question.answer if right else question.answer + question.tolerance + 1
        at.text_input(key=base).input(str(value)).run()


def test_scratchpad_shows_the_saved_note(app_env, now):
    notes.save_note(db(app_env), "local", "lora-basics", "remember: B starts at zero", now)
    at = open_page("views/unit.py", unit="lora-basics")
    assert not at.exception
    assert "Chapter Scratchpad" in texts(at)


def test_database_that_cannot_be_opened_shows_the_path(tmp_path, monkeypatch):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"garbage" * 500)
    monkeypatch.setenv("STUDYAPP_DB", str(bad))
    at = open_page()
    assert not at.exception
    assert str(bad) in at.error[0].value


def test_pages_never_import_the_lab_stack():
    """No page of the study loop may pay for torch, transformers, peft or bitsandbytes."""
    script = (
        "import sys, os\n"
        "sys.path.insert(0, os.path.join(os.getcwd(), 'tests'))\n"
        "from apptest_helpers import open_page\n"
        "open_page(); open_page('views/review.py'); open_page('views/unit.py', unit='lora-basics')\n"
        "for page in ('settings', 'stats', 'cards', 'data', 'buddy'): open_page(f'views/{page}.py')\n"
        "heavy = [m for m in ('torch', 'transformers', 'peft', 'bitsandbytes') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY=\n" in out.stdout


def test_locked_database_keeps_the_rating_for_a_retry(app_env, course):
    import sqlite3

    unit = course.unit("lora-basics")
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="drill-flip").click().run()
    blocker = sqlite3.connect(app_env, isolation_level=None)
    blocker.execute("begin exclusive")  # another program holds the file past the busy timeout
    try:
        at.button(key="drill-rate-3").click().run(timeout=60)
        page = texts(at)
        assert "**Your rating was not saved.** Could not save your review to the study database at" in page
        assert str(app_env) in page and "locked" in page and "press the rating again" in page
        assert unit.cards[0].back in page  # the card is still on screen, flipped
        assert f"**{len(unit.cards)} new · 0 learning" in page
    finally:
        blocker.execute("rollback")
        blocker.close()
    at.button(key="drill-rate-3").click().run()
    assert f"**{len(unit.cards) - 1} new · 1 learning" in texts(at) and "not saved" not in texts(at)
    assert srs.load_state(db(app_env), "local", unit.cards[0].key).reps == 1


def test_search_page_finds_cards_questions_and_text():
    at = open_page("views/search.py", q="double quantization")
    assert not at.exception
    page = texts(at)
    assert "result" in page and "Recall card" in page and "Quiz question" in page and "Unit text" in page


def test_sidebar_search_on_any_page_opens_results():
    at = open_page("views/review.py")
    at.text_input(key="sidebar-search").input("merge_and_unload").run()
    assert not at.exception
    assert at.title[0].value == "Search the course"
    assert "results for “merge_and_unload”" in texts(at)


def test_home_course_map_and_what_to_study_next(course):
    at = open_page()
    page = texts(at)
    assert "Course map" in page and "What to study next:** Start unit 1" in page


def test_coming_back_offers_the_questions_missed_last_time(app_env, course, now):
    unit = course.unit("lora-basics")
    first, second = unit.questions[:2]
    store = db(app_env)
    quiz.record_attempt(store, "local", first, "wrong", quiz.grade(first, "wrong"), now)
    quiz.record_attempt(store, "local", second, second.answer, quiz.grade(second, second.answer), now)
    at = open_page("views/unit.py", unit="lora-basics")
    at.button(key="quiz-retry-stored").click().run()
    assert not at.exception
    assert "Question 1 of 1" in texts(at) and first.prompt in texts(at)


@pytest.mark.parametrize("page, query, table", [
    (None, {}, "card_state"), ("views/review.py", {}, "card_state"),
    ("views/unit.py", {"unit": "lora-basics"}, "card_state"),
    ("views/unit.py", {"unit": "lora-basics"}, "quiz_run"),
    ("views/unit.py", {"unit": "lora-basics"}, "reading"),
    ("views/unit.py", {"unit": "lora-basics"}, "card_control"), ("views/stats.py", {}, "review_log"),
    ("views/cards.py", {}, "card_control"), ("views/settings.py", {}, "study_settings"),
    ("views/settings.py", {}, "optimizer_run"),
], ids=["home", "review", "unit-cards", "unit-quiz", "unit-reading", "unit-controls", "stats", "cards",
        "settings", "settings-optimizer"])
def test_a_read_the_store_refuses_is_one_message_not_a_traceback(app_env, page, query, table):
    import sqlite3

    db(app_env).close()  # a migrated file, then a table of it made unreadable by another program
    conn = sqlite3.connect(app_env)
    conn.execute(f"alter table {table} rename to {table}_elsewhere")
    conn.commit()
    conn.close()
    at = open_page(page, **query)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors
    for error in errors:  # one shape: headline, the store's sentence (file, cause, fix), what to do
        assert error.startswith("**Could not load ") and error.endswith("Reload the page to try again.")
        assert str(app_env) in error and f"no such table: {table}" in error


# Where a StoreError is caught outside ui/guard.py, and why (each place still uses guard.message's shape).
STORE_ERROR_ELSEWHERE = {
    "scratchpad.py": "a refused save is told inside the text area, where the student is typing",
    "signin.py": "the sign-in page, not a study page: sign-in and account errors side by side",
    "identity.py": "resolving who is signed in, before any page",
    "account.py": "the account page: account and password errors side by side",
    "context.py": "opening the store itself",
}


def test_pages_meet_store_errors_only_through_the_guard():
    """One helper, one message shape: no page or widget catches StoreError itself, but where listed."""
    import ast

    offenders = []
    for path in sorted([*(ROOT / "studyapp" / "views").glob("*.py"), *(ROOT / "studyapp" / "ui").glob("*.py")]):
        if path.name in ("guard.py", *STORE_ERROR_ELSEWHERE):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            caught = ast.unparse(node.type) if isinstance(node, ast.ExceptHandler) and node.type else ""
            if "StoreError" in caught:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
    assert "except StoreError" in (ROOT / "studyapp" / "ui" / "guard.py").read_text()


def test_explainer_memory_is_in_binary_units():
    """One unit system (core/units.py): the quant-bits explainer said "14.00 GB" for 7B bf16 weights."""
    from studyapp.core import explainers as ex
    from studyapp.core import units

    at = open_page("views/unit.py", unit="qlora")
    shown = metrics(at)
    assert shown["bf16"] == units.gib(7e9 * 2) == "13.04 GiB"
    assert shown["NF4"] == units.gib(7e9 * ex.nf4_bits(64) / 8)
    assert not [v for v in shown.values() if v.endswith(" GB")]


def test_every_study_chart_has_the_one_style_and_no_toolbar(course):
    """Home's charts and every unit's explainers: chart_style's fonts, legend above, no Plotly toolbar."""
    import json

    from studyapp.ui import chart_style

    pages = [open_page()] + [open_page("views/unit.py", unit=u.slug) for u in course.units]
    charts = [c for at in pages for c in at.get("plotly_chart")]
    assert len(charts) >= 2 + sum(b.kind == "explainer" for u in course.units for b in u.blocks)
    for chart in charts:
        spec, config = json.loads(chart.proto.spec), json.loads(chart.proto.config)
        assert config.get("displayModeBar") is False
        layout = spec["layout"]
        assert layout["font"]["color"] == chart_style.INK and layout["legend"]["orientation"] == "h"
        ticks = [a["tickfont"]["color"] for name, a in layout.items() if name.startswith(("xaxis", "yaxis"))]
        assert ticks and set(ticks) == {chart_style.MUTED_INK}


def test_the_study_calendar_names_its_months_and_has_a_colour_scale(app_env, now):
    from collections import Counter
    from datetime import date, datetime, timezone

    from studyapp.ui import charts

    fig = charts.calendar_figure(Counter({date(2026, 3, 2): 1, date(2026, 2, 10): 4}), date(2026, 3, 2))
    heatmap = fig.data[0]
    assert list(fig.layout.xaxis.ticktext) == ["Dec", "Jan", "Feb", "Mar"]
    assert heatmap.showscale and heatmap.colorbar.title.text == "actions a day"
    assert "Mon 02 Mar: 1 study action" in [t for row in heatmap.text for t in row]  # not "1 actions"
    today = datetime.now(timezone.utc)
    good = srs.preview(srs.make_scheduler(), None, today)[srs.Rating.Good]
    srs.record_review(db(app_env), "local", "lora-basics/frozen-weights", good, today)
    assert metrics(open_page())["Study streak"] == "1 day"
