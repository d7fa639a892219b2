"""The library versions the course was checked against: pinned in ``course.yaml``, shown on each unit.

``course.yaml`` sits beside ``units/``::

    verified_against:
      peft: "0.21.2"
      transformers: "5.24.0"
      bitsandbytes: "0.50.2"
      torch: "2.13.0"

Every unit shows "Checked against peft 0.21.2, transformers 5.24.0, bitsandbytes 0.50.2", and
``studyapp check`` warns when the installed versions differ (read with importlib.metadata: no
library is imported for this).
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path


from studyapp.core.content import source
from studyapp.core.problems import Problem

FILE = "course.yaml"
SHOWN = ("peft", "transformers", "bitsandbytes")  # what a unit's banner names
_VERSION = re.compile(r"^\d+(\.\d+)*([a-z]+\d*)?$")


def load(root: Path) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    """The ``(package, version)`` pins of ``root/course.yaml`` (none without the file) and its problems."""
    path = root / FILE
    if not path.exists():
        return (), []
    text, problems = source.read_text(path)
    node, more = source.compose(text, path) if text is not None else (None, [])
    if problems or more or node is None:
        return (), problems + more
    data = source.construct(node)
    pins = data.get("verified_against") if isinstance(data, dict) else None
    line = source.key_lines(node).get("verified_against", 1)
    if not isinstance(pins, dict) or not pins:
        return (), [Problem(path, line, "course.yaml needs 'verified_against': a mapping of package: "
                                        "\"version\" the course was checked against")]
    bad = [k for k, v in pins.items() if not isinstance(v, str) or not _VERSION.match(v)]
    if bad:
        return (), [Problem(path, line, f"verified_against: the version of '{bad[0]}' must be quoted text "
                                        "such as \"0.21.2\" (YAML reads 5.0 as a number)")]
    return tuple((str(k), v) for k, v in pins.items()), []


def banner(pins: tuple[tuple[str, str], ...]) -> str:
    """'Checked against peft 0.21.2, transformers 5.24.0, bitsandbytes 0.50.2', or '' with no pins."""
    shown = [f"{name} {version}" for name, version in pins if name in SHOWN]
    return f"Checked against {', '.join(shown)}" if shown else ""


def installed(package: str) -> str | None:
    """The installed version of ``package`` without its local label ('2.13.0+cpu' -> '2.13.0'), or None."""
    try:
        return metadata.version(package).split("+")[0]
    except metadata.PackageNotFoundError:
        return None


def mismatches(pins: tuple[tuple[str, str], ...], root: Path) -> list[Problem]:
    """A warning for each pinned package whose installed version differs (or is missing)."""
    warnings = []
    for name, version in pins:
        found = installed(name)
        if found != version:
            now = f"{found} is installed" if found else "it is not installed"
            message = (f"warning: the course was checked against {name} {version}, but {now}; "
                       "re-check the units (docs/course-audit.md) and update verified_against")
            warnings.append(Problem(root / FILE, 0, message))
    return warnings


