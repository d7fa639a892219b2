"""Live fine-tune of tiny-llama on the bundled support set: time until the loss has
clearly fallen, and steps per second. Uses 2 threads to match the 2-core CI box.

    python bench/lab_train.py [threads]
"""

import sys
import time


def main() -> None:
    """Train 60 steps and print the loss curve milestones."""
    import torch

    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    from studyapp.lab.train import FineTune, TrainSettings

    t = time.perf_counter()
    run = FineTune(TrainSettings(model="tiny-llama", steps=60, device="cpu"))
    print(f"build + wrap: {time.perf_counter() - t:.2f} s   {run.wrap.line}")
    first, fallen_at, halved_at = None, None, None
    for step in run.steps():
        first = first or step.loss
        if fallen_at is None and step.loss < first - 1.0:
            fallen_at = step
        if halved_at is None and step.loss < first / 2:
            halved_at = step
        if step.step in (1, 10, 20, 40, 60):
            print(f"step {step.step:3d}  loss {step.loss:.3f}  {step.seconds:5.2f} s")
    if halved_at:
        print(f"loss below half its start ({first / 2:.2f}) at step {halved_at.step}, {halved_at.seconds:.2f} s")
    last = run.history[-1]
    print(f"loss fell by 1 nat (from {first:.2f}) at step {fallen_at.step}, {fallen_at.seconds:.2f} s")
    print(f"{last.step / last.seconds:.1f} steps/s ({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
