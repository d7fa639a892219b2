"""The whole course: every unit folder under ``units/``, in order, valid or broken."""

from __future__ import annotations

from pathlib import Path

from studyapp.core.content import versions
from studyapp.core.content.catalog import LabCatalog
from studyapp.core.content.model import BrokenUnit, Course, Unit
from studyapp.core.content.unit import load_unit
from studyapp.core.problems import Problem


def load_course(root: Path | str, *, lab: LabCatalog | None = None) -> Course:
    """Load every unit under ``root/units`` (or ``root`` itself if it holds unit folders).

    ``lab`` (``studyapp.lab.claims.catalog()``) is what links into the Lab and claim expressions
    are checked against; without it they are not checked. Never raises for a bad unit; a missing
    directory is one problem.
    """
    root = Path(root)
    units_dir = root / "units" if (root / "units").is_dir() else root
    if not units_dir.is_dir():
        problem = Problem(root, 0, "content directory not found; pass the folder that holds units/")
        return Course((), (BrokenUnit("", str(root), 0, (problem,), root),), root)
    pins, file_problems = versions.load(units_dir.parent if units_dir != root else root)
    banner = versions.banner(pins)
    units, broken = [], []
    for folder in sorted(p for p in units_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        result = load_unit(folder, lab=lab, checked_against=banner)
        (units if isinstance(result, Unit) else broken).append(result)
    duplicates = _duplicate_slugs(units)  # the first unit with a slug is served, later ones are broken
    broken.extend(duplicates)
    units = [u for u in units if u.path not in {d.path for d in duplicates}]
    return Course(tuple(sorted(units, key=lambda u: (u.order, u.slug))), tuple(broken), root,
                  pins, tuple(file_problems))


def _duplicate_slugs(units: list[Unit]) -> list[BrokenUnit]:
    seen: dict[str, Unit] = {}
    broken = []
    for unit in units:
        if unit.slug in seen:
            message = (f"slug '{unit.slug}' is also used by {seen[unit.slug].path.name}; slugs key progress, "
                       "so each must be unique")
            problem = Problem(unit.path / "unit.md", 2, message)
            broken.append(BrokenUnit(unit.slug, unit.title, unit.order, (problem,), unit.path))
        seen[unit.slug] = unit
    return broken
