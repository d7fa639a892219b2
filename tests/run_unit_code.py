"""Run every ```python block of one unit, in order, in one namespace (as a notebook would).

Usage: python tests/run_unit_code.py UNIT_FOLDER  -> prints one JSON line per block.

A block whose first line is ``# expect-error: ValueError`` (optionally
``# expect-error: ValueError: text the message contains``) must raise that
exception; any other block must run without one.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EXPECT = re.compile(r"^#\s*expect-error:\s*([A-Za-z_.]+)(?::\s*(.+))?\s*$")


def python_blocks(unit) -> list[tuple[int, str]]:
    """(line in unit.md, source) of each python fence, with claims already filled in."""
    from markdown_it import MarkdownIt

    fences = [t for t in MarkdownIt("commonmark").parse(unit.body) if t.type == "fence"]
    return [(t.map[0] + 1 if t.map else 0, t.content) for t in fences if t.info.strip() in ("python", "py")]


def run_block(source: str, namespace: dict) -> dict:
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    expect = EXPECT.match(first)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<unit block>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - we report whatever the block raised
        name, message = type(exc).__name__, str(exc)
        kinds = {cls.__name__ for cls in type(exc).__mro__}  # ValueError also matches its subclasses
        if expect and expect.group(1).split(".")[-1] in kinds and (not expect.group(2) or expect.group(2) in message):
            return {"ok": True, "raised": name, "message": message[:300]}
        return {"ok": False, "raised": name, "message": message[:500], "trace": traceback.format_exc()[-1500:]}
    if expect:
        return {"ok": False, "raised": None, "message": f"expected {expect.group(1)} but the block ran cleanly"}
    return {"ok": True, "raised": None, "stdout": out.getvalue()[-500:]}


def main(folder: str) -> None:
    import offline_hub
    from studyapp.core.content import load_unit

    offline_hub.install()
    unit = load_unit(Path(folder))
    namespace = {"__name__": "__main__"}
    with tempfile.TemporaryDirectory() as work:
        import os

        os.chdir(work)  # save_pretrained("my-adapter") and friends write here
        for line, source in python_blocks(unit):
            print(json.dumps({"line": line, **run_block(source, namespace)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
