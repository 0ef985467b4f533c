"""Terraform files as blocks, attributes and expression trees, with positions.

The native syntax (`.tf`, `.tfvars`) is parsed by python-hcl2's parser (its Lark
grammar, whose raw parse tree keeps every line and column); the parse tree becomes
the small `Expr` nodes below through an explicit stack, so nesting depth is bounded
by the evaluator, never by Python's recursion limit. The JSON syntax (`.tf.json`,
`.tfvars.json`) is read with `jsonc`; its strings are templates, parsed by the same
parser. Both give the same `Block`s, so one reader serves both.
Reference: developer.hashicorp.com/terraform/language/syntax/json
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from azfn_profile.sources.terraform_nodes import (
    Attr,
    Block,
    Body,
    Expr,
    HclError,
    HclLimit,
)

MAX_BLOCK_DEPTH = 32  # blocks inside blocks
MAX_NUMBER_DIGITS = 30
MAX_TOKENS = 60_000  # one file: a few seconds of parsing


# -- the native syntax ---------------------------------------------------------------


def parse_hcl(text: str) -> Body:
    """A configuration or variables file: its attributes and top-level blocks."""
    return _body(_tree(text), 0)


def _tree(text: str) -> Any:
    """python-hcl2's parse tree, fed token by token so that a file of more than
    `MAX_TOKENS` tokens stops early (the parser takes about 60 µs a token)."""
    from hcl2.parser import parser
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput

    try:
        # The newline is python-hcl2's own: its grammar ends statements with one.
        state = parser().parse_interactive(text + "\n")
        for count, _ in enumerate(state.iter_parse(), 1):
            if count > MAX_TOKENS:
                raise HclLimit(f"more than {MAX_TOKENS:,} tokens: not parsed", 1, 1)
        return state.feed_eof()  # type: ignore[no-untyped-call]
    except UnexpectedCharacters as exc:
        char = text_at(text, exc.pos_in_stream)
        raise HclError(f"unexpected character {char!r}", exc.line, exc.column) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        what = f"unexpected {str(token)[:40]!r}" if token else "unexpected end of file"
        line = exc.line if isinstance(exc.line, int) and exc.line > 0 else None
        col = exc.column if isinstance(exc.column, int) and exc.column > 0 else None
        raise HclError(what, line, col) from None
    except HclError:
        raise
    except (LarkError, ValueError, RuntimeError) as exc:  # the parser's own faults
        raise HclError(f"not parsed ({type(exc).__name__})", None, None) from None


def text_at(text: str, pos: Any) -> str:
    return text[pos : pos + 1] if isinstance(pos, int) and 0 <= pos < len(text) else ""


def _trees(node: Any) -> Iterator[Any]:
    from lark import Tree

    for child in node.children:
        if isinstance(child, Tree) and child.data != "new_line_or_comment":
            yield child


def _tokens(node: Any) -> list[Any]:
    from lark import Token

    return [c for c in node.children if isinstance(c, Token)]


def _where(node: Any) -> tuple[int | None, int | None]:
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line, meta.column
    return getattr(node, "line", None), getattr(node, "column", None)


def _name(node: Any) -> str:
    """The text of an identifier, keyword or literal word (names of attributes,
    blocks and attributes after a dot)."""
    tokens = _tokens(node)
    return str(tokens[0]) if tokens else ""


def _body(tree: Any, depth: int) -> Body:
    if depth > MAX_BLOCK_DEPTH:
        line, col = _where(tree)
        raise HclLimit(f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels", line, col)
    body = tree if tree.data == "body" else next(_trees(tree), None)
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for item in _trees(body) if body is not None else ():
        line, col = _where(item)
        parts = list(_trees(item))
        if item.data == "attribute" and len(parts) >= 2:
            name = _name(parts[0])
            attrs.setdefault(name, Attr(name, expression(parts[-1]), line, col))
        elif item.data == "block" and parts:
            labels = [_label(p) for p in parts[1:-1]]
            inner = _body(parts[-1], depth + 1)
            blocks.append(Block(_name(parts[0]), labels, inner, line, col))
    return Body(attrs, blocks)


def _label(node: Any) -> str:
    if node.data != "string":
        return _name(node)
    label = expression(node)
    return label.value if label.kind == "lit" and isinstance(label.value, str) else ""


def expression(root: Any) -> Expr:
    """The expression under a parse-tree node, built bottom-up without recursion."""
    built: dict[int, Expr] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in _trees(node))
            continue
        kids = [built.pop(id(c)) for c in _trees(node) if id(c) in built]
        built[id(node)] = _build(node, kids)
    return built[id(root)]


def _build(node: Any, kids: list[Expr]) -> Expr:
    line, col = _where(node)
    kind = node.data
    if kind in _LEAVES:
        return _LEAVES[kind](node, line, col)
    if kind == "expr_term":
        if any(str(t) == "(" for t in _tokens(node)) and kids:
            return Expr("paren", None, kids[:1], line, col)
        return kids[0] if kids else Expr("opaque", "empty term", [], line, col)
    if kind in ("object_elem_key", "braces_index", "interpolation") and kids:
        return kids[0]
    if kind == "get_attr":
        sub = next(_trees(node), None)
        return Expr("lit", _name(sub) if sub is not None else "", [], line, col)
    if kind == "short_index":
        raw = str(_tokens(node)[-1]) if _tokens(node) else ""
        return Expr("lit", _int(raw), [], line, col)
    if kind == "string_part":
        return _string_part(node, kids, line, col)
    if kind == "string":
        return _template(kids, line, col)
    return _compound(node, kind, kids, line, col)


def _compound(
    node: Any, kind: str, kids: list[Expr], line: int | None, col: int | None
) -> Expr:
    toks = [str(t) for t in _tokens(node)]
    if kind == "get_attr_expr_term" and len(kids) == 2:
        return Expr("attr", kids[1].value, [kids[0]], line, col)
    if kind == "index_expr_term" and len(kids) == 2:
        return Expr("index", None, kids, line, col)
    if kind in ("attr_splat_expr_term", "full_splat_expr_term") and len(kids) == 2:
        return Expr("splat", kids[1].value, [kids[0]], line, col)
    if kind in ("attr_splat", "full_splat"):
        steps = ["attr" if c.data == "get_attr" else "index" for c in _trees(node)]
        return Expr("steps", list(zip(steps, kids, strict=False)), [], line, col)
    if kind == "function_call":
        names = [k.value for k in kids if k.kind == "name"]
        given = next((k for k in kids if k.kind == "args"), None)
        args = given.args if given is not None else []
        expand = bool(given is not None and given.value)
        return Expr("call", ("::".join(names), expand), args, line, col)
    if kind == "arguments":
        return Expr("args", "..." in toks, kids, line, col)
    if kind == "tuple":
        return Expr("tuple", None, kids, line, col)
    if kind == "object":
        return Expr("object", None, [a for k in kids for a in k.args], line, col)
    if kind == "object_elem" and len(kids) == 2:
        key = kids[0]
        if key.kind == "name":
            key = Expr("lit", key.value, [], key.line, key.col)
        return Expr("elem", None, [key, kids[1]], line, col)
    if kind == "conditional" and len(kids) == 3:
        return Expr("cond", None, kids, line, col)
    if kind == "binary_op" and len(kids) == 2 and kids[1].kind == "term":
        return Expr("binop", kids[1].value, [kids[0], *kids[1].args], line, col)
    if kind == "binary_term" and len(kids) == 2:
        return Expr("term", kids[0].value, kids[1:], line, col)
    if kind == "binary_operator":
        return Expr("op", toks[0] if toks else "", [], line, col)
    if kind == "unary_op" and len(kids) == 1:
        return Expr("unop", toks[0] if toks else "", kids, line, col)
    if kind in ("for_tuple_expr", "for_object_expr"):
        return _for(kind, kids, toks, line, col)
    if kind in ("for_intro", "for_cond"):
        return Expr(kind, None, kids, line, col)
    return Expr("opaque", f"unsupported syntax ({kind})", [], line, col)


def _for(
    kind: str, kids: list[Expr], toks: list[str], line: int | None, col: int | None
) -> Expr:
    intro = next((k for k in kids if k.kind == "for_intro"), None)
    cond = next((k for k in kids if k.kind == "for_cond"), None)
    body = [k for k in kids if k.kind not in ("for_intro", "for_cond")]
    want = 2 if kind == "for_object_expr" else 1
    if intro is None or len(intro.args) < 2 or len(body) != want:
        return Expr("opaque", "an unsupported for expression", [], line, col)
    names = [a.value for a in intro.args[:-1] if a.kind == "name"]
    spec = {"names": names, "object": want == 2, "group": "..." in toks}
    args = [intro.args[-1], *body, *(cond.args[:1] if cond is not None else [])]
    return Expr("for", spec, args, line, col)


def _string_part(
    node: Any, kids: list[Expr], line: int | None, col: int | None
) -> Expr:
    from hcl2.utils import process_escape_sequences

    if kids:
        sub = next(_trees(node))
        if sub.data == "interpolation":
            return kids[0]
        return Expr("opaque", "a template directive (%{...})", [], line, col)
    tokens = _tokens(node)
    if not tokens:
        return Expr("opaque", "a template directive (%{...})", [], line, col)
    tok = tokens[0]
    raw = str(tok)
    if tok.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
        return Expr("lit", raw[1:], [], line, col)
    return Expr("lit", process_escape_sequences(raw), [], line, col)


def _template(parts: list[Expr], line: int | None, col: int | None) -> Expr:
    if len(parts) == 1 and parts[0].kind != "lit":
        return parts[0]  # "${x}" is x itself, of its own type
    if all(p.kind == "lit" for p in parts):
        return Expr("lit", "".join(str(p.value) for p in parts), [], line, col)
    return Expr("tmpl", None, parts, line, col)


def _word(node: Any, line: int | None, col: int | None) -> Expr:
    return Expr("name", _name(node), [], line, col)


def _literal(node: Any, line: int | None, col: int | None) -> Expr:
    value = {"true": True, "false": False, "null": None}.get(_name(node))
    return Expr("lit", value, [], line, col)


def _number(node: Any, line: int | None, col: int | None) -> Expr:
    raw = _name(node)
    value = _int(raw) if node.data == "int_lit" else _float(raw)
    return Expr("lit", value, [], line, col)


def _heredoc_expr(node: Any, line: int | None, col: int | None) -> Expr:
    from azfn_profile.sources.terraform_json import heredoc, template_text

    body = heredoc(_name(node), node.data.endswith("trim"))
    return template_text(body, line, col)


def _directive_string(node: Any, line: int | None, col: int | None) -> Expr:
    return Expr("opaque", "a template directive string", [], line, col)


_LEAVES = {
    "identifier": _word,
    "keyword": _word,
    "literal_value": _literal,
    "int_lit": _number,
    "float_lit": _number,
    "heredoc_template": _heredoc_expr,
    "heredoc_template_trim": _heredoc_expr,
    "template_string": _directive_string,
}


def _int(raw: str) -> Any:
    digits = raw.lstrip("-")
    if not digits.isdigit() or len(digits) > MAX_NUMBER_DIGITS:
        return _float(raw)
    return int(raw)


def _float(raw: str) -> Any:
    from azfn_profile.sources.values import Opaque

    if len(raw) > MAX_NUMBER_DIGITS + 8:
        return Opaque(f"a number of {len(raw)} characters")
    try:
        value = float(raw)
    except ValueError:
        return Opaque(f"the number {raw[:40]}")
    if math.isnan(value) or math.isinf(value):
        return Opaque(f"the number {raw[:40]}")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value
