"""The instructor's view of a class: per student, per quiz question, per card.

Pure functions over the store (no streamlit). Each table is a list of frozen rows
that the Class page draws and :func:`to_csv` turns into a download.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from fsrs import Rating, State

from studyapp.core import card_control, progress, srs, study_settings
from studyapp.core.content import Course
from studyapp.core.store import Store

OVERDUE_AFTER = timedelta(days=1)  # a due card not reviewed for a day is overdue


@dataclass(frozen=True)
class Student:
    """Who is in the class (every account that is not the solo profile)."""

    user_id: str
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class StudentRow:
    """One student's progress, over the units chosen."""

    student: str
    username: str
    last_active: str  # ISO time of their latest study action or sign-in; "" if never
    units_read: int  # units with every section marked read
    cards_seen: int
    cards_due: int
    cards_overdue: int
    mastery: dict  # unit slug -> share of the unit's cards mastered (0..1)
    quiz: dict  # unit slug -> (right, total)


@dataclass(frozen=True)
class QuestionRow:
    """How the class did on one quiz question."""

    unit: str
    question: str
    prompt: str
    students_answered: int
    right_first_try: float  # share of students whose first answer was right
    right_latest: float  # share of students whose latest answer is right
    common_wrong_answer: str
    common_wrong_count: int


@dataclass(frozen=True)
class CardRow:
    """How hard one recall card is for the class."""

    unit: str
    card: str
    front: str
    students: int  # who reviewed it
    reviews: int
    lapse_rate: float  # share of its reviews from the Review state rated Again (forgotten)
    lapses: int


def students(store: Store) -> list[Student]:
    """Every student of the class, by display name (not instructors, not the solo "local" profile)."""
    rows = store.query("select id, username, display_name, role from users where provider != 'local' "
                       "and coalesce(role, 'student') = 'student' order by lower(display_name), id")
    return [Student(r["id"], r["username"] or "", r["display_name"] or r["id"], r["role"] or "student") for r in rows]


def last_active(store: Store) -> dict[str, str]:
    """Each user's latest study action (review, answer, note, reading) or sign-in, as ISO time."""
    rows = store.query(
        "select user_id, max(at) as at from ("
        " select user_id, reviewed_at as at from review_log union all"
        " select user_id, answered_at from quiz_attempt union all"
        " select user_id, updated_at from note union all"
        " select user_id, done_at from reading union all"
        " select user_id, created_at from auth_session) group by user_id")
    return {r["user_id"]: r["at"] or "" for r in rows}


def student_rows(store: Store, course: Course, now: datetime,
                 unit_slugs: list[str] | None = None, *, new_per_day: int | None = None) -> list[StudentRow]:
    """Per student: last active, units read, cards seen/due/overdue, mastery and quiz per unit.

    Each student's figures follow their own settings (daily limits, their day in their saved
    time zone, else UTC: the instructor's browser says nothing about a student's zone);
    ``new_per_day`` is the server's default for students who saved none. Suspended and
    buried cards are not due.
    """
    units = [u for u in course.units if unit_slugs is None or u.slug in unit_slugs]
    keys = {c.key for u in units for c in u.cards}
    active = last_active(store)
    base = study_settings.defaults(new_per_day)
    result = []
    for who in students(store):
        states = srs.load_states(store, who.user_id)
        settings = study_settings.load(store, who.user_id, base)
        limits = settings.limits(settings.study_day())
        per_unit = [progress.unit_progress(store, who.user_id, u, now, states, **limits) for u in units]
        held = card_control.held_out(store, who.user_id, now)
        due = [s for k, s in states.items() if k in keys and k not in held and s.card.due <= now]
        result.append(StudentRow(
            student=who.display_name, username=who.username, last_active=active.get(who.user_id, ""),
            units_read=sum(p.sections_total > 0 and p.sections_read == p.sections_total for p in per_unit),
            cards_seen=sum(p.cards_seen for p in per_unit), cards_due=len(due),
            cards_overdue=sum(s.card.due < now - OVERDUE_AFTER for s in due),
            mastery={p.slug: p.mastery for p in per_unit}, quiz={p.slug: (p.quiz_right, p.quiz_total) for p in per_unit}))
    return result


def _answer_text(raw: str) -> str:
    value = json.loads(raw)
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def question_rows(store: Store, course: Course, unit_slugs: list[str] | None = None) -> list[QuestionRow]:
    """Per quiz question: share right at first try and now, and the most common wrong answer."""
    class_ids = {s.user_id for s in students(store)}
    attempts = defaultdict(list)  # question key -> [(user, correct, answer)] in answer order
    for r in store.query("select user_id, question_key, answer, correct from quiz_attempt order by id"):
        if r["user_id"] in class_ids:
            attempts[r["question_key"]].append((r["user_id"], bool(r["correct"]), r["answer"]))
    rows = []
    for unit in course.units:
        if unit_slugs is not None and unit.slug not in unit_slugs:
            continue
        for q in unit.questions:
            rows.append(_question_row(unit.slug, q, attempts.get(q.key, [])))
    return rows


def _question_row(unit_slug: str, question, attempts: list[tuple[str, bool, str]]) -> QuestionRow:
    first, latest = {}, {}
    for user, correct, _ in attempts:
        first.setdefault(user, correct)
        latest[user] = correct
    wrong = Counter(_answer_text(a) for _, correct, a in attempts if not correct)
    text, count = wrong.most_common(1)[0] if wrong else ("", 0)
    n = len(first)
    return QuestionRow(unit_slug, question.id, question.prompt, n,
                       sum(first.values()) / n if n else 0.0, sum(latest.values()) / n if n else 0.0, text, count)


def card_rows(store: Store, course: Course, unit_slugs: list[str] | None = None) -> list[CardRow]:
    """Per card, hardest first: the share of its reviews (from Review) that were forgotten."""
    class_ids = {s.user_id for s in students(store)}
    stats = defaultdict(lambda: {"users": set(), "reviews": 0, "from_review": 0, "lapses": 0})
    for r in store.query("select user_id, card_key, rating, state_before from review_log"):
        if r["user_id"] not in class_ids:
            continue
        s = stats[r["card_key"]]
        s["users"].add(r["user_id"])
        s["reviews"] += 1
        if r["state_before"] == int(State.Review):
            s["from_review"] += 1
            s["lapses"] += r["rating"] == int(Rating.Again)
    rows = []
    for unit in course.units:
        if unit_slugs is not None and unit.slug not in unit_slugs:
            continue
        for card in unit.cards:
            s = stats.get(card.key)
            if s:
                rate = s["lapses"] / s["from_review"] if s["from_review"] else 0.0
                rows.append(CardRow(unit.slug, card.id, card.front, len(s["users"]), s["reviews"], rate, s["lapses"]))
    return sorted(rows, key=lambda r: (-r.lapse_rate, -r.lapses, r.unit, r.card))


def flatten(row) -> dict:
    """A row as flat columns (per-unit mastery and quiz spread into their own columns)."""
    out = {}
    for name, value in asdict(row).items():
        if name == "mastery":
            out.update({f"mastery {slug}": round(v, 3) for slug, v in value.items()})
        elif name == "quiz":
            out.update({f"quiz {slug}": f"{r}/{t}" for slug, (r, t) in value.items()})
        else:
            out[name] = round(value, 3) if isinstance(value, float) else value
    return out


def to_csv(rows: list) -> str:
    """Rows as CSV text with a header (cells that a spreadsheet would run as formulas are quoted)."""
    flat = [flatten(r) for r in rows]
    if not flat:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(flat[0]))
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in flat)
    return buffer.getvalue()


def _cell(value):
    # A display name like "=HYPERLINK(...)" must not become a formula in the instructor's spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
