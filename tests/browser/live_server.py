"""A real `studyapp run` server on a free loopback port, and what drives Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STUDYAPP_CHROMIUM", "/usr/bin/chromium")
# Chromium as root in a sandbox with no network: no sandbox, no GPU, no background calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `studyapp run` process that can be started, killed and started again on the same files."""

    def __init__(self, db: Path, content: Path = ROOT / "content", args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None):
        self.db, self.content, self.port, self.proc = db, content, free_port(), None
        self.args, self.env = tuple(args), env  # e.g. ("--auth", "accounts"), {"STUDYAPP_SECRET": ...}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> float:
        """Start and wait for /_stcore/health; return seconds to healthy."""
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "studyapp.cli", "run", "--db", str(self.db), "--content", str(self.content),
             "--port", str(self.port), "--host", "127.0.0.1", *self.args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            # The Lab's background warm-up costs ~4 s of CPU per server; tests that want it pass env.
            env={**os.environ, "STUDYAPP_LAB_WARM_UP": "0", **(self.env or {})},
        )
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("server did not become healthy")

    def kill(self) -> None:
        """SIGKILL the whole server process group: no shutdown hooks run."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the script run the last action started."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout)


@contextlib.contextmanager
def served_page(viewport=(1400, 1000)):
    """A fresh server on a temporary database and one Chromium page (for benchmarks)."""
    from playwright.sync_api import sync_playwright

    server = Server(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            yield server, page
            browser.close()
    finally:
        server.kill()
