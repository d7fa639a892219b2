"""quiz.yaml: questions of three kinds, single choice, multiple choice and numeric.

A numeric answer is a number, or names a claim, ``answer: {claim: llama2_trainable}``, and
takes that claim's number (so the answer and the text that shows it can never disagree).
"""

from __future__ import annotations

from pathlib import Path

from studyapp.core.claims import Claim
from studyapp.core.content import items
from studyapp.core.content.fields import Fields, kind_of
from studyapp.core.content.model import Question
from studyapp.core.problems import Problem

KINDS = ("single", "multi", "numeric")
FIELDS = ("id", "kind", "prompt", "choices", "answer", "explanation", "tolerance", "unit")


def load(path: Path, slug: str, claims: dict[str, Claim]
         ) -> tuple[list[Question], set[str] | None, list[Problem]]:
    """The valid questions of ``path``, the claims they use (None if unreadable), a Problem per mistake."""
    found = items.load(path, claims, "question")
    questions, problems, seen = [], list(found.problems), {}
    used = set(found.used) if found.used is not None else set()
    for fields in found.fields:
        question = _question(fields, slug, seen, claims, used)
        problems += fields.problems
        if question and not fields.problems:
            questions.append(question)
    return questions, used if found.used is not None else None, problems


def _question(fields: Fields, slug: str, seen: dict, claims: dict[str, Claim], used: set) -> Question | None:
    question_id = fields.identifier(seen)
    fields.unknown(FIELDS)
    kind = fields.data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        fields.problem("kind", f"kind must be one of {', '.join(KINDS)}")
        return None
    prompt = fields.text("prompt", required="the question asked")
    explanation = fields.text("explanation", required="why the answer is right and the others are not")
    if fields.data.get("answer") in (None, "", []):
        fields.problem("answer", "question needs an 'answer'")
        return None
    if kind == "numeric":
        answer, choices = _numeric(fields, claims, used), ()
    else:
        choices = fields.texts("choices")
        answer = _choice(fields, kind, choices)
    tolerance = fields.number("tolerance", minimum=0)
    if answer is None or tolerance is None or not question_id:
        return None
    return Question(slug, question_id, kind, prompt, explanation, answer, choices, tolerance,
                    fields.text("unit"))


def _numeric(fields: Fields, claims: dict[str, Claim], used: set) -> float | None:
    answer = fields.data["answer"]
    if isinstance(answer, dict):
        return _claim_number(fields, answer, claims, used)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        hint = " (to take a claim's number, write answer: {claim: NAME})" if isinstance(answer, str) else ""
        fields.problem("answer", f"a numeric question's answer must be a number, "
                                 f"not a {kind_of(answer)}{hint}")
        return None
    return float(answer)


def _claim_number(fields: Fields, answer: dict, claims: dict[str, Claim], used: set) -> float | None:
    name = answer.get("claim")
    if set(answer) != {"claim"} or not isinstance(name, str):
        fields.problem("answer", "a numeric answer that names a claim is written answer: {claim: NAME}")
        return None
    if name not in claims:
        fields.problem("answer", f"answer names unknown claim '{name}'; declare it in claims.yaml")
        return None
    used.add(name)
    number = claims[name].number
    if number is None:
        fields.problem("answer", f"claim '{name}' shows {claims[name].value!r}, which is not a number")
    return number


def _choice(fields: Fields, kind: str, choices: tuple[str, ...]) -> str | tuple[str, ...] | None:
    """Validate the answer against the kind and choices; return it in stored form or None."""
    if len(choices) < 2:
        fields.problem("choices", f"a {kind} question needs at least two choices")
        return None
    if len(set(choices)) != len(choices):
        fields.problem("choices", "choices must be different from each other")
        return None
    answer = fields.data["answer"]
    given = answer if isinstance(answer, list) else [answer]
    if any(not isinstance(a, str) for a in given):
        fields.problem("answer", "an answer must be the exact text of a choice (quote it if YAML reads it as "
                                 "a number or true/false)")
        return None
    if kind == "single" and len(given) != 1:
        fields.problem("answer", "a single-choice answer is one choice; use kind: multi for several")
        return None
    missing = [a for a in given if a.strip() not in choices]
    if missing:
        fields.problem("answer", f"answer {missing[0]!r} is not one of the choices; "
                                 "copy a choice's exact text")
        return None
    return given[0].strip() if kind == "single" else tuple(a.strip() for a in given)
