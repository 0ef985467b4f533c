"""Bicep source -> statements and expression trees, each with its line and column.

A recursive-descent parser for the language as real repositories write it:
decorators, `param`/`var`/`resource`/`module`/`output` with `if (...)` conditions and
`[for ... in ...: ...]` loops, `existing` resources, child resources declared inside
their parent, user-defined types and functions (read past), `import` and `using`,
`?.`/`.?`, `??`, `[?i]`, lambdas, multi-line strings, and expressions continued on the
next line. A statement that does not parse is reported with its construct and place,
and the parser resumes at the next top-level statement: one bad construct never costs
the rest of the file.
Reference: learn.microsoft.com/azure/azure-resource-manager/bicep/file
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azfn_profile.sources.bicep_lexer import BicepSyntaxError, Token, tokenize
from azfn_profile.sources.values import MAX_DEPTH

STATEMENTS = frozenset(
    {
        "param",
        "var",
        "resource",
        "module",
        "output",
        "type",
        "func",
        "import",
        "targetScope",
        "metadata",
        "extension",
        "provider",
        "using",
        "assert",
    }
)
# A line that starts with one of these continues the expression above it.
CONTINUES = frozenset(
    {"?", ":", "??", "||", "&&", "==", "!=", "=~", "!~", "<", "<=", ">", ">="}
)
BINARY = [
    ("??",),
    ("||",),
    ("&&",),
    ("==", "!=", "=~", "!~"),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "/", "%"),
]


@dataclass
class Node:
    kind: str  # lit str arr obj ident member index call unary binary ternary lambda for if
    line: int
    col: int
    value: Any = None
    args: list[Any] = field(default_factory=list)


@dataclass
class Prop:
    key: Any  # str, or a Node for an interpolated key
    value: Node
    line: int
    col: int


@dataclass
class Decl:
    """A top-level statement (or a child resource inside a resource body)."""

    keyword: str  # param var resource module output import using targetScope ...
    name: str
    line: int
    col: int
    value: Node | None = None  # default, value or body
    type: str = ""  # resource type, module path, or the declared type's text
    decorators: list[Node] = field(default_factory=list)
    existing: bool = False
    children: list[Decl] = field(default_factory=list)  # nested child resources
    names: list[str] = field(default_factory=list)  # import: the names it brings


@dataclass
class Program:
    decls: list[Decl]
    errors: list[BicepSyntaxError]


def parse(source: str) -> Program:
    """Parse a Bicep (or .bicepparam) file; lexical errors end it, others skip one
    statement."""
    try:
        tokens = tokenize(source)
    except BicepSyntaxError as exc:
        return Program([], [exc])
    parser = _Parser(tokens)
    return Program(parser.program(), parser.errors)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.t = tokens
        self.i = 0
        self.errors: list[BicepSyntaxError] = []
        self.depth = 0

    # -- plumbing ------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.t[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.t[min(self.i + offset, len(self.t) - 1)]

    def at(self, value: str) -> bool:
        return self.tok.kind in ("op", "ident") and self.tok.value == value

    def advance(self) -> Token:
        tok = self.t[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def expect(self, value: str, what: str) -> Token:
        if not self.at(value):
            raise self.error(f"{what}: expected {value!r}, found {self.describe()}")
        return self.advance()

    def error(self, message: str, tok: Token | None = None) -> BicepSyntaxError:
        tok = tok or self.tok
        return BicepSyntaxError(message, tok.line, tok.col)

    def describe(self) -> str:
        tok = self.tok
        if tok.kind == "eof":
            return "the end of the file"
        if tok.kind == "newline":
            return "the end of the line"
        if tok.kind == "string":
            return "a string"
        return repr(str(tok.value))

    def skip_newlines(self) -> None:
        while self.tok.kind == "newline":
            self.advance()

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expressions nested deeper than {MAX_DEPTH} levels")

    # -- statements ----------------------------------------------------------------
    def program(self) -> list[Decl]:
        decls: list[Decl] = []
        while True:
            self.skip_newlines()
            if self.tok.kind == "eof":
                return decls
            start = self.i
            try:
                decl = self.statement()
                if decl is not None:
                    decls.append(decl)
                if self.tok.kind not in ("newline", "eof"):
                    raise self.error(
                        f"unexpected {self.describe()} after the statement"
                    )
            except BicepSyntaxError as exc:
                self.errors.append(exc)
                self.depth = 0
                self.recover(start)

    def recover(self, start: int) -> None:
        """Skip to the next line that starts a top-level statement at column 1."""
        self.i = max(self.i, start + 1)
        while self.tok.kind != "eof":
            if self.tok.kind == "newline":
                nxt = self.peek()
                if nxt.col == 1 and (
                    (nxt.kind == "ident" and nxt.value in STATEMENTS)
                    or nxt.value == "@"
                ):
                    return
            self.advance()

    def statement(self) -> Decl | None:
        decorators = []
        while self.at("@"):
            at = self.advance()
            decorators.append(self.postfix(self.primary(), at))
            self.skip_newlines()
        tok = self.tok
        if tok.kind != "ident" or tok.value not in STATEMENTS:
            raise self.error(
                f"expected a statement (param, var, resource, module, "
                f"output, ...), found {self.describe()}"
            )
        keyword = self.advance().value
        handler = getattr(self, f"_{keyword.lower()}")
        decl: Decl | None = handler(tok)
        if decl is not None:
            decl.decorators = decorators
        return decl

    def _name(self, what: str) -> str:
        if self.tok.kind != "ident":
            raise self.error(f"{what}: expected a name, found {self.describe()}")
        return str(self.advance().value)

    def _string_literal(self, what: str) -> str:
        tok = self.tok
        if tok.kind != "string" or any(not isinstance(p, str) for p in tok.parts):
            raise self.error(
                f"{what}: expected a plain string, found {self.describe()}"
            )
        self.advance()
        return "".join(tok.parts)

    def _param(self, tok: Token) -> Decl:
        name = self._name("param")
        decl = Decl("param", name, tok.line, tok.col)
        if self.at("="):  # .bicepparam: param name = value
            self.advance()
            decl.value = self.expression()
            return decl
        decl.type = self.skip_type("param " + name)
        if self.at("="):
            self.advance()
            decl.value = self.expression()
        return decl

    def _var(self, tok: Token) -> Decl:
        name = self._name("var")
        if not self.at("="):  # var name type = value (typed variables)
            self.skip_type("var " + name)
        self.expect("=", f"var {name}")
        return Decl("var", name, tok.line, tok.col, self.expression())

    def _output(self, tok: Token) -> Decl:
        name = self._name("output")
        kind = self.skip_type("output " + name)
        self.expect("=", f"output {name}")
        return Decl("output", name, tok.line, tok.col, self.expression(), kind)

    def _resource(self, tok: Token) -> Decl:
        symbol = self._name("resource")
        rtype = self._string_literal(f"resource {symbol}")
        decl = Decl("resource", symbol, tok.line, tok.col, type=rtype)
        if self.at("existing"):
            self.advance()
            decl.existing = True
        self.expect("=", f"resource {symbol}")
        decl.value = self.body(f"resource {symbol}")
        decl.children = _children_of(decl.value)
        return decl

    def _module(self, tok: Token) -> Decl:
        symbol = self._name("module")
        path = self._string_literal(f"module {symbol}")
        decl = Decl("module", symbol, tok.line, tok.col, type=path)
        self.expect("=", f"module {symbol}")
        decl.value = self.body(f"module {symbol}")
        return decl

    def body(self, what: str) -> Node:
        """An object, `if (cond) object`, or `[for ...: object]`."""
        tok = self.tok
        if self.at("if"):
            self.advance()
            self.expect("(", f"{what} if")
            self.skip_newlines()
            cond = self.expression()
            self.skip_newlines()
            self.expect(")", f"{what} if (...)")
            return Node("if", tok.line, tok.col, None, [cond, self.object()])
        if self.at("["):
            node = self.array()
            if node.kind != "for":
                raise self.error(f"{what}: expected an object or a [for ...] loop", tok)
            return node
        if self.at("{"):
            return self.object()
        raise self.error(
            f"{what}: expected {{, if (...) or [for ...], found {self.describe()}"
        )

    def _type(self, tok: Token) -> None:
        self._name("type")
        self.expect("=", "type")
        self.skip_newlines()
        self.skip_type("type", stop_at_equals=False)

    def _func(self, tok: Token) -> Decl:
        """`func name(a type, b type) type => expression`."""
        name = self._name("func")
        self.expect("(", f"func {name}")
        params: list[str] = []
        while not self.at(")"):
            params.append(self._name(f"func {name} parameter"))
            self._skip_until((",", ")"), f"func {name}")
            if self.at(","):
                self.advance()
        self.advance()
        self._skip_until(("=>",), f"func {name}")
        self.expect("=>", f"func {name}")
        self.skip_newlines()
        return Decl("func", name, tok.line, tok.col, self.expression(), names=params)

    def _skip_until(self, stops: tuple[str, ...], what: str) -> None:
        """Read past a type to one of `stops` at bracket depth 0."""
        depth = 0
        while self.tok.kind != "eof":
            tok = self.tok
            if depth == 0 and tok.kind == "op" and tok.value in stops:
                return
            if tok.kind == "op" and tok.value in ("{", "(", "[", "[?"):
                depth += 1
            elif tok.kind == "op" and tok.value in ("}", ")", "]"):
                if depth == 0:
                    break
                depth -= 1
            self.advance()
        raise self.error(f"{what}: expected {' or '.join(stops)}")

    def _assert(self, tok: Token) -> None:
        self.skip_type("assert", stop_at_equals=False)

    def _import(self, tok: Token) -> Decl:
        names: list[str] = []
        depth = 0
        while self.tok.kind != "eof" and (self.tok.kind != "newline" or depth > 0):
            cur = self.advance()
            if cur.kind == "op" and cur.value == "{":
                depth += 1
            elif cur.kind == "op" and cur.value == "}":
                depth -= 1
            elif cur.kind == "ident" and cur.value not in ("from", "as", "with"):
                names.append(str(cur.value))
        return Decl("import", "", tok.line, tok.col, names=names)

    def _extension(self, tok: Token) -> None:
        self.skip_type("extension", stop_at_equals=False)

    _provider = _extension

    def _metadata(self, tok: Token) -> None:
        self._name("metadata")
        self.expect("=", "metadata")
        self.expression()

    def _targetscope(self, tok: Token) -> Decl:
        self.expect("=", "targetScope")
        return Decl("targetScope", "", tok.line, tok.col, self.expression())

    def _using(self, tok: Token) -> Decl:
        if self.at("none"):
            self.advance()
            return Decl("using", "", tok.line, tok.col, type="")
        return Decl("using", "", tok.line, tok.col, type=self._string_literal("using"))

    def skip_type(self, what: str, stop_at_equals: bool = True) -> str:
        """Read past a type (or a whole statement): to `=` or the end of the line,
        at bracket depth 0."""
        depth, start, words = 0, self.tok, []
        while self.tok.kind != "eof":
            tok = self.tok
            if depth == 0 and tok.kind == "newline":
                prev = self.t[self.i - 1]
                # A union type goes on after `|`; a type ending in `?` is nullable,
                # not a ternary, so nothing else continues it.
                after_op = prev.kind == "op" and prev.value in ("=>", "|")
                if not after_op and not self._next_line_starts_with("|"):
                    break
            if depth == 0 and stop_at_equals and tok.value == "=" and tok.kind == "op":
                break
            if tok.kind == "op" and tok.value in ("{", "(", "[", "[?"):
                depth += 1
            elif tok.kind == "op" and tok.value in ("}", ")", "]"):
                depth -= 1
                if depth < 0:
                    raise self.error(f"{what}: unbalanced {tok.value!r}")
            if tok.kind in ("ident", "op"):
                words.append(str(tok.value))
            self.advance()
        if depth:
            raise self.error(f"{what}: brackets not closed", start)
        return "".join(words)

    # -- expressions ---------------------------------------------------------------
    def expression(self) -> Node:
        self.deeper()
        try:
            return self.ternary()
        finally:
            self.depth -= 1

    def _continues(self) -> bool:
        """Whether a newline here is followed by an operator continuing the line."""
        if self.tok.kind != "newline":
            return False
        j = self.i
        while self.t[j].kind == "newline":
            j += 1
        nxt = self.t[j]
        return nxt.kind == "op" and nxt.value in CONTINUES

    def _next_line_starts_with(self, op: str) -> bool:
        if self.tok.kind != "newline":
            return False
        j = self.i
        while self.t[j].kind == "newline":
            j += 1
        return self.t[j].kind == "op" and self.t[j].value == op

    def _skip_continuation(self) -> None:
        if self._continues():
            self.skip_newlines()

    def ternary(self) -> Node:
        cond = self.binary(0)
        self._skip_continuation()
        if not self.at("?"):
            return cond
        tok = self.advance()
        self.skip_newlines()
        yes = self.expression()
        self.skip_newlines()
        self.expect(":", "the ? : expression")
        self.skip_newlines()
        no = self.expression()
        return Node("ternary", tok.line, tok.col, None, [cond, yes, no])

    def binary(self, level: int) -> Node:
        if level == len(BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            self._skip_continuation()
            if not (self.tok.kind == "op" and self.tok.value in BINARY[level]):
                return left
            tok = self.advance()
            self.skip_newlines()
            right = self.binary(level + 1)
            left = Node("binary", tok.line, tok.col, tok.value, [left, right])

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.value in ("!", "-", "+"):
            tok = self.advance()
            self.deeper()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return Node("unary", tok.line, tok.col, tok.value, [operand])
        start = self.tok
        return self.postfix(self.primary(), start)

    def postfix(self, node: Node, start: Token) -> Node:
        while True:
            tok = self.tok
            if tok.kind != "op":
                return node
            if tok.value in (".", ".?"):
                self.advance()
                name = self.tok
                if name.kind != "ident":
                    raise self.error(f"expected a property name after {tok.value}")
                self.advance()
                node = Node(
                    "member", name.line, name.col, name.value, [node, tok.value == ".?"]
                )
            elif tok.value == "::":
                self.advance()
                node = Node(
                    "member", tok.line, tok.col, self._name("::"), [node, False]
                )
            elif tok.value in ("[", "[?"):
                self.advance()
                self.skip_newlines()
                index = self.expression()
                self.skip_newlines()
                self.expect("]", "index [...]")
                node = Node(
                    "index", tok.line, tok.col, None, [node, index, tok.value == "[?"]
                )
            elif tok.value == "(" and node.kind in ("ident", "member"):
                node = Node("call", node.line, node.col, None, [node, self.arguments()])
            elif tok.value == "!" and not self._spaced(tok):  # `x!`: asserts non-null
                self.advance()
            else:
                return node

    def _spaced(self, tok: Token) -> bool:
        """Whether whitespace separates `tok` from the token before it."""
        before = self.t[self.i - 1] if self.i else None
        if before is None or before.line != tok.line:
            return True
        width = len(str(before.value)) if before.kind in ("ident", "op", "int") else 0
        if before.kind == "string":
            return True  # its width is not kept; '...'! does not occur
        return before.col + width != tok.col

    def arguments(self) -> list[Node]:
        self.expect("(", "call")
        args: list[Node] = []
        self.skip_newlines()
        while not self.at(")"):
            args.append(self.expression())
            self.skip_newlines()
            if self.at(","):
                self.advance()
                self.skip_newlines()
            elif not self.at(")"):
                raise self.error(f"call: expected , or ), found {self.describe()}")
        self.advance()
        return args

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "int":
            self.advance()
            return Node("lit", tok.line, tok.col, tok.value)
        if tok.kind == "string":
            self.advance()
            return self.string(tok)
        if tok.kind == "ident":
            if tok.value in ("true", "false", "null"):
                self.advance()
                value = {"true": True, "false": False, "null": None}[tok.value]
                return Node("lit", tok.line, tok.col, value)
            if self.peek().kind == "op" and self.peek().value == "=>":
                self.advance()
                self.advance()
                self.skip_newlines()
                return Node(
                    "lambda", tok.line, tok.col, [tok.value], [self.expression()]
                )
            self.advance()
            return Node("ident", tok.line, tok.col, tok.value)
        if tok.kind == "op":
            if tok.value == "(":
                return self.parenthesised()
            if tok.value == "[":
                return self.array()
            if tok.value == "{":
                return self.object()
        raise self.error(f"expected a value, found {self.describe()}")

    def parenthesised(self) -> Node:
        tok = self.advance()
        self.skip_newlines()
        # a lambda with several parameters: (a, b) => ...
        j, names = self.i, []
        while self.t[j].kind == "ident":
            names.append(self.t[j].value)
            j += 1
            if self.t[j].kind == "op" and self.t[j].value == ",":
                j += 1
                continue
            break
        if (
            self.t[j].kind == "op"
            and self.t[j].value == ")"
            and self.t[j + 1].kind == "op"
            and self.t[j + 1].value == "=>"
        ):
            self.i = j + 2
            self.skip_newlines()
            return Node("lambda", tok.line, tok.col, names, [self.expression()])
        inner = self.expression()
        self.skip_newlines()
        self.expect(")", "( ... )")
        return inner

    def string(self, tok: Token) -> Node:
        parts: list[Any] = []
        for part in tok.parts:
            if isinstance(part, str):
                parts.append(part)
                continue
            sub = _Parser(part)
            sub.depth = self.depth + 1
            sub.skip_newlines()
            node = sub.expression()
            sub.skip_newlines()
            if sub.tok.kind != "eof":
                raise sub.error("unexpected text in ${...}")
            parts.append(node)
        if all(isinstance(p, str) for p in parts):
            return Node("lit", tok.line, tok.col, "".join(parts))
        return Node("str", tok.line, tok.col, None, parts)

    def array(self) -> Node:
        tok = self.advance()  # [
        self.skip_newlines()
        if self.at("for"):
            return self.for_loop(tok)
        items: list[Node] = []
        self.deeper()
        try:
            while not self.at("]"):
                if self.tok.kind == "eof":
                    raise self.error("[ is not closed", tok)
                if self.at("..."):
                    spread = self.advance()
                    value = self.expression()
                    items.append(Node("spread", spread.line, spread.col, None, [value]))
                else:
                    items.append(self.expression())
                if self.at(","):
                    self.advance()
                elif self.tok.kind not in ("newline",) and not self.at("]"):
                    raise self.error(
                        f"array: expected a new line, found {self.describe()}"
                    )
                self.skip_newlines()
        finally:
            self.depth -= 1
        self.advance()
        return Node("arr", tok.line, tok.col, None, items)

    def for_loop(self, tok: Token) -> Node:
        self.advance()  # for
        if self.at("("):
            self.advance()
            item = self._name("for (item, index)")
            self.expect(",", "for (item, index)")
            index: str | None = self._name("for (item, index)")
            self.expect(")", "for (item, index)")
        else:
            item, index = self._name("for"), None
        self.expect("in", "for ... in")
        source = self.expression()
        self.expect(":", "for ... in ...:")
        self.skip_newlines()
        if self.at("if"):
            cond_tok = self.advance()
            self.expect("(", "for ...: if")
            self.skip_newlines()
            cond = self.expression()
            self.skip_newlines()
            self.expect(")", "for ...: if (...)")
            body = Node(
                "if", cond_tok.line, cond_tok.col, None, [cond, self.expression()]
            )
        else:
            body = self.expression()
        self.skip_newlines()
        self.expect("]", "[for ...]")
        return Node("for", tok.line, tok.col, (item, index), [source, None, body])

    def object(self) -> Node:
        tok = self.expect("{", "object")
        props: list[Prop] = []
        children: list[Decl] = []
        self.deeper()
        try:
            self.skip_newlines()
            while not self.at("}"):
                if self.tok.kind == "eof":
                    raise self.error("{ is not closed", tok)
                decorators = []
                while self.at("@"):
                    at = self.advance()
                    decorators.append(self.postfix(self.primary(), at))
                    self.skip_newlines()
                if self.at("resource") and self.peek().kind == "ident":
                    child = self._resource(self.advance())
                    child.decorators = decorators
                    children.append(child)
                elif self.at("..."):
                    spread = self.advance()
                    value = self.expression()
                    props.append(Prop(None, value, spread.line, spread.col))
                else:
                    props.append(self.property())
                if self.at(","):
                    self.advance()
                elif self.tok.kind != "newline" and not self.at("}"):
                    raise self.error(
                        f"object: expected a new line, found {self.describe()}"
                    )
                self.skip_newlines()
        finally:
            self.depth -= 1
        self.advance()
        return Node("obj", tok.line, tok.col, {"props": props, "children": children})

    def property(self) -> Prop:
        tok = self.tok
        if tok.kind == "ident":
            key: Any = tok.value
            self.advance()
        elif tok.kind == "string":
            self.advance()
            node = self.string(tok)
            key = node.value if node.kind == "lit" else node
        else:
            raise self.error(
                f"object: expected a property name, found {self.describe()}"
            )
        self.expect(
            ":", f"property {key if isinstance(key, str) else '(interpolated)'}"
        )
        self.skip_newlines()
        return Prop(key, self.expression(), tok.line, tok.col)


def _children_of(body: Node) -> list[Decl]:
    """Child resources declared inside a resource body (plain, `if` or `for`)."""
    if body.kind == "for":
        body = body.args[2]
    if body.kind == "if":
        body = body.args[1]
    if body.kind == "obj":
        children: list[Decl] = body.value["children"]
        return children
    return []
