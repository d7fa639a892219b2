"""Quantize the small model to every format with bitsandbytes (on CUDA when present, else CPU):
time and bytes before/after, and the linear-weight ratio against the 16 / 4.127 limit.

    python bench/lab_quantize.py [model] [device]
"""

import sys
import time


def main() -> None:
    """Print measured bytes per format and the compression ratios."""
    from studyapp.lab.device import pick_device
    from studyapp.lab.memory import FORMATS, linear_weight_bytes
    from studyapp.lab.quantize import measure_quantized, quantize_linear

    name = sys.argv[1] if len(sys.argv) > 1 else "small-llama"
    device = sys.argv[2] if len(sys.argv) > 2 else pick_device()
    measure_quantized("tiny-llama", "nf4", device=device)  # warm-up: imports, first kernels
    results = {fmt: measure_quantized(name, fmt, device=device) for fmt in FORMATS}
    bf16 = results["bf16"]
    for fmt, m in results.items():
        linear = m.quantized_codes + m.quant_stats
        cuda = "" if m.cuda_allocated is None else f"  cuda allocated {m.cuda_allocated:,} B"
        print(f"{name} {fmt:<17} {m.total:>11,} B  load+quantize on {m.device} {m.seconds:5.2f} s  "
              f"whole model x{bf16.total / m.total:4.2f}  "
              f"linear weights x{bf16.quantized_codes / linear:4.2f}{cuda}")
    print(f"limit for linear weights: 16 / 4.127 = x{16 / 4.127:.3f} (NF4: 16 / 4.5 = x{16 / 4.5:.3f})")
    for shape in [(4096, 4096), (14336, 4096)]:
        t = time.perf_counter()
        quantize_linear("nf4_double_quant", *shape, device=device)
        b = linear_weight_bytes("nf4_double_quant", *shape)
        bits = 8 * (b["codes"] + b["stats"]) / (shape[0] * shape[1])
        print(f"layer {shape[0]}x{shape[1]} NF4+DQ: {time.perf_counter() - t:.2f} s, "
              f"{bits:.4f} bits/param, x{16 / bits:.3f} vs bf16")


if __name__ == "__main__":
    main()
