"""A problem in the course, located to a line of a file: what loaders and checkers return.

Its own module so that the content loader and the claims checker can both return
problems without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the course, located to a line of a file."""

    path: Path
    line: int  # 1-based; 0 when the whole file is at fault
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
