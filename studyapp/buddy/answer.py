"""What Spooky answers, offline: cited passages, the cards to drill, a computed figure, or "not found".

:func:`ask` is the one entry point the pages and ``studyapp ask`` share. A number
question is computed with the Lab (and the course's passages are cited beside it); any
other question is answered only with passages of the course, each cited as
"Unit › Section" with a link that opens the unit at that section. When the course does
not cover the question, the answer says so and offers the closest sections: it never
makes anything up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from studyapp.buddy import highlight, number_question, numbers
from studyapp.buddy.index import CourseIndex
from studyapp.buddy.retrieve import Retrieval, retrieve

FOUND, NOT_FOUND, COMPUTED, CANNOT_COMPUTE = "found", "not_found", "computed", "cannot_compute"
CITED_SECTIONS = 3
DRILL_CARDS = 3
NOT_FOUND_TEXT = "I could not find this in the course."


@dataclass(frozen=True)
class Citation:
    """A cited passage: [n], where it is, the link, and its Markdown with the matched words marked."""

    n: int
    unit: str  # unit slug
    unit_title: str
    section: str  # the section's title ("" for a unit's intro)
    section_slug: str
    where: str  # "Unit › Section"
    url: str  # /unit?unit=...&section=...
    score: float  # bm25 of the passage (higher is better)
    coverage: float  # share of the question's weight the section covers (0..1)
    kind: str  # "section" | "card" | "question"
    marked: str  # the passage text with index marks (see highlight.render_marks)

    def markdown(self, before: str = ":orange-background[", after: str = "]") -> str:
        """The passage as Markdown with the matched words highlighted."""
        return highlight.render_marks(self.marked, before, after)


@dataclass(frozen=True)
class CardRef:
    """A recall card on the topic: what "drill these now" offers."""

    key: str
    front: str
    where: str


@dataclass(frozen=True)
class Answer:
    """One reply of the buddy, ready to draw, print or save."""

    question: str
    kind: str  # FOUND | NOT_FOUND | COMPUTED | CANNOT_COMPUTE
    text: str  # what the buddy says, Markdown
    citations: tuple[Citation, ...] = ()  # best first; for NOT_FOUND the closest sections
    cards: tuple[CardRef, ...] = ()
    lab_url: str = ""  # a Lab page preset for the question, when about a number
    computed: numbers.Computed | None = None
    models: tuple[str, ...] = ()  # for CANNOT_COMPUTE: the models the Lab knows
    unit: str = ""  # the unit the student was on
    notice: str = ""  # e.g. why the LLM reply fell back to this one
    mode: str = "offline"  # "offline" | "llm"

    def to_dict(self, marks: bool = False) -> dict:
        """JSON-ready dict: answer, citations (unit, section, url, score, text, ...), computed, cards.

        With ``marks`` each citation also keeps ``marked`` (its text with the index's marks),
        so an answer saved in the history redraws with its highlights.
        """
        out = asdict(self)
        out["answer"] = out.pop("text")
        for c, cite in zip(out["citations"], self.citations):
            c["text"] = highlight.strip_marks(cite.marked)
            if not marks:
                del c["marked"]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        """The inverse of :meth:`to_dict` (without marks, the passages come back plain)."""
        data = dict(data)
        data["text"] = data.pop("answer")
        cites = tuple(
            Citation(**{k: v for k, v in c.items() if k != "text"} | {"marked": c.get("marked", c["text"])})
            for c in data.get("citations", ())
        )
        computed = numbers.Computed.from_dict(data["computed"]) if data.get("computed") else None
        cards = tuple(CardRef(**c) for c in data.get("cards", ()))
        return cls(
            **{
                **data,
                "citations": cites,
                "computed": computed,
                "cards": cards,
                "models": tuple(data.get("models", ())),
            }
        )


def ask(index: CourseIndex, question: str, unit: str | None = None) -> Answer:
    """Answer ``question`` from the course and the Lab; ``unit`` is the unit the student is on."""
    found = retrieve(index, question, unit=unit)
    parsed = number_question.parse(question)
    if parsed is not None:
        try:
            computed = numbers.compute(parsed)
        except numbers.CannotCompute as exc:
            return _cannot_compute(index, question, found, exc, unit)
        return _computed(index, question, found, computed, unit)
    if not found.found:
        return _not_found(index, question, found, unit)
    text = _found_text(found)
    return Answer(
        question,
        FOUND,
        text,
        citations(index, found),
        drill_cards(index, found),
        lab_url=number_question.lab_page(question),
        unit=unit or "",
    )


def citations(index: CourseIndex, found: Retrieval, limit: int = CITED_SECTIONS) -> tuple[Citation, ...]:
    """The best passage of each of the first ``limit`` sections, numbered [1], [2], ..."""
    out = []
    for n, section in enumerate(found.sections[:limit], start=1):
        # Cite the section's own text where it matched; its cards go under "drill these now".
        best = next((h for h in section.passages if h.passage.kind == "section"), section.passages[0])
        p = best.passage
        out.append(
            Citation(
                n,
                p.unit_slug,
                p.unit_title,
                p.section_title,
                p.section_slug,
                p.where,
                p.url,
                round(best.score, 4),
                round(section.coverage, 3),
                p.kind,
                _marked_passage(index, best.rowid, found.words),
            )
        )
    return tuple(out)


def _marked_passage(index: CourseIndex, rowid: int, words) -> str:
    p = index.passage(rowid)
    marked = index.marked(rowid, list(words))
    if p.kind == "card":
        return f"**Recall card:** {p.title}\n\n{marked}"
    if p.kind == "question":
        return f"**Quiz:** {p.title}\n\n{marked}"
    return marked


def drill_cards(index: CourseIndex, found: Retrieval, limit: int = DRILL_CARDS) -> tuple[CardRef, ...]:
    """Recall cards on the topic: those in the cited sections, best-matching first."""
    cited = {(s.unit_slug, s.section_slug) for s in found.sections[:2]}
    ranked = [h.passage for s in found.sections[:2] for h in s.passages if h.passage.kind == "card"]
    placed = [p for p in index.passages if p.kind == "card" and (p.unit_slug, p.section_slug) in cited]
    seen: dict[str, CardRef] = {}
    for p in ranked + placed:
        key = p.id.removeprefix("card:")
        seen.setdefault(key, CardRef(key, p.title, p.where))
    return tuple(seen.values())[:limit]


def _found_text(found: Retrieval) -> str:
    first = found.sections[0]
    others = [f"{s.where} [{n}]" for n, s in enumerate(found.sections[1:CITED_SECTIONS], start=2)]
    also = f" See also {'; '.join(others)}." if others else ""
    return f"The course covers this in **{first.where}** [1].{also}"


def _not_found(index: CourseIndex, question: str, found: Retrieval, unit: str | None) -> Answer:
    closest = citations(index, found)
    hint = " The closest sections are below; they may not answer it." if closest else ""
    return Answer(question, NOT_FOUND, NOT_FOUND_TEXT + hint, closest, unit=unit or "")


def _computed(
    index: CourseIndex, question: str, found: Retrieval, computed: numbers.Computed, unit: str | None
) -> Answer:
    lines = [f"**{computed.display}**", f"Formula: {computed.formula}"]
    lines += [f"- {d}" for d in computed.details]
    if computed.assumed:
        lines.append("Assumed (not in your question): " + ", ".join(computed.assumed) + ".")
    lines.append(f"[Open this in the LoRA Lab]({computed.lab_url}) to see every part.")
    cites = citations(index, found) if found.found else ()
    return Answer(
        question,
        COMPUTED,
        "\n\n".join(lines),
        cites,
        drill_cards(index, found) if cites else (),
        lab_url=computed.lab_url,
        computed=computed,
        unit=unit or "",
    )


def _cannot_compute(
    index: CourseIndex, question: str, found: Retrieval, exc: numbers.CannotCompute, unit: str | None
) -> Answer:
    models = ", ".join(f"`{m}`" for m in exc.models)
    text = f"{exc} The Lab computes with these models: {models}. Ask again naming one of them."
    cites = citations(index, found) if found.found else ()
    return Answer(
        question, CANNOT_COMPUTE, text, cites, lab_url="/lab-build", models=tuple(exc.models), unit=unit or ""
    )
