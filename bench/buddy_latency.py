"""The buddy's costs: index build, offline answer latency (p50/p95), the first question in a fresh
process (imports, index, any model load), and a unit page's server time with and without the panel.

Goals: answer p50 < 150 ms once the index is built; the panel adds nothing heavy to a unit page.
Run: .venv/bin/python bench/buddy_latency.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

NUMBER_QUESTIONS = [
    "How many trainable parameters does r=16 on all linear layers of Llama-3-8B add?",
    "does llama-2-7b fit a T4 in 4-bit?",
    "how big is the adapter for mistral 7b with r=8 on q_proj and v_proj",
    "what percent of llama-2-7b is trainable with r=8",
    "how much memory does llama-3-8b need in nf4",
]
FIRST = """
import time; t = time.perf_counter()
from studyapp.buddy.answer import ask; from studyapp.buddy.index import build_index
from studyapp.core.content import load_course
answer = ask(build_index(load_course({content!r})), {question!r})
print(time.perf_counter() - t, answer.kind)
"""


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def index_build(course, runs: int = 5) -> float:
    from studyapp.buddy.index import build_index

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        build_index(course)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def answer_latency(index, questions: list[str], rounds: int) -> list[float]:
    from studyapp.buddy.answer import ask

    times = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            ask(index, question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def first_question(question: str) -> tuple[float, float]:
    """(seconds inside the process, wall seconds including interpreter start) for a fresh process."""
    code = FIRST.format(content=str(ROOT / "content"), question=question)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.split()[0]), time.perf_counter() - started


def unit_page_ms(with_panel: bool, runs: int = 15) -> float:
    """Median server time of a unit page rerun (AppTest), with or without the buddy panel."""
    import studyapp.ui.buddy as buddy_ui
    from apptest_helpers import open_page

    os.environ["STUDYAPP_DB"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    original = buddy_ui.panel
    if not with_panel:
        buddy_ui.panel = lambda unit_slug: None
    try:
        at = open_page("views/unit.py", unit="qlora")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        buddy_ui.panel = original
    return statistics.median(times)


def main() -> None:
    from studyapp.buddy.evaluate import load_questions
    from studyapp.buddy.index import build_index
    from studyapp.core.content import load_course

    course = load_course(ROOT / "content")
    print(f"index build: median {index_build(course) * 1000:.0f} ms (5 builds)")
    index = build_index(course)
    course_questions = [q.question for q in load_questions(ROOT / "tests" / "buddy" / "questions.yaml")]
    text = answer_latency(index, course_questions, rounds=3)
    print(
        f"offline answer, course questions: p50 {statistics.median(text):.1f} ms, p95 {pct(text, 95):.1f} ms "
        f"({len(text)} answers)"
    )
    answer_latency(index, NUMBER_QUESTIONS, rounds=1)  # the first wrap of each model is the cold case
    numbers = answer_latency(index, NUMBER_QUESTIONS, rounds=4)
    print(
        f"offline answer, number questions (Lab warm): p50 {statistics.median(numbers):.1f} ms, "
        f"p95 {pct(numbers, 95):.1f} ms ({len(numbers)} answers)"
    )
    for question in (course_questions[0], NUMBER_QUESTIONS[0]):
        inside, wall = first_question(question)
        print(
            f"first question in a fresh process ({'number' if question in NUMBER_QUESTIONS else 'course'}): "
            f"{inside:.2f} s for imports + index + answer, {wall:.2f} s with interpreter start"
        )
    with_panel, without = unit_page_ms(True), unit_page_ms(False)
    print(
        f"unit page rerun, server time (AppTest, median of 15): {with_panel:.0f} ms with the panel, "
        f"{without:.0f} ms without"
    )


if __name__ == "__main__":
    main()
