"""Every page of the app and every URL parameter it reads, found in the source, and the
hostile values a fuzz sends to each.

Pages are the files in ``studyapp/views/`` (the router registers each; a view it does
not register fails its fuzz case). A page reads a parameter when code it runs calls
``query_params.get("name")``, indexes ``query_params["name"]``, tests ``"name" in
query_params``, or calls ``preset("name", default)`` (the Lab's presets, whose default
says the type). Code it runs: the router and the page, and every function of a studyapp
module they import (transitively) that they call, by name, transitively. A new page or
parameter is fuzzed without editing the tests.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "studyapp"
ROUTER = PACKAGE / "app.py"
PIXEL_URL = "http://127.0.0.1:9/pixel.png"  # port 9 (discard): nothing answers, a request would show
PIXEL = f"![x]({PIXEL_URL})"
HUGE = "9" * 100_000

# (id, value) per kind of parameter. Every kind gets markup (an image to the probe URL),
# a NUL and 100,000 characters; text also gets what breaks quoting, paths and code spans;
# numbers get the edges; switches get what is neither yes nor no.
HOSTILE = [("empty", ""), ("pixel", PIXEL), ("nul", "8\x00"), ("huge", HUGE)]
TEXT_VALUES = HOSTILE + [("code-break", f"`{PIXEL}`"), ("script", "<script>alert(1)</script>"),
                         ("traversal", "../../etc/passwd"), ("emoji", "🧠" * 2_000), ("quotes", "'\"`;--")]
NUMBER_VALUES = HOSTILE + [("minus-one", "-1"), ("zero", "0"), ("large", "100000"), ("1e308", "1e308"),
                           ("nan", "nan"), ("inf", "inf"), ("fraction", "1.5")]
BOOL_VALUES = HOSTILE + [("maybe", "maybe"), ("one", "1")]


# Registered only where students sign in (app.pages(signs_in=True)); they read no URL parameter.
SIGNED_IN_ONLY = frozenset({"views/account.py", "views/class_view.py"})


def pages(signs_in: bool = False) -> list[str]:
    """Every view the router registers, as ``views/NAME.py`` (the path AppTest.switch_page takes)."""
    found = (f"views/{p.name}" for p in (PACKAGE / "views").glob("*.py") if p.name != "__init__.py")
    return sorted(p for p in found if signs_in or p not in SIGNED_IN_ONLY)


def params_read(page: str) -> dict[str, str]:
    """Parameter name -> kind ("number", "bool" or "text") for every parameter ``page`` can read.

    Read from the code the page runs; a Lab page's presets come from its Settings, which the
    Lab states once (``lab.panels.url_parameters``), so they are taken from there too.
    """
    from studyapp.lab import panels

    found: dict[str, str] = {}
    if page in {p.view for p in panels.PANELS}:
        found.update(panels.url_parameters(page))
    for node in _code_run(page):
        for sub in ast.walk(node):
            name, kind = _read_in(sub)
            if name:
                found[name] = kind
    return dict(sorted(found.items()))


def _code_run(page: str) -> list[ast.AST]:
    """The router's and the page's code, plus each function they call (by name), transitively."""
    modules = _reachable(ROUTER) | _reachable(PACKAGE / page)
    functions = {f.name: f for m in modules for f in _tree(m).body if isinstance(f, ast.FunctionDef)}
    todo = [_tree(ROUTER), _tree(PACKAGE / page)]
    todo += [n for m in modules for n in _tree(m).body if not isinstance(n, ast.FunctionDef)]
    run, called = [], set()
    while todo:
        node = todo.pop()
        run.append(node)
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
            if name in functions and name not in called:
                called.add(name)
                todo.append(functions[name])
    return run


def values_for(kind: str) -> list[tuple[str, str]]:
    """The (id, value) pairs sent to a parameter of this kind."""
    return {"number": NUMBER_VALUES, "bool": BOOL_VALUES}.get(kind, TEXT_VALUES)


def cases() -> list[tuple[str, str, str, str]]:
    """(page, parameter, value id, value) for every parameter of every page."""
    return [(page, name, vid, value) for page in pages() for name, kind in params_read(page).items()
            for vid, value in values_for(kind)]


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def _reachable(path: Path) -> frozenset[Path]:
    """``path`` and every studyapp module it imports, transitively."""
    seen, todo = set(), [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += [m for m in _imports(current) if m not in seen]
    return frozenset(seen)


def _imports(path: Path) -> list[Path]:
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("studyapp"):
            out += [_module_file(f"{node.module}.{alias.name}") or _module_file(node.module)
                    for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [_module_file(a.name) for a in node.names if a.name.startswith("studyapp")]
    return [p for p in out if p]


def _module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _read_in(node: ast.AST) -> tuple[str | None, str]:
    if isinstance(node, ast.Call) and node.args and _is_str(node.args[0]):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_query_params(func.value):
            return node.args[0].value, "text"
        if getattr(func, "id", None) == "preset" or getattr(func, "attr", None) == "preset":
            return node.args[0].value, _kind(node.args[1] if len(node.args) > 1 else None)
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_query_params(node.value) \
            and _is_str(node.slice):
        return node.slice.value, "text"
    if isinstance(node, ast.Compare) and _is_str(node.left) and len(node.ops) == 1 \
            and isinstance(node.ops[0], ast.In) and _is_query_params(node.comparators[0]):
        return node.left.value, "text"
    return None, ""


def _is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_query_params(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "query_params") or \
        (isinstance(node, ast.Name) and node.id == "query_params")


def _kind(default) -> str:
    value = default.value if isinstance(default, ast.Constant) else None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def url_path(page: str) -> str:
    """The address of ``page`` on a live server, as the router registers it ('' for the default page).

    The router's ``st.Page("views/x.py", url_path=...)`` calls are read from its source; the Lab's
    pages come from the list the router reads them from; otherwise Streamlit's default, the stem.
    """
    from studyapp.lab.panels import PANELS

    lab = {p.view: p.url_path for p in PANELS}
    calls = (n for n in ast.walk(_tree(ROUTER)) if isinstance(n, ast.Call) and n.args and _is_str(n.args[0]))
    for call in calls:
        if call.args[0].value == page and getattr(call.func, "attr", "") == "Page":
            keywords = {k.arg: k.value for k in call.keywords}
            if isinstance(keywords.get("default"), ast.Constant) and keywords["default"].value is True:
                return ""
            if _is_str(keywords.get("url_path")):
                return keywords["url_path"].value
    return lab.get(page, Path(page).stem)
