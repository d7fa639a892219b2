"""Live fine-tune, LoRA against QLoRA, on the small models: steps per second, base weight
memory (accounted and measured), peak memory and the merge check, with 2 torch threads
to match the 2-core CI box.

    python bench/lab_train.py [steps] [threads]
"""

import sys


def main() -> None:
    """Train each small model with LoRA, then QLoRA, and print one line per run."""
    import torch

    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    from studyapp.core.units import human_bytes
    from studyapp.lab.settings import TrainSettings
    from studyapp.lab.train import compare

    compare(TrainSettings(steps=2, device="cpu"))  # warm-up: imports and first kernels, not measured
    for model in ("tiny-llama", "small-llama"):
        for r in compare(TrainSettings(model=model, steps=steps)):
            loss = f"loss {r.history[0].loss:.2f} -> {r.history[-1].loss:.2f}"
            peak = "n/a" if r.peak.bytes is None else human_bytes(r.peak.bytes)
            how = "CUDA max_memory_allocated" if r.device.startswith("cuda") else "RSS growth, sampled"
            merge = r.checks.merge
            verdict = "pass" if merge.passed else "FAIL"
            verdict += f" ({merge.max_abs_diff:.2g} <= {merge.tolerance:.2g})"
            print(f"{model:<12} {r.kind:<5} on {r.device}: {r.steps_per_second:5.1f} steps/s ({steps} steps, "
                  f"{loss}); build {r.build_seconds:.2f} s; base weights {r.base_memory.fmt} accounted "
                  f"{r.base_memory.accounted:,} B, measured {r.base_memory.measured:,} B; peak {peak} "
                  f"({how}); merge {verdict}")


if __name__ == "__main__":
    main()
