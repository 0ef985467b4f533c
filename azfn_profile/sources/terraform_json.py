"""Templates written as text, and Terraform's JSON syntax.

A template written as text (a string of a `.tf.json` file, the lines of a heredoc)
is handed to python-hcl2's parser as a quoted string: its literal text escaped, each
interpolation kept as written. A `.tf.json` body is read as Terraform reads it: every
key is an argument, and a key read as a block (an object, or a list of objects) is
one, so the same reader serves both syntaxes.
Reference: developer.hashicorp.com/terraform/language/syntax/json
"""

from __future__ import annotations

from collections import deque
from typing import Any

from azfn_profile.sources.jsonc import Positions
from azfn_profile.sources.terraform_nodes import (
    Attr,
    Block,
    Body,
    Expr,
    HclError,
)
from azfn_profile.sources.terraform_syntax import parse_hcl


def heredoc(raw: str, trim: bool) -> str:
    """The text of a heredoc (`<<-` strips the common leading spaces)."""
    lines = raw.split("\n")[1:]  # after the <<EOT line
    while lines and not lines[-1].strip():
        lines.pop()
    lines = lines[:-1]  # the closing marker
    if trim:
        indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
        cut = min(indents, default=0)
        lines = [ln[cut:] for ln in lines]
    return "".join(ln.rstrip("\r") + "\n" for ln in lines)


class _Nesting:
    """Templates read from text inside templates (heredocs in interpolations)."""

    depth = 0


MAX_TEMPLATE_NESTING = 8


def template_text(value: str, line: int | None, col: int | None) -> Expr:
    """A template written as plain text (a JSON string, a heredoc's lines)."""
    if "${" not in value and "%{" not in value:
        return Expr("lit", value, [], line, col)
    if _Nesting.depth >= MAX_TEMPLATE_NESTING:
        return Expr("opaque", "templates nested too deep", [], line, col)
    quoted = _quoted(value)
    _Nesting.depth += 1
    try:
        body = parse_hcl(f'v = "{quoted}"\n')
    except HclError:
        return Expr("opaque", "a template that does not parse", [], line, col)
    finally:
        _Nesting.depth -= 1
    attr = body.attrs().get("v")
    if attr is None:
        return Expr("opaque", "a template that does not parse", [], line, col)
    return _relocated(attr.expr, line, col)


_QUOTE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _quoted(value: str) -> str:
    """A template's text as the inside of an HCL quoted string: the literal text
    escaped, each interpolation's expression kept as written (strings and braces in
    it are tracked only to find where it ends; the parser reads it)."""
    out: list[str] = []
    modes: list[str] = []  # "e" an interpolation, "b" a brace in one, "s" a string
    i, n = 0, len(value)
    while i < n:
        mode = modes[-1] if modes else "t"
        ch = value[i]
        if mode in ("t", "s"):
            step = value[i : i + 3]
            if step in ("$${", "%%{"):
                out.append(step)
                i += 3
                continue
            if step[:2] in ("${", "%{"):
                modes.append("e")
                out.append(step[:2])
                i += 2
                continue
            if mode == "t":
                out.append(_QUOTE.get(ch) or (ch if ch >= " " else f"\\u{ord(ch):04x}"))
            elif ch == "\\" and i + 1 < n:
                out.append(value[i : i + 2])
                i += 1
            else:
                out.append(ch)
                if ch == '"':
                    modes.pop()
            i += 1
            continue
        if ch == '"':
            modes.append("s")
        elif ch == "{":
            modes.append("b")
        elif ch == "}":
            modes.pop()
        out.append(ch)
        i += 1
    return "".join(out)


def _relocated(expr: Expr, line: int | None, col: int | None) -> Expr:
    stack = [expr]
    while stack:
        node = stack.pop()
        node.line, node.col = line, col
        stack.extend(node.args)
        if node.kind == "splat":
            stack.extend(e for _, e in node.value)
    return expr


# -- the JSON syntax -------------------------------------------------------------------


class JsonBody(Body):
    """A body in Terraform's JSON syntax: every key is an attribute, and a key read
    as a block (its value an object, or a list of objects) is one."""

    def __init__(self, data: dict[str, Any], path: tuple[Any, ...], pos: Positions):
        super().__init__({}, [])
        self.data, self.path, self.pos = data, path, pos
        self._cache: dict[str, Attr] | None = None

    def attrs(self) -> dict[str, Attr]:
        if self._cache is None:
            self._cache = {}
            for key, value in self.data.items():
                if key == "//":
                    continue
                line, col = self.pos.at((*self.path, key))
                expr = json_expr(value, (*self.path, key), self.pos, line, col)
                self._cache[key] = Attr(key, expr, line, col)
        return self._cache

    def blocks(self, name: str, labels: int = 0) -> list[Block]:
        value = self.data.get(name)
        return json_blocks(name, value, labels, (*self.path, name), self.pos)


def json_blocks(
    name: str, value: Any, labels: int, path: tuple[Any, ...], pos: Positions
) -> list[Block]:
    """Blocks of type `name` with `labels` labels, from a JSON value."""
    found: list[Block] = []
    todo: deque[tuple[Any, list[str], tuple[Any, ...]]] = deque([(value, [], path)])
    while todo:
        item, got, at = todo.popleft()
        if isinstance(item, list):
            todo.extendleft(reversed([(v, got, (*at, i)) for i, v in enumerate(item)]))
        elif not isinstance(item, dict):
            continue
        elif len(got) < labels:
            todo.extend(
                (v, [*got, str(k)], (*at, k)) for k, v in item.items() if k != "//"
            )
        else:
            line, col = pos.at(at)
            found.append(Block(name, got, JsonBody(item, at, pos), line, col))
    return found


def json_expr(
    value: Any, path: tuple[Any, ...], pos: Positions, line: int | None, col: int | None
) -> Expr:
    """A JSON value as an expression: strings are templates, the rest literals.
    Built with an explicit stack; object members near the top keep their own lines."""
    root = Expr("lit", None, [], line, col)
    stack: list[tuple[Any, Expr, tuple[Any, ...], int]] = [(value, root, path, 0)]
    while stack:
        item, node, at, depth = stack.pop()
        if isinstance(item, str):
            made = template_text(item, node.line, node.col)
            node.kind, node.value, node.args = made.kind, made.value, made.args
        elif isinstance(item, dict):
            node.kind = "object"
            for key, member in item.items():
                if key == "//":
                    continue
                where = pos.at((*at, key)) if depth < 2 else (node.line, node.col)
                child = Expr("lit", None, [], *where)
                node.args += [Expr("lit", str(key), [], *where), child]
                stack.append((member, child, (*at, key), depth + 1))
        elif isinstance(item, list):
            node.kind = "tuple"
            for i, member in enumerate(item):
                child = Expr("lit", None, [], node.line, node.col)
                node.args.append(child)
                stack.append((member, child, (*at, i), depth + 1))
        else:
            node.value = item
    return root


def parse_json(data: Any, text: str) -> Body:
    """A `.tf.json` document as a body whose blocks are the top-level ones."""
    pos = Positions(text)
    if not isinstance(data, dict):
        return Body({}, [])
    blocks: list[Block] = []
    for kind, labels in _TOP_LABELS.items():
        if kind in data:
            blocks += json_blocks(kind, data[kind], labels, (kind,), pos)
    return Body({}, blocks)


_TOP_LABELS = {
    "terraform": 0,
    "variable": 1,
    "locals": 0,
    "data": 2,
    "resource": 2,
    "module": 1,
    "output": 1,
}


def json_values(data: Any, text: str) -> dict[str, Attr]:
    """A `.tfvars.json` document: names and values."""
    if not isinstance(data, dict):
        return {}
    return JsonBody(data, (), Positions(text)).attrs()
