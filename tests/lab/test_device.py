import threading
import time

import pytest
import torch

from studyapp.lab.device import (AdmissionGate, JobCancelled, JobOutOfMemory, JobRefused, get_gate,
                                 is_out_of_memory, pick_device)

GB = 2**30  # GiB: the unit the gate's messages use


def test_pick_device():
    assert pick_device() == ("cuda" if torch.cuda.is_available() else "cpu")


def test_job_larger_than_budget_is_refused_at_once():
    gate = AdmissionGate(budget_bytes=2 * GB)
    with pytest.raises(JobRefused, match="needs about 3.00 GiB but this server's Lab budget is 2.00 GiB"):
        gate.run(lambda: None, est_bytes=3 * GB, label="train llama")
    assert gate.run(lambda: 42, est_bytes=GB) == 42


def test_concurrent_jobs_queue_in_order_and_see_their_place():
    gate = AdmissionGate(budget_bytes=10 * GB)
    names = ["first", "a", "b", "c"]
    go = {n: threading.Event() for n in names}
    order, places = [], {n: [] for n in names}

    def submit(name):
        def job():
            order.append(name)
            go[name].wait(5)
        gate.run(job, GB, name, on_wait=places[name].append)

    threads = []
    for n, name in enumerate(names):
        threads.append(threading.Thread(target=submit, args=(name,)))
        threads[-1].start()
        _until(lambda n=n: gate.status().waiting == n and gate.status().running == 1)
    assert gate.status().waiting == 3 and gate.status().in_use_bytes == GB
    for n, name in enumerate(names):
        go[name].set()  # finish the running job; the next in line starts
        if n + 1 < len(names):
            _until(lambda n=n: order[-1] == names[n + 1])
            _until(lambda n=n: all(places[w][-1] == i + 1 for i, w in enumerate(names[n + 2:])))
    for t in threads:
        t.join(5)
    assert order == names
    assert places == {"first": [], "a": [1], "b": [2, 1], "c": [3, 2, 1]}
    assert gate.status() == type(gate.status())(10 * GB, 0, 0, 0)


def test_budget_admits_jobs_side_by_side_only_while_they_fit():
    gate = AdmissionGate(budget_bytes=3 * GB, max_running=4)
    running, peak, lock = [], [], threading.Lock()

    def job(size):
        with lock:
            running.append(size)
            peak.append(sum(running))
        time.sleep(0.05)
        with lock:
            running.remove(size)

    threads = [threading.Thread(target=gate.run, args=(lambda s=s: job(s), s * GB)) for s in [2, 1, 2, 1]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert max(peak) <= 3


@pytest.mark.parametrize("error", [
    torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    MemoryError(),
    RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 bytes"),
], ids=["cuda-oom", "memory-error", "cpu-allocator"])
def test_out_of_memory_is_caught_reported_and_the_gate_keeps_serving(error):
    gate = AdmissionGate(budget_bytes=GB)

    def job():
        big = torch.zeros(1000)  # something for the job to hold when it fails
        raise error

    with pytest.raises(JobOutOfMemory) as caught:
        gate.run(job, est_bytes=GB // 2, label="fine-tune tiny-llama")
    err = caught.value
    assert err.error_type == type(error).__name__ and err.label == "fine-tune tiny-llama"
    assert "ran out of memory" in str(err) and "memory was freed" in str(err)
    assert gate.status().running == 0 and gate.status().in_use_bytes == 0
    assert gate.run(lambda: "still serving", est_bytes=GB) == "still serving"


def test_other_errors_pass_through_and_free_the_slot():
    gate = AdmissionGate(budget_bytes=GB)
    with pytest.raises(ZeroDivisionError):
        gate.run(lambda: 1 / 0, est_bytes=1)
    assert gate.status().running == 0
    assert not is_out_of_memory(ValueError("out of range"))


def test_a_waiting_job_can_be_cancelled_and_leaves_the_line():
    gate = AdmissionGate(budget_bytes=GB)
    release, cancel, outcome = threading.Event(), threading.Event(), []
    first = threading.Thread(target=gate.run, args=(lambda: release.wait(5), 1))
    first.start()
    _until(lambda: gate.status().running == 1)

    def waiter():
        try:
            with gate.admit(1, "second", cancel=cancel):
                outcome.append("ran")
        except JobCancelled:
            outcome.append("cancelled")

    second = threading.Thread(target=waiter)
    second.start()
    _until(lambda: gate.status().waiting == 1)
    cancel.set()
    gate.wake()
    second.join(5)
    assert outcome == ["cancelled"] and gate.status().waiting == 0
    release.set()
    first.join(5)
    assert gate.status().running == 0


def test_one_gate_per_process():
    assert get_gate() is get_gate()


def _until(condition, timeout=5.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)
