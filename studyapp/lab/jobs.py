"""Heavy Lab work behind one job interface: submit, status, cancel, result.

Pages talk to a :class:`JobRunner` only. :class:`LocalJobs`, today's backend, runs each
job in a worker thread of this process through the process's AdmissionGate (lab/device:
first in, first out, under a memory budget); a pool of GPU workers can implement the
same four calls later without touching the pages.

Every job has an owner (the signed-in student) and every call names one: a job is
visible to its owner only, and a student learns how many jobs are ahead of theirs,
never whose they are or what they do. Job ids are random, so they cannot be guessed.

A job ends in one of: done, cancelled, failed (an error in the work), refused (bigger
than the whole budget), out_of_memory (memory was freed, the server keeps serving), or
dead (the worker stopped without an outcome). Each comes with a sentence for the student.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from studyapp.lab.device import AdmissionGate, GateError, JobCancelled, JobOutOfMemory, JobRefused

PREPARING, QUEUED, RUNNING = "preparing", "queued", "running"
DONE, CANCELLED, FAILED, REFUSED, OUT_OF_MEMORY, DEAD = (
    "done", "cancelled", "failed", "refused", "out_of_memory", "dead")
FINISHED = frozenset({DONE, CANCELLED, FAILED, REFUSED, OUT_OF_MEMORY, DEAD})
KEEP_FINISHED = 8  # finished jobs kept per owner for their results; older ones are forgotten
_DEAD_MESSAGE = ("{label} stopped without a result (its worker died); nothing else was affected, "
                 "so you can start it again.")


class JobNotFound(KeyError):
    """No job with this id belongs to this owner (another owner's job reads the same)."""


class JobNotFinished(RuntimeError):
    """result() was asked for before the job finished."""


class JobFailed(RuntimeError):
    """result() of a job that did not finish with a result; `status` says why."""

    def __init__(self, status: "JobStatus"):
        self.status = status
        super().__init__(status.message)


@dataclass(frozen=True)
class Progress:
    """How far a running job is: done of total (any unit: steps, formats, stages)."""

    done: float
    total: float
    text: str

    @property
    def fraction(self) -> float:
        """done / total, clipped to [0, 1]."""
        return min(1.0, max(0.0, self.done / self.total)) if self.total else 0.0


@dataclass(frozen=True)
class JobStatus:
    """One job as its owner sees it."""

    id: str
    label: str
    state: str
    ahead: int = 0                   # jobs that start before this one (queued), else 0
    progress: Progress | None = None
    partial: Any = None              # what the job published so far (a loss history, say)
    message: str = ""                # why it ended, when it did not end with a result
    error: BaseException | None = field(default=None, repr=False, compare=False)
    cancel_requested: bool = False

    @property
    def finished(self) -> bool:
        """True once the job has an outcome."""
        return self.state in FINISHED


@dataclass(frozen=True)
class Task:
    """A unit of Lab work: a label, its memory estimate, and the work itself.

    `estimate()` (bytes) and `work(context)` both run in the worker, never in the page's
    request thread, so a page never waits on the heavy imports they may need.
    """

    label: str
    estimate: Callable[[], int]
    work: Callable[["JobContext"], Any]


class JobContext:
    """What a running job can do: report progress, publish partial results, see a cancel."""

    def __init__(self, job: "_Job"):
        self._job = job
        self.cancelled = threading.Event()

    def progress(self, done: float, total: float, text: str = "", partial: Any = None) -> None:
        """Report progress (and, when given, a partial result such as the loss so far)."""
        with self._job.lock:
            self._job.progress = Progress(done, total, text)
            if partial is not None:
                self._job.partial = partial

    def check_cancelled(self) -> None:
        """Raise JobCancelled when the owner has cancelled the job.

        Raises:
            JobCancelled: a cancel was requested.
        """
        if self.cancelled.is_set():
            raise JobCancelled(self._job.label)


class JobRunner(Protocol):
    """The four calls every Lab job backend offers."""

    def submit(self, task: Task, *, owner: str) -> str: ...
    def status(self, job_id: str, *, owner: str) -> JobStatus: ...
    def cancel(self, job_id: str, *, owner: str) -> None: ...
    def result(self, job_id: str, *, owner: str) -> Any: ...


@dataclass(eq=False)
class _Job:
    id: str
    owner: str
    label: str
    order: int
    state: str = PREPARING
    place: int = 0                   # 1 = next in the gate's line, while queued
    progress: Progress | None = None
    partial: Any = None
    result: Any = None
    message: str = ""
    error: BaseException | None = None
    context: JobContext | None = None
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class LocalJobs:
    """JobRunner on worker threads of this process, admitted by an AdmissionGate."""

    def __init__(self, gate: AdmissionGate):
        self.gate = gate
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._order = itertools.count()

    def submit(self, task: Task, *, owner: str) -> str:
        """Start `task` for `owner` in a worker thread; returns the job id at once."""
        job = _Job(secrets.token_urlsafe(12), owner, task.label, next(self._order))
        job.context = JobContext(job)
        job.thread = threading.Thread(target=self._run, args=(job, task), daemon=True,
                                      name=f"studyapp-lab-job-{job.order}")
        with self._lock:
            self._jobs[job.id] = job
        job.thread.start()
        return job.id

    def _run(self, job: _Job, task: Task) -> None:
        try:
            self._admit_and_work(job, task)
        except JobCancelled:
            self._end(job, CANCELLED, f"{job.label} was cancelled.")
        except JobRefused as err:
            self._end(job, REFUSED, str(err), err)
        except JobOutOfMemory as err:
            self._end(job, OUT_OF_MEMORY, str(err), err)
        except Exception as err:  # noqa: BLE001 - the student is told; the server keeps serving
            self._end(job, FAILED, f"{job.label} failed: {err}", err)
        except BaseException as err:  # noqa: BLE001 - SystemExit & co.: this worker has no caller to tell
            self._end(job, DEAD, _DEAD_MESSAGE.format(label=job.label), err)
        finally:
            if job.state not in FINISHED:  # the worker is leaving without an outcome
                self._end(job, DEAD, _DEAD_MESSAGE.format(label=job.label))
            with self._lock:
                self._forget_old(job.owner)

    def _admit_and_work(self, job: _Job, task: Task) -> None:
        est = int(task.estimate())
        context = job.context
        with self.gate.admit(est, job.label, cancel=context.cancelled,
                             on_wait=lambda place: self._queued(job, place)):
            with job.lock:
                job.state, job.place = RUNNING, 0
            result = task.work(context)
        with job.lock:
            job.result, job.state = result, DONE

    def _queued(self, job: _Job, place: int) -> None:
        with job.lock:
            job.state, job.place = QUEUED, place

    def _end(self, job: _Job, state: str, message: str, error: BaseException | None = None) -> None:
        with job.lock:
            job.state, job.message, job.error = state, message, error

    def _find(self, job_id: str, owner: str) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise JobNotFound(f"no Lab job {job_id!r} of yours")
        return job

    def status(self, job_id: str, *, owner: str) -> JobStatus:
        """The job as its owner sees it.

        Raises:
            JobNotFound: unknown id, or a job of another owner.
        """
        job = self._find(job_id, owner)
        if job.state not in FINISHED and job.thread is not None and not job.thread.is_alive():
            self._end(job, DEAD, _DEAD_MESSAGE.format(label=job.label))
        ahead = self._ahead(job)
        with job.lock:
            return JobStatus(job.id, job.label, job.state, ahead, job.progress, job.partial, job.message,
                             job.error, job.context.cancelled.is_set())

    def _ahead(self, job: _Job) -> int:
        # A count, nothing more: in the gate's line, the places before this one and the jobs
        # running; before it reaches the line, every unfinished job submitted earlier.
        if job.state == QUEUED:
            return job.place - 1 + self.gate.status().running
        if job.state != PREPARING:
            return 0
        with self._lock:
            return sum(1 for other in self._jobs.values()
                       if other.order < job.order and other.state not in FINISHED)

    def cancel(self, job_id: str, *, owner: str) -> None:
        """Ask the job to stop: a waiting job leaves the line at once; a running job stops at
        its next check (a fine-tune ends its loop and still checks what it trained).

        Raises:
            JobNotFound: unknown id, or a job of another owner.
        """
        job = self._find(job_id, owner)
        job.context.cancelled.set()
        self.gate.wake()

    def result(self, job_id: str, *, owner: str) -> Any:
        """The job's result once done.

        Raises:
            JobNotFound: unknown id, or a job of another owner.
            JobNotFinished: the job has not finished yet.
            JobFailed: it finished without a result (its status says why).
        """
        status = self.status(job_id, owner=owner)
        if not status.finished:
            raise JobNotFinished(f"{status.label} has not finished yet")
        if status.state != DONE:
            raise JobFailed(status)
        return self._find(job_id, owner).result

    def wait(self, job_id: str, *, owner: str, timeout: float | None = None) -> JobStatus:
        """Block until the job finishes (or `timeout` seconds pass); its status then."""
        job = self._find(job_id, owner)
        job.thread.join(timeout)
        return self.status(job_id, owner=owner)

    def _forget_old(self, owner: str) -> None:
        finished = sorted((j for j in self._jobs.values() if j.owner == owner and j.state in FINISHED),
                          key=lambda j: j.order)
        for job in finished[:-KEEP_FINISHED] if len(finished) > KEEP_FINISHED else []:
            del self._jobs[job.id]


_JOBS: LocalJobs | None = None
_JOBS_LOCK = threading.Lock()


def get_jobs() -> LocalJobs:
    """The job runner of this process (LocalJobs on the process's admission gate)."""
    global _JOBS
    from studyapp.lab.device import get_gate

    with _JOBS_LOCK:
        if _JOBS is None:
            _JOBS = LocalJobs(get_gate())
        return _JOBS


__all__ = ["CANCELLED", "DEAD", "DONE", "FAILED", "GateError", "JobContext", "JobFailed", "JobNotFinished",
           "JobNotFound", "JobRunner", "JobStatus", "LocalJobs", "OUT_OF_MEMORY", "PREPARING", "Progress",
           "QUEUED", "REFUSED", "RUNNING", "Task", "get_jobs"]
