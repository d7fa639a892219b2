"""The layers of DESIGN.md, checked on the source: what each package may import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "studyapp"
# package -> modules it must never import (at any depth of the file: lazy imports count too)
FORBIDDEN = {
    "core": ("streamlit", "studyapp.lab", "studyapp.ui", "studyapp.views", "studyapp.buddy", "torch"),
    "lab": ("streamlit", "studyapp.ui", "studyapp.views"),
    "auth": ("streamlit", "studyapp.ui", "studyapp.views", "studyapp.lab", "torch"),
    "buddy": ("streamlit", "studyapp.ui", "studyapp.views"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package):
    bad = [f"{path.relative_to(PACKAGE)}:{line}: {name}"
           for path in sorted((PACKAGE / package).rglob("*.py"))
           for line, name in _imports(path)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])]
    assert bad == []
