"""The Lab on a real GPU, at 1B scale: what only CUDA can tell (run by bench/gpu_check.sh).

1. A real NF4 (+ double quant) quantization of Llama 3.2 1B built from its bundled config with
   random weights: the bytes of every tensor bitsandbytes stores against the accounting
   (lab/memory), and torch.cuda.memory_allocated after loading.
2. A short QLoRA run of that model (r=8 on q_proj and v_proj, seq 512, batch 1, gradient
   checkpointing, AdamW): torch.cuda.max_memory_allocated against the training estimate
   (memory.training_estimate), which leaves out the fp32 upcast that
   prepare_model_for_kbit_training does (unit 4), so both are printed.

Without CUDA it says so and exits 0: there is nothing it can measure. `--cpu-dry-run`
runs the same code on the CPU (CUDA figures shown as n/a), to check the script itself.
Run: .venv/bin/python bench/lab_gpu.py [--model NAME] [--steps N] [--seq-len N] [--cpu-dry-run]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

BATCH = 1


def _cuda(device: str) -> bool:
    return device.startswith("cuda")


def quantization(name: str, device: str = "cuda") -> None:
    """Print measured against accounted bytes of `name` in NF4 and NF4 + double quant."""
    from studyapp.core.units import human_bytes
    from studyapp.lab.memory import weight_memory
    from studyapp.lab.quantize import measure_quantized

    accounted = weight_memory(name).formats
    for fmt in ("nf4", "nf4_double_quant"):
        m = measure_quantized(name, fmt, device=device, full_size=True)
        a = accounted[fmt]
        allocated = ("n/a" if m.cuda_allocated is None else
                     f"{m.cuda_allocated:,} B ({(m.cuda_allocated - a.total) / a.total:+.2%} vs accounted)")
        print(f"{name} {fmt}: measured {m.total:,} B ({human_bytes(m.total)}), accounted {a.total:,} B, "
              f"difference {m.total - a.total:,} B; torch.cuda.memory_allocated {allocated}; "
              f"load + quantize {m.seconds:.1f} s on {m.device}")


def qlora_peak(name: str, steps: int, seq_len: int = 512, device: str = "cuda") -> None:
    """Print the peak CUDA memory of a short QLoRA run of `name` against the training estimate."""
    import torch
    from peft import get_peft_model, prepare_model_for_kbit_training

    from studyapp.core.units import human_bytes
    from studyapp.lab.memory import tensor_inventory, meta_model, training_estimate
    from studyapp.lab.quantize import load_quantized
    from studyapp.lab.settings import LoraSettings

    lora = LoraSettings(r=8, lora_alpha=16, target_modules="q_proj,v_proj")
    estimate = training_estimate(name, weight_format="nf4_double_quant", seq_len=seq_len, batch=BATCH,
                                 settings=lora, gradient_checkpointing=True)
    kept = sum(e.numel for e in tensor_inventory(meta_model(name)) if not e.quantized)
    upcast = 2 * kept  # prepare_model_for_kbit_training: 16-bit -> fp32, 2 more bytes per kept parameter
    if _cuda(device):
        torch.cuda.empty_cache()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
    model = load_quantized(name, "nf4_double_quant", device=device, full_size=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_peft_model(prepare_model_for_kbit_training(model), lora.to_lora_config())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(3, model.config.vocab_size, (BATCH, seq_len), device=device)  # (batch, seq)
    start = time.perf_counter()
    for _ in range(steps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # checkpointing notices
            model(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    if _cuda(device):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    print(f"  training estimate {estimate.total:,} B ({human_bytes(estimate.total)}); with the fp32 "
          f"upcast of {human_bytes(upcast)} it leaves out: {human_bytes(estimate.total + upcast)}")
    if not _cuda(device):
        print(f"{name} QLoRA r=8 q,v seq {seq_len}: {steps} steps in {seconds:.1f} s on {device}; "
              "peak: n/a (no CUDA)")
        return
    peak = torch.cuda.max_memory_allocated() - base
    print(f"{name} QLoRA r=8 q,v seq {seq_len} batch {BATCH} checkpointing: {steps} steps in "
          f"{seconds:.1f} s; peak torch.cuda.max_memory_allocated {peak:,} B ({human_bytes(peak)}); "
          f"peak / estimate {peak / estimate.total:.2f}, peak / (estimate + upcast) "
          f"{peak / (estimate.total + upcast):.2f}")


def main() -> int:
    """Run both measurements on CUDA; say so and return 0 without it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="llama-3.2-1b", help="registry model (default llama-3.2-1b)")
    parser.add_argument("--steps", type=int, default=10, help="QLoRA steps (default 10)")
    parser.add_argument("--seq-len", type=int, default=512, help="tokens per sequence (default 512)")
    parser.add_argument("--cpu-dry-run", action="store_true", help="run on the CPU, CUDA figures n/a")
    args = parser.parse_args()
    import torch

    from studyapp.lab import heavy

    heavy.ensure()
    if args.cpu_dry_run:
        device = "cpu"
    elif torch.cuda.is_available():
        device = "cuda"
        total = torch.cuda.get_device_properties(0).total_memory
        print(f"device: {torch.cuda.get_device_name(0)}, {total:,} B")
    else:
        print(f"skipped: no CUDA device (torch {torch.__version__}); the 1B NF4 quantization and the QLoRA "
              "peak-memory run need a GPU")
        return 0
    quantization(args.model, device)
    qlora_peak(args.model, args.steps, args.seq_len, device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
