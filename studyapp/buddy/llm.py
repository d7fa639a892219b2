"""The optional LLM: an OpenAI-compatible endpoint rephrases the course's passages, citing them.

Configured only by the environment: ``STUDYAPP_LLM_BASE_URL`` (Ollama, vLLM, llama.cpp's
server: anything speaking the OpenAI chat API), ``STUDYAPP_LLM_MODEL`` and optionally
``STUDYAPP_LLM_API_KEY``. The model gets the question and the numbered passages and is
told to answer only from them, citing [1], [2]. Every failure (unreachable, a timeout,
an HTTP error, an empty reply, a citation of a passage it was not given) raises
:class:`LlmError`, and the caller falls back to the offline answer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

BASE_URL_ENV, MODEL_ENV, KEY_ENV = "STUDYAPP_LLM_BASE_URL", "STUDYAPP_LLM_MODEL", "STUDYAPP_LLM_API_KEY"
TIMEOUT_S = 5.0  # connect and each read: a server that says nothing this long counts as down
SYSTEM_PROMPT = (
    "You are Spooky, the study buddy of a course on LoRA and QLoRA fine-tuning. Answer the student's "
    "question using ONLY the numbered course passages given. Cite every statement with the passage "
    "number in square brackets, like [1] or [2]. Keep every number exactly as the passages write it. "
    "If the passages do not answer the question, say that the course does not cover it. "
    "Be brief: at most a short paragraph or a few bullet points."
)
CITE = re.compile(r"\[(\d+)\]")


class LlmError(RuntimeError):
    """The endpoint failed or replied with something unusable; the message says what."""


@dataclass(frozen=True)
class LlmConfig:
    """Where the endpoint is and which model to ask."""

    base_url: str
    model: str
    api_key: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "LlmConfig | None":
        """The configuration from the environment, or None when no endpoint is set."""
        env = os.environ if env is None else env
        base, model = env.get(BASE_URL_ENV, "").strip(), env.get(MODEL_ENV, "").strip()
        if not (base and model):
            return None
        return cls(base, model, env.get(KEY_ENV, "").strip())


def prompt_messages(question: str, passages: list[tuple[int, str, str]]) -> list[dict]:
    """The chat messages: the rules, then the question with passages as (n, where, text)."""
    numbered = "\n\n".join(f"[{n}] ({where})\n{text}" for n, where, text in passages)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Course passages:\n\n{numbered}\n\nQuestion: {question}"},
    ]


def stream_reply(config: LlmConfig, question: str, passages: list[tuple[int, str, str]]) -> Iterator[str]:
    """Yield the reply's text as it streams.

    Raises:
        LlmError: on any failure of the endpoint, before or during the stream, or when the
            openai package is missing.
    """
    try:
        import openai
    except ImportError as exc:
        raise LlmError("the openai package is not installed (pip install openai)") from exc
    client = openai.OpenAI(
        base_url=config.base_url, api_key=config.api_key or "not-needed", timeout=TIMEOUT_S, max_retries=0
    )
    try:
        stream = client.chat.completions.create(
            model=config.model, stream=True, temperature=0.2, messages=prompt_messages(question, passages)
        )
        for chunk in stream:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                yield delta
    except openai.APIError as exc:
        raise LlmError(f"{config.model} at {config.base_url} failed: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # a malformed stream surfaces as anything from json to httpx
        raise LlmError(
            f"{config.model} at {config.base_url} sent a bad reply: {type(exc).__name__}: {exc}"
        ) from exc


def cited(reply: str) -> list[int]:
    """The passage numbers a reply cites, in first-cited order."""
    return list(dict.fromkeys(int(n) for n in CITE.findall(reply)))


def check_reply(reply: str, passage_count: int) -> list[int]:
    """The cited passage numbers of a finished reply.

    Raises:
        LlmError: the reply is empty or cites a passage it was not given.
    """
    if not reply.strip():
        raise LlmError("the model sent an empty reply")
    numbers = cited(reply)
    wrong = [n for n in numbers if not 1 <= n <= passage_count]
    if wrong:
        raise LlmError(f"the reply cites passage(s) {wrong} but only {passage_count} were given")
    return numbers


class ReplyStream:
    """The reply's chunks for ``st.write_stream``; a failure ends the stream and is kept in ``error``."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks, self.parts, self.error = chunks, [], None

    def __iter__(self) -> Iterator[str]:
        try:
            for chunk in self.chunks:
                self.parts.append(chunk)
                yield chunk
        except LlmError as exc:
            self.error = exc

    @property
    def text(self) -> str:
        """Everything received so far."""
        return "".join(self.parts)


def passages_of(answer) -> list[tuple[int, str, str]]:
    """(n, where, text) of an offline answer's citations: what the model may use."""
    from studyapp.buddy.highlight import strip_marks

    return [(c.n, c.where, strip_marks(c.marked)) for c in answer.citations]


def open_stream(config: LlmConfig, answer) -> ReplyStream:
    """A stream of the model's reply to the offline answer's question and passages."""
    return ReplyStream(stream_reply(config, answer.question, passages_of(answer)))


def finish(answer, config: LlmConfig, stream: ReplyStream):
    """The answer to keep once the stream has been read.

    The model's reply, with the passages it cited (all of them when it cited none), or,
    when anything went wrong, the offline answer with a one-line notice saying so.
    """
    from dataclasses import replace

    try:
        if stream.error is not None:
            raise stream.error
        numbers = check_reply(stream.text, len(answer.citations))
    except LlmError as exc:
        return replace(
            answer,
            notice=f"{config.model} could not answer ({exc}); here is the answer from the course instead.",
        )
    kept = tuple(c for c in answer.citations if c.n in numbers) or answer.citations
    return replace(answer, text=stream.text, citations=kept, mode="llm")
