"""A student's study settings, as Anki's deck options: retention, daily limits, steps, their day.

Each field carries its help text, range and default in its metadata, so the
Settings page, the CLI and the validation read one statement of it. Settings are
frozen (hashable): the scheduler built from them is cached by their value
(``srs.scheduler_for``). A student who never saved any gets :func:`defaults`.

Stored as one JSON object per student in ``study_settings`` (migration 5);
a field missing from the stored object (saved by an older version) takes its
default, and a stored value that no longer validates is replaced by the default
and reported by :func:`load_checked`, never raised on a study page.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from studyapp.core.store import Store
from studyapp.core.study_day import DEFAULT_START_HOUR, StudyDay, ZoneError, zone_named

RETENTION_RANGE = (0.70, 0.97)  # Anki's advice: below 0.70 too much is forgotten, above 0.97 too many reviews
MAX_STEPS = 10
STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # Anki's step units: 30s 1m 10m 1h 1d
STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")


class SettingsError(ValueError):
    """Settings that do not validate; ``problems`` says what is wrong with each, and how to fix it."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _meta(label: str, help_text: str, **extra: Any) -> dict[str, Any]:
    return {"label": label, "help": help_text, **extra}


@dataclass(frozen=True)
class StudySettings:
    """One student's settings. Steps are seconds; ``parameters`` are FSRS-6's 21 weights."""

    desired_retention: float = field(default=0.9, metadata=_meta(
        "Desired retention",
        "The share of due cards you want to recall when they come back. FSRS schedules each review "
        "for when your predicted recall falls to this. Higher means shorter intervals and more "
        "reviews; 0.90 is Anki's default.", min=RETENTION_RANGE[0], max=RETENTION_RANGE[1]))
    new_per_day: int = field(default=20, metadata=_meta(
        "New cards a day",
        "How many cards you see for the first time each day, across all units. You can raise it "
        "for one day from the drill.", min=0, max=999))
    max_reviews_per_day: int = field(default=200, metadata=_meta(
        "Maximum reviews a day",
        "Due review cards beyond this many a day wait for the next day (most overdue first). "
        "Learning cards are never held back. Anki's default is 200.", min=1, max=9999))
    learning_steps: tuple[int, ...] = field(default=(60, 600), metadata=_meta(
        "Learning steps",
        "The delays, in order, before a new card graduates to day-long intervals. Write them as "
        "Anki does, e.g. “1m 10m” (s, m, h, d); leave it empty to graduate on the first pass.",
        max_steps=MAX_STEPS))
    relearning_steps: tuple[int, ...] = field(default=(600,), metadata=_meta(
        "Relearning steps",
        "The delays after you forget a review card (rate it Again) before it returns to day-long "
        "intervals, e.g. “10m”.", max_steps=MAX_STEPS))
    time_zone: str = field(default="", metadata=_meta(
        "Time zone",
        "Your days, the new-card limit and your streak follow this zone. Empty: your browser's zone "
        "(UTC where none is known)."))
    day_start_hour: int = field(default=DEFAULT_START_HOUR, metadata=_meta(
        "Next day starts at",
        "The hour (your local time) at which a new study day begins, as in Anki: reviews at 1 am "
        "still count for the evening before. Anki's default is 4 am.", min=0, max=23))
    parameters: tuple[float, ...] | None = field(default=None, metadata=_meta(
        "FSRS parameters",
        "The 21 weights of FSRS-6's memory model. Empty: FSRS's defaults, fitted to many people's "
        "reviews; “Optimize my scheduler” fits them to yours."))

    def problems(self) -> list[str]:
        """What is wrong with these settings, each saying how to fix it ([] when valid)."""
        found = []
        for f in fields(self):
            value, meta = getattr(self, f.name), f.metadata
            if "min" in meta and not meta["min"] <= value <= meta["max"]:
                found.append(f"{meta['label']}: {value} is outside {meta['min']}–{meta['max']}; "
                             f"choose a value in that range.")
        for name in ("learning_steps", "relearning_steps"):
            found += _step_problems(self, name)
        try:
            zone_named(self.time_zone)
        except ZoneError as exc:
            found.append(f"Time zone: {exc}")
        if self.parameters is not None:
            found += _parameter_problems(self.parameters)
        return found

    def checked(self) -> StudySettings:
        """These settings, validated.

        Raises:
            SettingsError: a value is out of range, a step cannot be read, a zone is unknown.
        """
        problems = self.problems()
        if problems:
            raise SettingsError(problems)
        return self

    def limits(self, study_day: StudyDay) -> dict:
        """``srs.study_queue``'s daily limits for these settings, keyed by its argument names."""
        return {"new_per_day": self.new_per_day, "max_reviews": self.max_reviews_per_day, "study_day": study_day}

    def study_day(self, browser_zone: str | None = None) -> StudyDay:
        """The student's day: their chosen zone, else the browser's, else UTC; from their start hour."""
        try:
            zone = zone_named(self.time_zone or browser_zone)
        except ZoneError:
            zone = zone_named(None)  # the browser reported a name we do not know: UTC, as local_time does
        return StudyDay(zone, self.day_start_hour)


def _step_problems(settings: StudySettings, name: str) -> list[str]:
    steps = getattr(settings, name)
    label = settings.__dataclass_fields__[name].metadata["label"]
    if len(steps) > MAX_STEPS:
        return [f"{label}: {len(steps)} steps; use at most {MAX_STEPS}."]
    if any(s < 1 or s > 86400 for s in steps):
        return [f"{label}: each step must be between 1s and 1d; FSRS schedules longer gaps itself."]
    return []


def _parameter_problems(parameters: tuple[float, ...]) -> list[str]:
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    if len(parameters) != len(LOWER_BOUNDS_PARAMETERS):
        return [f"FSRS parameters: {len(parameters)} numbers; FSRS-6 needs {len(LOWER_BOUNDS_PARAMETERS)}. "
                "Run “Optimize my scheduler” again, or reset them to the defaults."]
    bad = [i for i, (p, lo, hi) in enumerate(zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))
           if not lo <= p <= hi]
    return [f"FSRS parameters: w{bad} are out of FSRS's bounds; reset them to the defaults."] if bad else []


def parse_steps(text: str) -> tuple[int, ...]:
    """'1m 10m' -> (60, 600): Anki's way of writing steps, in seconds.

    Raises:
        SettingsError: a step is not a number followed by s, m, h or d.
    """
    steps = []
    for part in text.replace(",", " ").split():
        match = STEP.match(part.strip().lower())
        if not match:
            raise SettingsError([f"“{part}” is not a step: write a number and a unit, e.g. 1m 10m "
                                 "(s seconds, m minutes, h hours, d days)."])
        steps.append(round(float(match[1]) * STEP_UNITS[match[2]]))
    return tuple(steps)


def format_steps(steps: tuple[int, ...]) -> str:
    """(60, 600) -> '1m 10m' (the largest unit that divides each step)."""
    parts = []
    for seconds in steps:
        unit = next(u for u in ("d", "h", "m", "s") if seconds % STEP_UNITS[u] == 0)
        parts.append(f"{seconds // STEP_UNITS[unit]}{unit}")
    return " ".join(parts)


def as_timedeltas(steps: tuple[int, ...]) -> tuple[timedelta, ...]:
    """Steps in seconds as the timedeltas fsrs's Scheduler takes."""
    return tuple(timedelta(seconds=s) for s in steps)


def defaults(new_per_day: int | None = None) -> StudySettings:
    """The settings of a student who saved none (``new_per_day``: the server's default, if set)."""
    base = StudySettings()
    return base if new_per_day is None else replace(base, new_per_day=new_per_day)


def to_json(settings: StudySettings) -> str:
    """The settings as the JSON object stored for a student."""
    return json.dumps(asdict(settings))


def from_dict(raw: dict, base: StudySettings) -> tuple[StudySettings, list[str]]:
    """Settings from a stored object over ``base``; fields that do not validate keep ``base``'s
    value. Returns the settings and what was replaced (one line per field)."""
    settings, dropped = base, []
    for f in fields(StudySettings):
        if f.name not in raw:
            continue
        value = raw[f.name]
        if isinstance(value, list):
            value = tuple(value)
        try:
            candidate = replace(settings, **{f.name: value})
            problems = candidate.problems()
        except TypeError as exc:  # a comparison with a value of the wrong type
            problems = [f"{f.metadata['label']}: {exc}"]
        if problems:
            dropped.append(f"{f.metadata['label']} (stored value {value!r}) is not valid, so the default is used.")
        else:
            settings = candidate
    return settings, dropped


def load_checked(store: Store, user_id: str, base: StudySettings) -> tuple[StudySettings, list[str]]:
    """The student's settings (``base`` where they saved none) and what was replaced on reading.

    Raises:
        StoreError: the database cannot be read.
    """
    rows = store.query("select settings_json from study_settings where user_id = ?", (user_id,))
    if not rows:
        return base, []
    try:
        raw = json.loads(rows[0]["settings_json"])
    except (TypeError, json.JSONDecodeError):
        return base, ["Your saved settings could not be read, so the defaults are used: save them again."]
    return from_dict(raw if isinstance(raw, dict) else {}, base)


def load(store: Store, user_id: str, base: StudySettings) -> StudySettings:
    """The student's settings (``base`` where they saved none).

    Raises:
        StoreError: the database cannot be read.
    """
    return load_checked(store, user_id, base)[0]


def save(store: Store, user_id: str, settings: StudySettings, now: datetime) -> StudySettings:
    """Validate and save the student's settings; return them.

    Raises:
        SettingsError: a value does not validate (nothing is saved).
        StoreError: the settings could not be saved.
    """
    settings.checked()
    with store.writing("save your study settings to") as db:
        save_in(db, user_id, settings, now)
    return settings


def save_in(db, user_id: str, settings: StudySettings, now: datetime) -> None:
    """Write the settings inside the caller's transaction (the optimizer saves them with the
    rescheduled cards, in one)."""
    db["study_settings"].upsert({"user_id": user_id, "settings_json": to_json(settings),
                                 "updated_at": now.isoformat()}, pk="user_id")
