"""The job interface (lab/jobs): submit, status with queue place and progress, cancel, result;
out of memory, cancellation and a dead job each reported; a student sees only their own jobs."""

from __future__ import annotations

import threading
import time

import pytest

from studyapp.lab import jobs, tasks
from studyapp.lab.device import AdmissionGate
from studyapp.lab.jobs import JobFailed, JobNotFinished, JobNotFound, LocalJobs, Task
from studyapp.lab.settings import LoraSettings, QuantizeSettings, TrainSettings

GIB = 2**30


def blocking_task(release: threading.Event, label: str = "block", est: int = 1) -> Task:
    def work(context):
        context.progress(1, 2, "holding the slot", partial=["half"])
        release.wait(10)
        return "released"
    return Task(label, lambda: est, work)


def until(condition, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


@pytest.fixture
def runner():
    return LocalJobs(AdmissionGate(GIB))


def test_submit_progress_and_result(runner):
    release = threading.Event()
    job = runner.submit(blocking_task(release, "mine"), owner="ann")
    until(lambda: runner.status(job, owner="ann").state == jobs.RUNNING)
    status = runner.status(job, owner="ann")
    assert status.progress.fraction == 0.5 and status.progress.text == "holding the slot"
    assert status.partial == ["half"] and not status.finished
    with pytest.raises(JobNotFinished):
        runner.result(job, owner="ann")
    release.set()
    assert runner.wait(job, owner="ann", timeout=10).state == jobs.DONE
    assert runner.result(job, owner="ann") == "released"


def test_queue_place_counts_jobs_ahead_and_never_shows_whose(runner):
    release = threading.Event()
    first = runner.submit(blocking_task(release, "ann's secret label"), owner="ann")
    until(lambda: runner.status(first, owner="ann").state == jobs.RUNNING)
    bob = runner.submit(blocking_task(release, "bob's job"), owner="bob")
    until(lambda: runner.status(bob, owner="bob").state == jobs.QUEUED)
    cat = runner.submit(blocking_task(release, "cat's job"), owner="cat")
    until(lambda: runner.status(cat, owner="cat").state == jobs.QUEUED)
    assert runner.status(bob, owner="bob").ahead == 1 and runner.status(cat, owner="cat").ahead == 2
    seen = repr(runner.status(bob, owner="bob")) + repr(runner.status(cat, owner="cat"))
    assert "ann" not in seen and "secret" not in seen
    for other in ("bob", "cat", "", "ANN"):
        with pytest.raises(JobNotFound):
            runner.status(first, owner=other)
        with pytest.raises(JobNotFound):
            runner.cancel(first, owner=other)  # nobody else can cancel it either
    release.set()
    for job, owner in ((first, "ann"), (bob, "bob"), (cat, "cat")):
        assert runner.wait(job, owner=owner, timeout=10).state == jobs.DONE


def test_cancel_a_waiting_job_takes_it_out_of_the_line(runner):
    release = threading.Event()
    first = runner.submit(blocking_task(release), owner="ann")
    until(lambda: runner.status(first, owner="ann").state == jobs.RUNNING)
    second = runner.submit(blocking_task(release), owner="bob")
    third = runner.submit(blocking_task(release), owner="cat")
    until(lambda: runner.status(third, owner="cat").state == jobs.QUEUED)
    assert runner.status(third, owner="cat").ahead == 2
    runner.cancel(second, owner="bob")
    assert runner.wait(second, owner="bob", timeout=10).state == jobs.CANCELLED
    until(lambda: runner.status(third, owner="cat").ahead == 1)
    with pytest.raises(JobFailed, match="cancelled"):
        runner.result(second, owner="bob")
    release.set()
    assert runner.wait(third, owner="cat", timeout=10).state == jobs.DONE


def test_cancel_a_running_job_that_checks(runner):
    started = threading.Event()

    def work(context):
        started.set()
        while True:
            context.check_cancelled()
            time.sleep(0.01)

    job = runner.submit(Task("loop", lambda: 1, work), owner="ann")
    started.wait(10)
    runner.cancel(job, owner="ann")
    status = runner.wait(job, owner="ann", timeout=10)
    assert status.state == jobs.CANCELLED and status.cancel_requested and "cancelled" in status.message


def test_a_job_bigger_than_the_budget_is_refused_and_the_next_one_runs():
    runner = LocalJobs(AdmissionGate(1000))
    job = runner.submit(tasks.train_task(TrainSettings(steps=5), LoraSettings()), owner="ann")
    status = runner.wait(job, owner="ann", timeout=120)
    assert status.state == jobs.REFUSED and "Lab budget is" in status.message and "GiB" in status.message
    ok = runner.submit(Task("small", lambda: 10, lambda context: 42), owner="ann")
    assert runner.wait(ok, owner="ann", timeout=10).state == jobs.DONE


def test_out_of_memory_inside_a_job_is_reported_and_the_slot_freed(runner):
    def work(context):
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB")

    job = runner.submit(Task("Fine-tune", lambda: 1, work), owner="ann")
    status = runner.wait(job, owner="ann", timeout=10)
    assert status.state == jobs.OUT_OF_MEMORY and "ran out of memory" in status.message
    assert runner.gate.status().running == 0
    ok = runner.submit(Task("next", lambda: 1, lambda context: "fine"), owner="bob")
    assert runner.wait(ok, owner="bob", timeout=10).state == jobs.DONE


def test_a_dead_worker_is_reported_and_the_server_keeps_serving(runner):
    def work(context):
        raise SystemExit("the worker went away")  # not an Exception: no ordinary outcome

    job = runner.submit(Task("Quantize", lambda: 1, work), owner="ann")
    status = runner.wait(job, owner="ann", timeout=10)
    assert status.state == jobs.DEAD and "stopped without a result" in status.message
    assert runner.gate.status().running == 0
    ok = runner.submit(Task("next", lambda: 1, lambda context: "fine"), owner="ann")
    assert runner.wait(ok, owner="ann", timeout=10).state == jobs.DONE


def test_an_error_in_the_work_fails_the_job_with_its_message(runner):
    job = runner.submit(Task("Forward pass", lambda: 1, lambda context: 1 / 0), owner="ann")
    status = runner.wait(job, owner="ann", timeout=10)
    assert status.state == jobs.FAILED and "division by zero" in status.message
    assert isinstance(status.error, ZeroDivisionError)


def test_only_the_last_finished_jobs_of_an_owner_are_kept(runner):
    ids = [runner.submit(Task("quick", lambda: 1, lambda context, n=n: n), owner="ann")
           for n in range(jobs.KEEP_FINISHED)]
    for job in ids:
        runner.wait(job, owner="ann", timeout=10)
    later = runner.submit(Task("quick", lambda: 1, lambda context: "new"), owner="ann")
    runner.wait(later, owner="ann", timeout=10)
    with pytest.raises(JobNotFound):
        runner.status(ids[0], owner="ann")
    assert runner.result(ids[1], owner="ann") == 1 and runner.result(later, owner="ann") == "new"


def test_stopping_a_fine_tune_still_checks_what_it_trained(runner):
    job = runner.submit(tasks.train_task(TrainSettings(steps=300, device="cpu"), LoraSettings(r=4)),
                        owner="ann")
    until(lambda: len((runner.status(job, owner="ann").partial or {}).get("LoRA", ())) >= 3, timeout=120)
    runner.cancel(job, owner="ann")
    status = runner.wait(job, owner="ann", timeout=120)
    assert status.state == jobs.DONE
    (report,) = runner.result(job, owner="ann")
    assert report.stopped and 3 <= len(report.history) < 300
    assert report.checks.merge.passed and report.checks.reload_max_abs_diff == 0.0
    assert report.checks.saved.adapter_bytes > 0


class Recorder:
    """A JobContext stand-in that records every progress report."""

    def __init__(self):
        self.cancelled = threading.Event()
        self.calls = []

    def progress(self, done, total, text="", partial=None):
        self.calls.append((done, total, text))

    def check_cancelled(self):
        if self.cancelled.is_set():
            raise jobs.JobCancelled("job")


def test_quantize_reports_each_format_as_it_goes():
    context = Recorder()
    rows = tasks.quantize_task(QuantizeSettings(model="tiny-llama")).work(context)
    assert [row.difference for row in rows] == [0] * 5
    assert context.calls == [(0, 5, "quantizing to fp32"), (1, 5, "quantizing to bf16 / fp16"),
                             (2, 5, "quantizing to LLM.int8"), (3, 5, "quantizing to NF4"),
                             (4, 5, "quantizing to NF4 + double quant"), (5, 5, "done")]


def test_forward_pass_reports_each_stage_and_can_be_cancelled():
    context = Recorder()
    check = tasks.forward_task("tiny-llama", LoraSettings()).work(context)
    assert [c[0] for c in context.calls] == list(range(7)) and context.calls[-1] == (6, 6, "done")
    assert check.base_text == check.wrapped_text and check.max_abs_diff == 0.0
    context = Recorder()
    context.cancelled.set()
    with pytest.raises(jobs.JobCancelled):
        tasks.forward_task("tiny-llama", LoraSettings()).work(context)
