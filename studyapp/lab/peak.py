"""Peak memory of one Lab job, measured the best way the device allows, and said how.

On CUDA it is torch's own counter (``torch.cuda.max_memory_allocated``) above what was
allocated when the job began. On a CPU there is no per-job allocator counter, so it is
the growth of this process's resident memory (RSS, from /proc/self/statm), sampled
whenever the job calls :meth:`PeakMemory.sample` (once per training step): a lower
bound on the true peak, and shared with anything else the process does meanwhile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CUDA_HOW = "torch.cuda.max_memory_allocated, above what was allocated before the job"
RSS_HOW = ("growth of this server process's resident memory (RSS), sampled after each step: "
           "a lower bound, and other work in the process counts too")
NONE_HOW = "not measurable here (no CUDA and no /proc/self/statm)"


@dataclass(frozen=True)
class PeakReading:
    """A peak, in bytes (None when the platform cannot tell), and how it was measured."""

    bytes: int | None
    how: str


def resident_bytes() -> int | None:
    """This process's resident memory now, in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Tracks the peak memory of a job on `device` from the moment it is created."""

    def __init__(self, device: str):
        self.cuda = str(device).startswith("cuda")
        self.device = device
        if self.cuda:
            from studyapp.lab import heavy

            heavy.ensure()
            import torch

            torch.cuda.reset_peak_memory_stats(device)
            self.start = torch.cuda.memory_allocated(device)
        else:
            self.start = resident_bytes()
        self.high = self.start

    def sample(self) -> None:
        """Record the memory now (a no-op on CUDA, whose counter keeps its own peak)."""
        if not self.cuda and self.high is not None:
            now = resident_bytes()
            if now is not None:
                self.high = max(self.high, now)

    def reading(self) -> PeakReading:
        """The peak above the start, and how it was measured."""
        if self.cuda:
            from studyapp.lab import heavy

            heavy.ensure()
            import torch

            return PeakReading(torch.cuda.max_memory_allocated(self.device) - self.start, CUDA_HOW)
        self.sample()
        if self.start is None or self.high is None:
            return PeakReading(None, NONE_HOW)
        return PeakReading(self.high - self.start, RSS_HOW)
