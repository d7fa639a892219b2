"""An OpenAI-compatible chat server on loopback, streaming server-sent events like Ollama or vLLM.

``behaviour`` picks the reply: "good" streams a cited answer, "error" answers HTTP 500,
"hang" sends headers and then nothing, "bad_cite" cites a passage it was not given,
"garbage" sends a chunk that is not JSON, "empty" streams no text.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD_REPLY = [
    "Double quantization stores the absmax ",
    "constants in 8 bits [1], ",
    "saving 0.373 bits per parameter [1].",
]


class FakeLlm:
    """Start with ``with FakeLlm("good") as llm:``; ``llm.base_url`` ends in /v1."""

    def __init__(self, behaviour: str = "good"):
        self.behaviour, self.requests = behaviour, []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "FakeLlm":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.behaviour == "error":
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "model crashed"}}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                fake._stream(self.wfile, body["model"])

        return Handler

    def _stream(self, out, model: str) -> None:
        if self.behaviour == "hang":
            time.sleep(3)
            return
        parts = {"good": GOOD_REPLY, "bad_cite": ["See passage [9]."], "empty": []}.get(self.behaviour, [])
        for text in parts:
            self._event(
                out,
                {
                    "id": "x",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
                },
            )
        if self.behaviour == "garbage":
            out.write(b"data: {not json\n\n")
        out.write(b"data: [DONE]\n\n")
        out.flush()

    @staticmethod
    def _event(out, payload: dict) -> None:
        out.write(f"data: {json.dumps(payload)}\n\n".encode())
        out.flush()
