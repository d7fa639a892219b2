"""The optional LLM against a real OpenAI-compatible streaming server on loopback: a good stream is
shown with the passages it cites; every failure falls back to the offline answer with a notice."""

from __future__ import annotations

import socket

import pytest

from apptest_helpers import open_page, texts
from fake_llm import GOOD_REPLY, FakeLlm
from studyapp.buddy import llm
from studyapp.buddy.answer import ask

QUESTION = "what does double quantization save?"


def _read(stream: llm.ReplyStream) -> str:
    return "".join(stream)


def test_a_good_stream_becomes_the_reply_with_its_cited_passages(index):
    offline = ask(index, QUESTION)
    with FakeLlm("good") as server:
        config = llm.LlmConfig(server.base_url, "fake-model")
        stream = llm.open_stream(config, offline)
        assert _read(stream) == "".join(GOOD_REPLY)
        final = llm.finish(offline, config, stream)
    assert final.mode == "llm" and final.text == "".join(GOOD_REPLY) and not final.notice
    assert [c.n for c in final.citations] == [1] and final.citations[0] == offline.citations[0]
    request = server.requests[0]
    assert request["model"] == "fake-model" and request["stream"] is True
    assert "ONLY the numbered course passages" in request["messages"][0]["content"]
    user = request["messages"][1]["content"]
    assert f"[1] ({offline.citations[0].where})" in user and QUESTION in user


@pytest.mark.parametrize(
    "behaviour,reason",
    [
        ("error", "InternalServerError"),
        ("bad_cite", "cites passage(s) [9]"),
        ("garbage", "bad reply"),
        ("empty", "empty reply"),
        ("hang", "Timeout"),
    ],
)
def test_every_failure_falls_back_to_the_offline_answer(index, monkeypatch, behaviour, reason):
    monkeypatch.setattr(llm, "TIMEOUT_S", 0.5)
    offline = ask(index, QUESTION)
    with FakeLlm(behaviour) as server:
        config = llm.LlmConfig(server.base_url, "fake-model")
        stream = llm.open_stream(config, offline)
        _read(stream)
        final = llm.finish(offline, config, stream)
    assert final.mode == "offline" and final.text == offline.text and final.citations == offline.citations
    assert final.notice.startswith("fake-model could not answer") and reason in final.notice
    assert final.notice.endswith("here is the answer from the course instead.")


def test_an_unreachable_endpoint_falls_back(index):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    offline = ask(index, QUESTION)
    config = llm.LlmConfig(f"http://127.0.0.1:{port}/v1", "fake-model")
    stream = llm.open_stream(config, offline)
    _read(stream)
    final = llm.finish(offline, config, stream)
    assert final.mode == "offline" and "APIConnectionError" in final.notice


def test_the_config_comes_from_the_environment_only():
    assert llm.LlmConfig.from_env({}) is None
    assert llm.LlmConfig.from_env({llm.BASE_URL_ENV: "http://x/v1"}) is None
    got = llm.LlmConfig.from_env({llm.BASE_URL_ENV: "http://x/v1", llm.MODEL_ENV: "m", llm.KEY_ENV: "k"})
    assert got == llm.LlmConfig("http://x/v1", "m", "k")


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "llm.sqlite3"))


def test_the_page_streams_the_reply_and_says_it_is_connected(app_db, monkeypatch):
    with FakeLlm("good") as server:
        monkeypatch.setenv(llm.BASE_URL_ENV, server.base_url)
        monkeypatch.setenv(llm.MODEL_ENV, "fake-model")
        at = open_page("views/buddy.py")
        assert "Connected to fake-model" in texts(at)
        at.chat_input[0].set_value(QUESTION).run()
    shown = texts(at)
    assert not at.exception and "".join(GOOD_REPLY) in shown and "could not answer" not in shown
    assert [p.label for p in at.get("page_link") if p.label.startswith("[")][0].startswith("[1] QLoRA")


def test_the_page_falls_back_with_a_one_line_notice(app_db, monkeypatch):
    with FakeLlm("error") as server:
        monkeypatch.setenv(llm.BASE_URL_ENV, server.base_url)
        monkeypatch.setenv(llm.MODEL_ENV, "fake-model")
        at = open_page("views/buddy.py")
        at.chat_input[0].set_value(QUESTION).run()
    shown = texts(at)
    assert not at.exception and "fake-model could not answer" in shown
    assert (
        "The course covers this in **QLoRA: fine-tuning on a 4-bit base › Double quantization** [1]" in shown
    )
