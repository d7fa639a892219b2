"""Byte sizes as the app shows them: one unit system everywhere, binary (KiB, MiB, GiB).

GPU memory is binary: an "A100 40 GB" has 40 GiB (40,960 MiB), which is what nvidia-smi
and torch.cuda report. So every memory figure in the app and the course is in GiB/MiB,
labelled as such, and a GPU's capacity and an estimate are compared in the same unit.
"""

from __future__ import annotations

KIB, MIB, GIB = 2**10, 2**20, 2**30


def gib(n_bytes: float, digits: int = 2) -> str:
    """'12.55 GiB' for a byte count."""
    return f"{n_bytes / GIB:,.{digits}f} GiB"


def mib(n_bytes: float, digits: int = 2) -> str:
    """'16.00 MiB' for a byte count."""
    return f"{n_bytes / MIB:,.{digits}f} MiB"


def human_bytes(n_bytes: float) -> str:
    """The byte count in the largest binary unit that keeps it at 1 or more: B, KiB, MiB or GiB."""
    for unit, size in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if abs(n_bytes) >= size:
            return f"{n_bytes / size:,.2f} {unit}"
    return f"{int(n_bytes):,} B"
