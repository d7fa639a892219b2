"""Heavy imports happen once, behind a lock: simultaneous first Lab jobs must not crash (issue 8.5).

Before the fix, two or three threads calling a Lab function at once in a fresh process
raised ``ImportError: cannot import name 'AutoConfig' from 'transformers'``: transformers
resolves its names lazily and that is not thread-safe. Each test here starts a fresh
interpreter, so the imports really are first.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.lab import heavy

LAB = Path(__file__).resolve().parents[2] / "studyapp" / "lab"

# Each Lab entry point that imports the heavy libraries, as a page or a script reaches it:
# (the light import a page does when it loads, the call a request makes). Every call runs
# in a thread, all released at once, in one fresh process.
ENTRY_POINTS = {
    "load_config": ("from studyapp.lab.registry import load_config", "load_config('tiny-llama')"),
    "build_model": ("from studyapp.lab.registry import build_model", "build_model('llama-2-7b')"),
    "fine_tune_bytes": ("from studyapp.lab.train import fine_tune_bytes, TrainSettings",
                        "fine_tune_bytes(TrainSettings())"),
    "wrap": ("from studyapp.lab.wrap import wrap_registry_model; "
             "from studyapp.lab.settings import LoraSettings",
             "wrap_registry_model('llama-3-8b', LoraSettings())"),
    "weight_memory": ("from studyapp.lab.memory import weight_memory", "weight_memory('llama-2-7b')"),
    "training_estimate": ("from studyapp.lab.memory import training_estimate",
                          "training_estimate('tiny-llama')"),
    "lora_config": ("from studyapp.lab.settings import LoraSettings", "LoraSettings().to_lora_config()"),
    "pick_device": ("from studyapp.lab.device import pick_device", "pick_device()"),
    "tokenizer": ("from studyapp.lab.tokenizer import ByteTokenizer", "ByteTokenizer().batch(['hi'], 8)"),
    "demo_layer": ("from studyapp.lab.decompose import demo_layer", "demo_layer('tiny-llama')"),
    "bnb_config": ("from studyapp.lab.quantize import bnb_config", "bnb_config('nf4')"),
    "small_build": ("from studyapp.lab.registry import build_model", "build_model('tiny-llama')"),
    "claims": ("from studyapp.lab.claims import params", "params('tiny-llama')"),
    "job_estimate": ("from studyapp.lab import tasks; from studyapp.lab.settings import TrainSettings",
                     "tasks.train_estimate(TrainSettings())"),
}
# The heavier paths, once each: a job's whole work, the bundled adapter, the warm-up itself.
HEAVY_ENTRY_POINTS = {
    "quantize": ("from studyapp.lab.quantize import measure_quantized",
                 "measure_quantized('tiny-llama', 'nf4', device='cpu')"),
    "forward_check": ("from studyapp.lab.wrap import forward_check; from studyapp.lab.settings import "
                      "LoraSettings", "forward_check('tiny-llama', LoraSettings(), new_tokens=2)"),
    "fine_tune": ("from studyapp.lab.train import run_fine_tune; from studyapp.lab.settings import "
                  "TrainSettings", "run_fine_tune(TrainSettings(steps=1, device='cpu', qlora=True))"),
    "rank_report": ("from studyapp.lab.decompose import rank_report; from studyapp.lab.settings import "
                    "RankSettings", "rank_report(RankSettings(model='tiny-llama'))"),
    "bundled_adapter": ("from studyapp.lab.learned import load_adapter", "load_adapter()"),
    "warm_up": ("from studyapp.lab import heavy", "heavy.start_warm_up(force=True).join()"),
}

# `typing` is imported first, as it is long before any request in a real server (Streamlit
# imports it): dataclasses reads sys.modules["typing"] without the import lock, so a
# dataclass defined while another thread imports typing for the first time fails.
RACE = """
import sys, threading, traceback, typing
entries = {entries!r}
for imports, _ in entries:
    exec(imports, globals())  # what a page imports when it loads: light, no torch
barrier = threading.Barrier(len(entries))
errors = []
def call(code):
    barrier.wait()
    try:
        eval(code, globals())
    except BaseException:
        errors.append(traceback.format_exc())
threads = [threading.Thread(target=call, args=(c,)) for _, c in entries]
for t in threads: t.start()
for t in threads: t.join()
print("\\n".join(errors))
sys.exit(1 if errors else 0)
"""


def race(entries: list[tuple[str, str]]) -> subprocess.CompletedProcess:
    """Run each entry's call in its own thread, all released at once, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", RACE.format(entries=entries)], capture_output=True,
                          text=True, timeout=240)


def test_three_students_pressing_train_at_once_on_a_fresh_server():
    # the reported case: the page estimated the job's memory (load_config) before the gate.
    # Before the fix this failed in about two fresh processes of three; two runs catch it.
    for _ in range(2):
        done = race([ENTRY_POINTS["fine_tune_bytes"]] * 3)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_every_lab_entry_point_at_once_in_a_fresh_process():
    done = race(list(ENTRY_POINTS.values()) * 2 + list(HEAVY_ENTRY_POINTS.values()))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _heavy_import(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    else:
        return None
    hit = [n for n in names if n.split(".")[0] in heavy.HEAVY_MODULES]
    return hit[0] if hit else None


def _calls_ensure(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "ensure" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "heavy")


def _unguarded_imports(path: Path) -> list[str]:
    """Functions in `path` that import a heavy library without calling heavy.ensure() before it."""
    found = []
    tree = ast.parse(path.read_text())
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or path.name == "heavy.py":
            continue
        ensured_at = min((n.lineno for n in ast.walk(func) if _calls_ensure(n)), default=None)
        for node in ast.walk(func):
            name = _heavy_import(node)
            if name and (ensured_at is None or node.lineno < ensured_at):
                found.append(f"{path.name}:{node.lineno} {func.name} imports {name}")
    top_level = [n for n in tree.body if _heavy_import(n)]
    found += [f"{path.name}:{n.lineno} imports {_heavy_import(n)} at module level" for n in top_level]
    return found


def test_every_heavy_import_in_the_lab_is_behind_the_lock():
    problems = [p for path in sorted(LAB.glob("*.py")) for p in _unguarded_imports(path)]
    assert problems == []


def test_the_checker_finds_an_unguarded_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from transformers import AutoConfig\n\n"
                      "def g():\n    from studyapp.lab import heavy\n    heavy.ensure()\n    import torch\n")
    assert _unguarded_imports(sample) == ["sample.py:2 f imports transformers"]


def test_ensure_is_idempotent_and_reports_ready():
    heavy.ensure()
    heavy.ensure()
    status = heavy.status()
    assert status.state == "ready" and status.seconds is not None and status.seconds >= 0


def test_warm_up_runs_once_in_the_background_in_a_fresh_process():
    code = ("from studyapp.lab import heavy; import sys; "
            "assert heavy.status().state == 'cold' and heavy.start_warm_up() is None; "
            "t = heavy.start_warm_up(force=True); "
            "assert heavy.start_warm_up(force=True) is t and t.daemon; t.join(240); "
            "s = heavy.status(); print(s); "
            "sys.exit(0 if s.state == 'ready' and 'transformers' in sys.modules else 1)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module", ["studyapp.lab.settings", "studyapp.lab.heavy", "studyapp.lab.jobs",
                                    "studyapp.lab.panels", "studyapp.lab.cli", "studyapp.lab.learned"])
def test_light_lab_modules_import_no_heavy_library(module):
    code = (f"import sys, {module}; heavy = [m for m in {heavy.HEAVY_MODULES!r} if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("env, served, expected", [
    (None, False, False), (None, True, True), ("0", True, False), ("1", False, True), ("off", True, False)])
def test_the_warm_up_runs_in_a_served_app_unless_turned_off(monkeypatch, env, served, expected):
    if env is None:
        monkeypatch.delenv(heavy.WARM_UP_ENV, raising=False)
    else:
        monkeypatch.setenv(heavy.WARM_UP_ENV, env)
    if served:
        monkeypatch.setitem(sys.modules, "streamlit.web.bootstrap", sys.modules[__name__])
    else:
        monkeypatch.delitem(sys.modules, "streamlit.web.bootstrap", raising=False)
    assert heavy.serving() is expected
