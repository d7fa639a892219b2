"""How long `studyapp check` takes on the bundled course, claims evaluated, in a fresh interpreter.

    python bench/content_check.py

Prints wall time and CPU time (user + system of the child): on a shared machine the wall time
grows with the load, the CPU time much less. Also prints how many peft wraps and estimates the
claims needed (lab/claims.py caches one wrap per model, r, targets and DoRA setting).
"""

import os
import resource
import subprocess
import sys
import time

CODE = """
from studyapp.commands.check import check_course
from studyapp.lab import claims
status = check_course('content')
print('wraps', claims._wrapped.cache_info().misses, 'estimates', claims._estimate.cache_info().misses,
      'status', status)
"""


def main() -> None:
    """Run the check once and print its figures."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=root, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"studyapp check (bundled course): {time.perf_counter() - start:.1f} s wall, {cpu:.1f} s CPU, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(" ".join(line for line in out.stdout.splitlines() if line.startswith(("OK", "wraps"))))


if __name__ == "__main__":
    main()
