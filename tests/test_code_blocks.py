"""Every Python block in every unit runs (or fails exactly as the text says it will).

Each unit's blocks run in order in one fresh interpreter, like a notebook, with Hub ids
mapped to small local models of the same architecture (tests/offline_hub.py): no network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paths import CONTENT
from studyapp.core.content import load_course

HERE = Path(__file__).resolve().parent
UNITS = load_course(CONTENT).units


@pytest.mark.parametrize("unit", UNITS, ids=[u.slug for u in UNITS])
def test_every_python_block_runs(unit, tmp_path):
    out = subprocess.run([sys.executable, str(HERE / "run_unit_code.py"), str(unit.path)],
                         capture_output=True, text=True, timeout=600,
                         env={**__import__("os").environ, "STUDYAPP_TWIN_DIR": str(HERE.parent / ".twins"),
                              "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr[-3000:]
    results = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    failures = [f"unit.md block at line {r['line']}: {r['raised']}: {r['message']}\n{r.get('trace', '')}"
                for r in results if not r["ok"]]
    assert not failures, "\n\n".join(failures)
    assert results, f"{unit.slug} has no python block; every unit teaches with runnable code"


def test_expect_error_blocks_must_fail_as_named():
    sys.path.insert(0, str(HERE))
    from run_unit_code import run_block

    assert run_block("# expect-error: ValueError: bad\nraise ValueError('a bad value')", {})["ok"]
    assert not run_block("# expect-error: ValueError\nx = 1", {})["ok"]
    assert not run_block("# expect-error: KeyError\nraise ValueError('x')", {})["ok"]
    assert not run_block("raise RuntimeError('boom')", {})["ok"]
    assert run_block("# expect-error: ValueError\nclass E(ValueError): pass\nraise E('sub')", {})["ok"]
