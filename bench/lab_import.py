"""Import cost of the Lab's heavy dependencies, each in a fresh interpreter.

    python bench/lab_import.py
"""

import subprocess
import sys

CASES = {
    "studyapp.lab + registry + cli (light)": "import studyapp.lab, studyapp.lab.registry, studyapp.lab.cli",
    "torch": "import torch",
    "torch + transformers (AutoModelForCausalLM)": "import torch; from transformers import AutoModelForCausalLM",
    "torch + transformers + peft": "import torch; from transformers import AutoModelForCausalLM; import peft",
    "+ bitsandbytes": "import torch; from transformers import AutoModelForCausalLM; import peft, bitsandbytes",
    "studyapp.lab.heavy.ensure() (all the Lab imports)": "from studyapp.lab import heavy; heavy.ensure()",
}


def seconds(code: str, repeat: int = 3) -> float:
    """Best wall time of `code` in a fresh interpreter, interpreter start-up subtracted."""
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", timer.format(code)], capture_output=True,
                                 text=True, check=True).stdout.split()[-1]) for _ in range(repeat)]
    return min(runs)


def main() -> None:
    """Print one line per case."""
    for label, code in CASES.items():
        print(f"{label:<46} {seconds(code):6.2f} s")


if __name__ == "__main__":
    main()
