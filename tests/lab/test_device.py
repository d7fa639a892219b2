import threading
import time

import pytest
import torch

from studyapp.lab.device import (AdmissionGate, JobOutOfMemory, JobRefused, get_gate,
                                 is_out_of_memory, pick_device)

GB = 10**9


def test_pick_device():
    assert pick_device() == ("cuda" if torch.cuda.is_available() else "cpu")


def test_job_larger_than_budget_is_refused_at_once():
    gate = AdmissionGate(budget_bytes=2 * GB)
    with pytest.raises(JobRefused, match="needs about 3.00 GB but this server's Lab budget is 2.00 GB"):
        gate.run(lambda: None, est_bytes=3 * GB, label="train llama")
    assert gate.run(lambda: 42, est_bytes=GB) == 42


def test_concurrent_jobs_queue_in_order_and_see_their_place():
    gate = AdmissionGate(budget_bytes=10 * GB)
    release = threading.Event()
    started, order, places = threading.Event(), [], {}

    def first():
        started.set()
        release.wait(5)
        order.append("first")

    def waiter(name):
        gate.run(lambda: order.append(name), GB, name,
                 on_wait=lambda place: places.setdefault(name, []).append(place))

    holder = threading.Thread(target=gate.run, args=(first, GB, "first"))
    holder.start()
    started.wait(5)
    threads = []
    for name in ["a", "b", "c"]:
        threads.append(threading.Thread(target=waiter, args=(name,)))
        threads[-1].start()
        _until(lambda n=len(threads): len(gate.status().waiting) == n)
    assert gate.status().running == ("first",) and gate.status().waiting == ("a", "b", "c")
    assert gate.status().in_use_bytes == GB
    release.set()
    for t in [holder, *threads]:
        t.join(5)
    assert order == ["first", "a", "b", "c"]
    assert places == {"a": [1], "b": [2, 1], "c": [3, 2, 1]}
    assert gate.status().waiting == () and gate.status().running == ()


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
    assert gate.status().running == () and gate.status().in_use_bytes == 0
    assert gate.run(lambda: "still serving", est_bytes=GB) == "still serving"


def test_other_errors_pass_through_and_free_the_slot():
    gate = AdmissionGate(budget_bytes=GB)
    with pytest.raises(ZeroDivisionError):
        gate.run(lambda: 1 / 0, est_bytes=1)
    assert gate.status().running == ()
    assert not is_out_of_memory(ValueError("out of range"))


def test_one_gate_per_process():
    assert get_gate() is get_gate()


def _until(condition, timeout=5.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)
