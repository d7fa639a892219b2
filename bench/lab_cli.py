"""Wall time of each `studyapp lab` command, each in a fresh process (imports included), as a
script or a student at a terminal pays it.

    python bench/lab_cli.py
"""

import subprocess
import sys
import time

COMMANDS = [
    ["models", "--json"],
    ["params", "--model", "llama-2-7b", "--json"],
    ["params", "--model", "llama-3-70b", "--r", "16", "--targets", "all-linear", "--json"],
    ["memory", "--model", "llama-3-8b", "--json"],
    ["rank", "--model", "small-llama", "--layer", "model.layers.0.self_attn.q_proj", "--r", "4", "--json"],
    ["rank", "--learned", "--layer", "model.layers.0.self_attn.q_proj", "--json"],
    ["quantize", "--model", "small-llama", "--double-quant", "--json"],
    ["train", "--model", "tiny-llama", "--steps", "20", "--json"],
    ["train", "--model", "tiny-llama", "--steps", "20", "--qlora", "--json"],
]


def seconds(argv: list[str]) -> float:
    """Wall time of `studyapp lab ARGV` in a fresh interpreter."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "studyapp.cli", "lab", *argv], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Print one line per command (best of two runs)."""
    for argv in COMMANDS:
        best = min(seconds(argv) for _ in range(2))
        print(f"{best:6.2f} s  studyapp lab {' '.join(argv)}")


if __name__ == "__main__":
    main()
