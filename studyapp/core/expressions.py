"""The language of a claim's ``compute``: an allow-list of Python expression nodes, run by a small
interpreter instead of ``eval``.

A claim may use calls to the functions it is given (the Lab's claim functions: ``params``,
``weights``, ...), number and string literals, arithmetic on numbers, comparisons, subscripts,
attribute access on results (``params('llama-2-7b').trainable_params``), lists, tuples and
comprehensions over results. Everything else is rejected before anything runs: names nobody
gave, attributes that start with ``_`` (so no walk from ``().__class__`` to ``os.system``), calls
on anything but a given function name, methods as values, lambdas, f-strings, walrus. Sizes are
bounded so that a typo cannot hang ``studyapp check`` or fill memory.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Collection, Mapping
from typing import Any

MAX_SOURCE = 4000        # characters in one expression
MAX_ITEMS = 10_000       # elements of a list, tuple, string or comprehension
MAX_INT_BITS = 4096      # size of an integer result of ** or <<
MAX_EXPONENT = 1000

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
               ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
               ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}
_STRUCTURE = (ast.Expression, ast.Load, ast.Store, ast.keyword, ast.comprehension, ast.And, ast.Or,
              ast.Constant, ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Slice, ast.BinOp,
              ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.List, ast.Tuple, ast.ListComp,
              ast.GeneratorExp)
ALLOWED = _STRUCTURE + tuple(_ARITHMETIC) + tuple(_UNARY) + tuple(_COMPARE)


class ExpressionError(ValueError):
    """An expression outside the allow-list, or one that breaks a size bound."""


def check(source: str, names: Collection[str] | None = None) -> str | None:
    """Why ``source`` is not an allowed claim expression, or None when it is.

    ``names`` are the function names it may call; None checks the shape only (as the app does
    when it loads a unit: claims are evaluated by ``studyapp check`` and the tests).
    """
    try:
        _validate(_parse(source), names)
    except ExpressionError as exc:
        return str(exc)
    return None


def evaluate(source: str, functions: Mapping[str, Any]) -> Any:
    """The value of claim expression ``source``, calling only ``functions``.

    Raises:
        ExpressionError: not an allowed expression, or a size bound broken while it runs.
        Exception: whatever a called function raises (ZeroDivisionError for ``1 / 0``, ...).
    """
    tree = _parse(source)
    _validate(tree, functions)
    return _Interpreter(functions).run(tree.body, {})


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("compute must be a non-empty Python expression")
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"compute is {len(source):,} characters; the limit is {MAX_SOURCE:,}")
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"compute is not a Python expression ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("compute is nested too deeply for Python to parse") from None


def _validate(tree: ast.Expression, names: Collection[str] | None) -> None:
    bound = _comprehension_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED):
            raise ExpressionError(f"compute may not use {_describe(node)}; a claim calls the Lab's "
                                  "claim functions and does arithmetic on what they return")
        _check_node(node, names, bound)


def _check_node(node: ast.AST, names: Collection[str] | None, bound: set[str]) -> None:
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise ExpressionError(f"compute may not read the attribute '{node.attr}' (names starting with '_')")
    if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name):
        raise ExpressionError("compute may call only the claim functions by name, not methods")
    if isinstance(node, ast.keyword) and node.arg is None:
        raise ExpressionError("compute may not use ** in a call")
    if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
        raise ExpressionError(f"compute may not use the literal {node.value!r}")
    if isinstance(node, ast.comprehension) and (node.is_async or not isinstance(node.target, ast.Name)):
        raise ExpressionError("a comprehension in compute takes one plain name: [x.gpu for x in ...]")
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and names is not None \
            and node.id not in names and node.id not in bound:
        known = ", ".join(sorted(names))
        raise ExpressionError(f"compute uses the unknown name '{node.id}'; claim functions: {known}")


def _comprehension_names(tree: ast.AST) -> set[str]:
    return {n.target.id for n in ast.walk(tree) if isinstance(n, ast.comprehension)
            and isinstance(n.target, ast.Name)}


def _describe(node: ast.AST) -> str:
    return {ast.Lambda: "lambda", ast.JoinedStr: "f-strings", ast.NamedExpr: "':='",
            ast.Dict: "dict literals", ast.Set: "set literals", ast.Starred: "'*' unpacking",
            ast.DictComp: "dict comprehensions", ast.SetComp: "set comprehensions",
            ast.Await: "await", ast.Yield: "yield"}.get(type(node), f"'{type(node).__name__}' expressions")


class _Interpreter:
    """Evaluates a validated tree node by node, checking types and sizes as it goes."""

    def __init__(self, functions: Mapping[str, Any]):
        self.functions = functions

    def run(self, node: ast.AST, scope: dict[str, Any]) -> Any:
        return getattr(self, f"_{type(node).__name__}")(node, scope)

    def _Constant(self, node: ast.Constant, scope) -> Any:
        return _sized(node.value)

    def _Name(self, node: ast.Name, scope) -> Any:
        return scope[node.id] if node.id in scope else self.functions[node.id]

    def _Call(self, node: ast.Call, scope) -> Any:
        if node.func.id not in self.functions:
            raise ExpressionError(f"'{node.func.id}' is not a claim function")
        args = [self.run(a, scope) for a in node.args]
        kwargs = {k.arg: self.run(k.value, scope) for k in node.keywords}
        return _sized(self.functions[node.func.id](*args, **kwargs))

    def _Attribute(self, node: ast.Attribute, scope) -> Any:
        value = getattr(self.run(node.value, scope), node.attr)
        if callable(value):
            raise ExpressionError(f"'{node.attr}' is a method; a claim reads values, "
                                  "it does not call methods")
        return _sized(value)

    def _Subscript(self, node: ast.Subscript, scope) -> Any:
        return _sized(self.run(node.value, scope)[self.run(node.slice, scope)])

    def _Slice(self, node: ast.Slice, scope) -> slice:
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if p is None else self.run(p, scope) for p in parts))

    def _BinOp(self, node: ast.BinOp, scope) -> Any:
        left, right = self.run(node.left, scope), self.run(node.right, scope)
        _check_operands(type(node.op), left, right)
        return _sized(_ARITHMETIC[type(node.op)](left, right))

    def _UnaryOp(self, node: ast.UnaryOp, scope) -> Any:
        value = self.run(node.operand, scope)
        if not isinstance(node.op, ast.Not) and not _is_number(value):
            raise ExpressionError(f"'-' and '+' apply to numbers, not {type(value).__name__}")
        return _UNARY[type(node.op)](value)

    def _Compare(self, node: ast.Compare, scope) -> bool:
        left = self.run(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.run(right_node, scope)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _BoolOp(self, node: ast.BoolOp, scope) -> Any:
        value = None
        for item in node.values:
            value = self.run(item, scope)
            if bool(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def _IfExp(self, node: ast.IfExp, scope) -> Any:
        return self.run(node.body if self.run(node.test, scope) else node.orelse, scope)

    def _List(self, node: ast.List, scope) -> list:
        return _sized([self.run(e, scope) for e in node.elts])

    def _Tuple(self, node: ast.Tuple, scope) -> tuple:
        return _sized(tuple(self.run(e, scope) for e in node.elts))

    def _ListComp(self, node: ast.ListComp, scope) -> list:
        return list(self._comprehend(node.elt, node.generators, scope))

    def _GeneratorExp(self, node: ast.GeneratorExp, scope) -> list:
        return list(self._comprehend(node.elt, node.generators, scope))

    def _comprehend(self, elt: ast.AST, generators: list[ast.comprehension], scope) -> list:
        out: list = []
        self._loop(elt, generators, dict(scope), out)
        return out

    def _loop(self, elt, generators, scope, out: list) -> None:
        first, rest = generators[0], generators[1:]
        for item in _sized(list(self.run(first.iter, scope))):
            scope[first.target.id] = item
            if all(self.run(cond, scope) for cond in first.ifs):
                if rest:
                    self._loop(elt, rest, scope, out)
                else:
                    out.append(self.run(elt, scope))
                _sized(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_operands(op: type, left: Any, right: Any) -> None:
    """Arithmetic is on numbers; '+' may also join two lists, tuples or strings."""
    if op is ast.Add and type(left) is type(right) and isinstance(left, (list, tuple, str)):
        return
    if not (_is_number(left) and _is_number(right)):
        raise ExpressionError(f"arithmetic applies to numbers, not {type(left).__name__} and "
                              f"{type(right).__name__}")
    if op is ast.Pow and (abs(right) > MAX_EXPONENT
                          or isinstance(left, int) and isinstance(right, int)
                          and left.bit_length() * abs(right) > MAX_INT_BITS):
        raise ExpressionError(f"{left!r} ** {right!r} is too large for a claim")
    if op is ast.LShift and (not isinstance(right, int) or right > MAX_INT_BITS):
        raise ExpressionError(f"<< {right!r} is too large for a claim")


def _sized(value: Any) -> Any:
    if isinstance(value, (list, tuple, str)) and len(value) > MAX_ITEMS:
        raise ExpressionError(f"a value of {len(value):,} items is larger than a claim needs "
                              f"(limit {MAX_ITEMS:,})")
    return value
