"""Device choice and the per-process admission gate for heavy Lab jobs.

Twenty students pressing "train" at once must queue, not run the GPU out of
memory. Every heavy job declares its estimated bytes and goes through one
AdmissionGate: a condition lock, a FIFO queue and a memory budget. A job bigger
than the whole budget is refused at once; out-of-memory inside a job is caught,
memory freed, and reported as JobOutOfMemory, and the gate keeps serving.
The gate knows no owners and shows no labels: lab/jobs puts jobs through it and
tells each student only about their own.
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from studyapp.core.units import gib

T = TypeVar("T")
BUDGET_ENV = "STUDYAPP_LAB_BUDGET_BYTES"  # overrides the default budget of get_gate()
_OOM_WORDS = ("out of memory", "can't allocate memory", "cannot allocate memory")


def pick_device() -> str:
    """'cuda' when a CUDA device is available, else 'cpu' (the same code path on both)."""
    from studyapp.lab import heavy

    heavy.ensure()
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class GateError(Exception):
    """Base of the errors a gate reports; str() is a sentence for the student."""


class JobRefused(GateError):
    """The job's estimate is larger than the whole budget: it could never run."""

    def __init__(self, label: str, est_bytes: int, budget_bytes: int):
        self.label, self.est_bytes, self.budget_bytes = label, est_bytes, budget_bytes
        super().__init__(
            f"{label} needs about {gib(est_bytes)} but this server's Lab budget is "
            f"{gib(budget_bytes)}; pick a smaller model, a shorter sequence or a "
            f"smaller batch.")


class JobCancelled(GateError):
    """The job was cancelled before it finished (while waiting, or by the job itself)."""

    def __init__(self, label: str = "Lab job"):
        self.label = label
        super().__init__(f"{label} was cancelled.")


class JobOutOfMemory(GateError):
    """The job ran out of memory; memory was freed and the gate is serving again."""

    def __init__(self, label: str, est_bytes: int, error_type: str, detail: str):
        self.label, self.est_bytes = label, est_bytes
        self.error_type, self.detail = error_type, detail
        super().__init__(
            f"{label} ran out of memory ({error_type}); memory was freed. Try a smaller "
            f"model, batch or sequence length, or try again when fewer jobs are running.")


@dataclass
class Ticket:
    """One job's place at the gate."""

    id: int
    label: str
    est_bytes: int
    state: str = "waiting"  # waiting -> running -> done


@dataclass(frozen=True)
class GateStatus:
    """A snapshot of the gate: counts only, so nothing about anyone's job can leak."""

    budget_bytes: int
    in_use_bytes: int
    running: int
    waiting: int


def is_out_of_memory(err: BaseException) -> bool:
    """True for MemoryError, torch's (CUDA) OutOfMemoryError and allocator failures."""
    if isinstance(err, MemoryError):
        return True
    torch = sys.modules.get("torch")  # if torch was never imported, no torch OOM was raised
    if torch is not None and isinstance(err, getattr(torch.cuda, "OutOfMemoryError", ())):
        return True
    return isinstance(err, RuntimeError) and any(w in str(err).lower() for w in _OOM_WORDS)


def free_memory() -> None:
    """Collect garbage and, where CUDA is in use, hand cached blocks back to the driver."""
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


class AdmissionGate:
    """A FIFO queue of jobs under a memory budget and a limit on jobs running at once.

    A job is admitted when it is first in line, fewer than `max_running` jobs
    run, and its estimate fits the budget left. Strict FIFO: a small job never
    overtakes a big one, so no student waits forever.
    """

    def __init__(self, budget_bytes: int, *, max_running: int = 1):
        if budget_bytes <= 0 or max_running < 1:
            raise ValueError("budget_bytes must be > 0 and max_running >= 1")
        self.budget_bytes = budget_bytes
        self.max_running = max_running
        self._cond = threading.Condition()
        self._waiting: list[Ticket] = []
        self._running: list[Ticket] = []
        self._ids = itertools.count(1)

    def position(self, ticket: Ticket) -> int:
        """0 while the job runs (or is done), else its place in line: 1 is next."""
        with self._cond:
            return self._position(ticket)

    def ahead(self, ticket: Ticket) -> int:
        """How many jobs will start or are running before this one (0 once it runs)."""
        with self._cond:
            place = self._position(ticket)
            return place - 1 + len(self._running) if place else 0

    def status(self) -> GateStatus:
        """How many jobs run and wait, now, and the memory they hold."""
        with self._cond:
            return GateStatus(self.budget_bytes, self._in_use(), len(self._running), len(self._waiting))

    def wake(self) -> None:
        """Wake every waiting job so it can notice a cancellation."""
        with self._cond:
            self._cond.notify_all()

    def _position(self, ticket: Ticket) -> int:
        return self._waiting.index(ticket) + 1 if ticket in self._waiting else 0

    def _in_use(self) -> int:
        return sum(t.est_bytes for t in self._running)

    def _can_start(self, ticket: Ticket) -> bool:
        return (self._waiting[0] is ticket and len(self._running) < self.max_running
                and self._in_use() + ticket.est_bytes <= self.budget_bytes)

    def _wait_turn(self, ticket: Ticket, on_wait: Callable[[int], None] | None,
                   cancel: threading.Event | None) -> None:
        last = None
        while not self._can_start(ticket):
            if cancel is not None and cancel.is_set():
                raise JobCancelled(ticket.label)
            place = self._position(ticket)
            if on_wait is not None and place != last:
                last = place
                self._cond.release()  # never call out while holding the lock
                try:
                    on_wait(place)
                finally:
                    self._cond.acquire()
                continue  # the queue may have moved while we were out
            self._cond.wait()
        self._waiting.remove(ticket)
        self._running.append(ticket)
        ticket.state = "running"
        self._cond.notify_all()  # everyone behind moved up one place

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket in self._running:
                self._running.remove(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            ticket.state = "done"
            self._cond.notify_all()

    @contextmanager
    def admit(self, est_bytes: int, label: str = "Lab job",
              on_wait: Callable[[int], None] | None = None,
              cancel: threading.Event | None = None) -> Iterator[Ticket]:
        """Wait for a turn, then run the body as an admitted job.

        `on_wait(place)` is called each time the place in line changes while
        waiting (1 = next). Use it to show "you are number 3 in the queue".
        Setting `cancel` (then calling wake()) takes a waiting job out of the line.

        Raises:
            JobRefused: est_bytes is larger than the whole budget (raised at once).
            JobCancelled: `cancel` was set while the job waited.
            JobOutOfMemory: the body ran out of memory; memory was freed first.
        """
        if est_bytes > self.budget_bytes:
            raise JobRefused(label, est_bytes, self.budget_bytes)
        ticket = Ticket(next(self._ids), label, max(0, int(est_bytes)))
        with self._cond:
            self._waiting.append(ticket)
            self._cond.notify_all()  # others' places did not change, but status did
            try:
                self._wait_turn(ticket, on_wait, cancel)
            except BaseException:
                self._waiting.remove(ticket)
                self._cond.notify_all()
                raise
        oom = None
        try:
            yield ticket
        except BaseException as err:
            if not is_out_of_memory(err):
                raise
            oom = JobOutOfMemory(label, ticket.est_bytes, type(err).__name__, str(err)[:500])
            # leaving the except block drops the traceback, and with it the job's tensors
        finally:
            if oom is None:
                self._leave(ticket)
        if oom is not None:
            free_memory()  # before leaving: the next job starts with the memory back
            self._leave(ticket)
            raise oom

    def run(self, job: Callable[[], T], est_bytes: int, label: str = "Lab job",
            on_wait: Callable[[int], None] | None = None) -> T:
        """Run `job()` through the gate and return its result; see admit for what it raises."""
        with self.admit(est_bytes, label, on_wait):
            return job()


_GATE: AdmissionGate | None = None
_GATE_LOCK = threading.Lock()


def default_budget_bytes() -> int:
    """The budget of the process gate: $STUDYAPP_LAB_BUDGET_BYTES, else 90% of the GPU's
    memory on CUDA, else half the machine's RAM."""
    if os.environ.get(BUDGET_ENV):
        return int(os.environ[BUDGET_ENV])
    if pick_device() == "cuda":
        from studyapp.lab import heavy

        heavy.ensure()  # done by pick_device already; stated so every heavy import is seen to be guarded
        import torch

        return int(torch.cuda.get_device_properties(0).total_memory * 0.9)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def get_gate() -> AdmissionGate:
    """The one gate of this process (created on first use with default_budget_bytes())."""
    global _GATE
    with _GATE_LOCK:
        if _GATE is None:
            _GATE = AdmissionGate(default_budget_bytes())
        return _GATE

