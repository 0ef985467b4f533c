"""Read a Python v2-model function app statically: modules, names, app objects.

Nothing is imported or run: files are read through the same bounded reader as every
other source and parsed with `ast`. Modules of the app (the folder of
`function_app.py`) are loaded as imports reach them; anything else is an external
name, qualified by where it was imported from (`requests.get`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from azfn_profile.code import known
from azfn_profile.code.model import CodeSuppression, Unread
from azfn_profile.errors import Problem
from azfn_profile.files import Unreadable, inside, read_text

MAX_MODULES = 400
MAX_MODULE_BYTES = 2 * 1024 * 1024
MAX_NESTING = 100  # ast.parse and the walk recurse on nesting

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Binding:
    """What a name stands for.

    kind: "q" an external qualified name; "obj" an object of a known type (`name` is
    the type); "fn" a function of an app module; "cls" a class of an app module;
    "inst" an instance of such a class; "mod" an app module; "from" a name imported
    from an app module, resolved on use.
    """

    kind: str
    name: str
    module: str = ""


@dataclass
class Module:
    name: str  # dotted, relative to the app folder: "function_app", "lib.db"
    path: Path
    display: str
    tree: ast.Module
    names: dict[str, Binding] = field(default_factory=dict)
    functions: dict[str, FunctionNode] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    # Class name -> attribute -> what `self.attribute = ...` made.
    attributes: dict[str, dict[str, Binding]] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)  # app modules it imports


class AppReader:
    """Loads an app's modules on demand and answers what names mean."""

    def __init__(self, root: Path, display_root: str) -> None:
        self.root, self.display_root = root, display_root
        self.modules: dict[str, Module | None] = {}
        self.problems: list[Problem] = []
        # What the reader saw but could not follow (a web app made at run time):
        # listed as not inspected, never dropped in silence.
        self.unread: list[Unread] = []
        self.suppressions: list[CodeSuppression] = []

    # -- modules -----------------------------------------------------------------
    def display(self, path: Path) -> str:
        relative = path.relative_to(self.root).as_posix()
        return (
            relative
            if self.display_root in ("", ".")
            else (f"{self.display_root.rstrip('/')}/{relative}")
        )

    def module_path(self, dotted: str) -> Path | None:
        parts = dotted.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        base = self.root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file() and inside(candidate, self.root):
                return candidate
        return None

    def load(self, dotted: str) -> Module | None:
        if dotted in self.modules:
            return self.modules[dotted]
        path = self.module_path(dotted)
        if path is None or len(self.modules) >= MAX_MODULES:
            if path is not None:
                self.problems.append(
                    Problem(
                        self.display(path), f"more than {MAX_MODULES} modules; not read"
                    )
                )
            self.modules[dotted] = None
            return None
        self.modules[dotted] = None  # a cycle sees "not loaded" while this one loads
        module = self._parse(dotted, path)
        self.modules[dotted] = module
        if module is not None:
            _bind(self, module)
        return module

    def _parse(self, dotted: str, path: Path) -> Module | None:
        display = self.display(path)
        try:
            text = read_text(path, MAX_MODULE_BYTES)
        except Unreadable as exc:
            self.problems.append(Problem(display, exc.message, exc.line, exc.col))
            return None
        deep = _too_deep(text)
        if deep is not None:
            self.problems.append(
                Problem(display, "nested too deeply to read", deep[0], deep[1])
            )
            return None
        try:
            tree = ast.parse(text, filename=display)
        except SyntaxError as exc:
            self.problems.append(
                Problem(display, f"invalid Python: {exc.msg}", exc.lineno, exc.offset)
            )
            return None
        except (RecursionError, MemoryError, ValueError):
            self.problems.append(Problem(display, "too complex to parse", 1, 1))
            return None
        self.suppressions += _covering(tree, _suppressions(text, display))
        return Module(dotted, path, display, tree)

    def package_of(self, module: Module) -> str:
        if module.path.name == "__init__.py":
            return module.name
        return module.name.rpartition(".")[0]

    # -- names ---------------------------------------------------------------------
    def lookup(self, module: Module, name: str, depth: int = 0) -> Binding | None:
        """What `name` means at the top level of `module`."""
        if depth > 20:
            return None
        if name in module.functions:
            return Binding("fn", name, module.name)
        if name in module.classes:
            return Binding("cls", name, module.name)
        ref = module.names.get(name)
        if ref is not None and ref.kind == "from":
            return self.from_import(ref.module, ref.name, depth + 1)
        if ref is None and name == "open":
            return Binding("q", "open")
        return ref

    def from_import(self, dotted: str, name: str, depth: int = 0) -> Binding | None:
        """`from dotted import name`, where dotted is an app module."""
        sub = f"{dotted}.{name}" if dotted else name
        if self.module_path(sub) is not None:
            return Binding("mod", sub)
        target = self.load(dotted)
        if target is None:
            return None
        return self.lookup(target, name, depth)

    def attribute(self, base: Binding, attr: str) -> Binding | None:
        if base.kind == "q":
            return Binding("q", f"{base.name}.{attr}")
        if base.kind == "mod":
            sub = f"{base.name}.{attr}"
            if self.module_path(sub) is not None:
                return Binding("mod", sub)
            module = self.load(base.name)
            return self.lookup(module, attr) if module else None
        if base.kind in ("cls", "inst"):
            module = self.load(base.module)
            cls = module.classes.get(base.name) if module else None
            if cls is None or module is None:
                return None
            for node in cls.body:
                if isinstance(node, FunctionNode) and node.name == attr:
                    return Binding("fn", f"{base.name}.{attr}", base.module)
            if base.kind == "inst":
                return module.attributes.get(base.name, {}).get(attr)
        return None

    def function_node(self, ref: Binding) -> tuple[Module, FunctionNode] | None:
        module = self.load(ref.module)
        if module is None:
            return None
        if "." not in ref.name:
            found = module.functions.get(ref.name)
            return (module, found) if found else None
        cls_name, _, method = ref.name.partition(".")
        cls = module.classes.get(cls_name)
        for member in cls.body if cls else ():
            if isinstance(member, FunctionNode) and member.name == method:
                return module, member
        return None


def call_result(reader: AppReader, callee: Binding | None) -> Binding | None:
    """What calling `callee` returns, as far as the tables say."""
    if callee is None:
        return None
    if callee.kind == "cls":
        return Binding("inst", callee.name, callee.module)
    if callee.kind == "q":
        name = callee.name
        if name in known.OBJECT_CONSTRUCTORS:
            return Binding("obj", known.OBJECT_CONSTRUCTORS[name])
        if name in known.LOOP_CONSTRUCTORS:
            return Binding("obj", "event-loop")
        if is_azure_client(name):
            return Binding("obj", "azure-sync")
        return None
    if callee.kind == "method":
        type_, method = callee.module, callee.name
        if type_ == "azure-sync" and method.endswith(
            known.AZURE_CLIENT_FACTORY_SUFFIXES
        ):
            return Binding("obj", "azure-sync")
        same = known.OBJECT_METHODS.get(type_, (frozenset(), frozenset()))[1]
        if method in same:
            return Binding("obj", type_)
    return None


def is_azure_client(qualified: str) -> bool:
    """`azure.storage.blob.BlobServiceClient` or `...Client.from_connection_string`:
    a sync Azure SDK client (not `.aio`, not the Functions libraries)."""
    if not qualified.startswith("azure.") or ".aio" in qualified:
        return False
    if qualified.startswith(known.AZURE_EXCLUDED_PACKAGES):
        return False
    parts = qualified.split(".")
    if parts[-1].endswith("Client"):
        return True
    return (
        len(parts) > 2
        and parts[-2].endswith("Client")
        and parts[-1].startswith("from_")
    )


# -- binding a module's top-level names ---------------------------------------------


def _bind(reader: AppReader, module: Module) -> None:
    package = reader.package_of(module)
    for node in module.tree.body:
        _bind_statement(reader, module, package, node)
    for cls in module.classes.values():
        module.attributes[cls.name] = _class_attributes(reader, module, cls)


def _bind_statement(
    reader: AppReader, module: Module, package: str, node: ast.stmt
) -> None:
    if isinstance(node, ast.Import | ast.ImportFrom):
        module.names.update(import_bindings(reader, module, package, node))
    elif isinstance(node, FunctionNode):
        module.functions[node.name] = node
    elif isinstance(node, ast.ClassDef):
        module.classes[node.name] = node
    elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = resolve_expr(reader, module, {}, node.value)
        result = value if value is not None else None
        if isinstance(node.value, ast.Call):
            result = call_result(
                reader, resolve_expr(reader, module, {}, node.value.func)
            )
            if result is None:
                result = app_object(reader, module, node.value)
        for target in targets:
            if isinstance(target, ast.Name) and result is not None:
                module.names[target.id] = result
    elif isinstance(node, ast.If | ast.Try):
        # Imports and definitions behind `if TYPE_CHECKING:` or `try: import x`.
        bodies = [node.body, node.orelse]
        if isinstance(node, ast.Try):
            bodies += [h.body for h in node.handlers] + [node.finalbody]
        for body in bodies:
            for child in body:
                _bind_statement(reader, module, package, child)


def import_bindings(
    reader: AppReader, module: Module, package: str, node: ast.Import | ast.ImportFrom
) -> dict[str, Binding]:
    """The names an import statement binds, at module level or in a function body
    (`import time` inside an `async def` binds `time` there); the app modules it
    reaches are noted in `module.imports`."""
    names: dict[str, Binding] = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            local = reader.module_path(alias.name) is not None
            if local:
                module.imports.append(alias.name)
            if alias.asname:
                names[alias.asname] = (
                    Binding("mod", alias.name) if local else Binding("q", alias.name)
                )
                continue
            head = alias.name.split(".")[0]
            names[head] = (
                Binding("mod", head)
                if reader.module_path(head) is not None
                else Binding("q", head)
            )
        return names
    base = _absolute(package, node.module, node.level)
    for alias in node.names:
        if alias.name == "*":
            continue
        bound = alias.asname or alias.name
        if base is not None and _is_local(reader, base, alias.name):
            names[bound] = Binding("from", alias.name, base)
            module.imports.append(base)
        elif node.level == 0 and node.module:
            names[bound] = Binding("q", f"{node.module}.{alias.name}")
    return names


def _absolute(package: str, name: str | None, level: int) -> str | None:
    if level == 0:
        return name
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _is_local(reader: AppReader, base: str, name: str) -> bool:
    return (
        reader.module_path(base) is not None
        or reader.module_path(f"{base}.{name}" if base else name) is not None
    )


def app_object(reader: AppReader, module: Module, value: ast.expr) -> Binding | None:
    """What `name = value` binds when value makes a Functions app or blueprint."""
    if not isinstance(value, ast.Call):
        return None
    callee = resolve_expr(reader, module, {}, value.func)
    if callee is not None and callee.kind == "q" and callee.name in known.APP_CLASSES:
        return Binding("app", callee.name)
    return None


def _class_attributes(
    reader: AppReader, module: Module, cls: ast.ClassDef
) -> dict[str, Binding]:
    """`self.x = requests.Session()` in any method: x is an http-session."""
    found: dict[str, Binding] = {}
    for node in cls.body:
        if not isinstance(node, FunctionNode) or not node.args.args:
            continue
        me = node.args.args[0].arg
        for stmt in ast.walk(node):
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
                continue
            result = call_result(
                reader, resolve_expr(reader, module, {}, stmt.value.func)
            )
            for target in stmt.targets:
                if (
                    result is not None
                    and isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == me
                ):
                    found[target.attr] = result
    return found


def resolve_expr(
    reader: AppReader,
    module: Module,
    local: dict[str, Binding],
    expr: ast.expr,
    memo: dict[int, Binding | None] | None = None,
) -> Binding | None:
    """What an expression names: a Name or an attribute chain (calls give types).
    Iterative, from the chain's root outwards; with `memo` (the nodes of one
    statement), each link of a chain is resolved once however many calls along it
    ask, so a chain costs its length, not its length squared."""
    chain: list[ast.expr] = []
    node = expr
    while isinstance(node, ast.Attribute | ast.Call) and (
        memo is None or id(node) not in memo
    ):
        chain.append(node)
        node = node.value if isinstance(node, ast.Attribute) else node.func
    current: Binding | None
    if memo is not None and id(node) in memo:
        current = memo[id(node)]
    elif isinstance(node, ast.Name):
        current = local[node.id] if node.id in local else reader.lookup(module, node.id)
    else:
        current = None
    for link in reversed(chain):
        if current is not None:
            if isinstance(link, ast.Call):
                current = call_result(reader, current)
            elif isinstance(link, ast.Attribute) and current.kind == "obj":
                current = Binding("method", link.attr, current.name)
            elif isinstance(link, ast.Attribute):
                current = reader.attribute(current, link.attr)
        if memo is not None:
            memo[id(link)] = current
    return current


# -- suppression comments --------------------------------------------------------------

_SUPPRESS = re.compile(
    r"#\s*azfn:\s*ignore\[(?P<ids>[A-Za-z0-9,\s]+)\]\s*"
    r"(?:(?:expires|until)[=:\s]\s*(?P<expires>\d{4}-\d{2}-\d{2})\s*[:,-]?\s*)?"
    r"(?P<reason>.*)$"
)


def _suppressions(text: str, display: str) -> list[CodeSuppression]:
    found: list[CodeSuppression] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _SUPPRESS.search(token.string)
        if match is None:
            continue
        expires = None
        if match["expires"]:
            try:
                expires = date.fromisoformat(match["expires"])
            except ValueError:
                expires = None
        ids = tuple(i.strip().upper() for i in match["ids"].split(",") if i.strip())
        found.append(
            CodeSuppression(
                ids, match["reason"].strip(), expires, display, token.start[0]
            )
        )
    return found


def _covering(
    tree: ast.Module, comments: list[CodeSuppression]
) -> list[CodeSuppression]:
    """Each comment with the lines it covers: those of the innermost statement that
    holds it (a call formatted over several lines, a whole function for a comment on
    its `def` header); a comment line of its own covers itself. One walk of the tree
    and one sweep over the lines, however many comments."""
    from dataclasses import replace

    if not comments:
        return []
    stmts: list[tuple[int, int, int, int, ast.stmt]] = []
    walk: list[tuple[ast.AST, int]] = [(tree, 0)]
    while walk:
        node, depth = walk.pop()
        for child in ast.iter_child_nodes(node):
            end = getattr(child, "end_lineno", None)
            if isinstance(child, ast.stmt) and end is not None:
                stmts.append((child.lineno, -end, depth, len(stmts), child))
            walk.append((child, depth + 1))
    stmts.sort(key=lambda s: s[:4])
    found: list[CodeSuppression] = []
    open_: list[ast.stmt] = []  # statements holding the current line, outermost first
    i = 0
    for comment in sorted(comments, key=lambda c: c.line):
        line = comment.line
        while i < len(stmts) and stmts[i][0] <= line:
            node = stmts[i][4]
            while open_ and (open_[-1].end_lineno or 0) < node.lineno:
                open_.pop()
            open_.append(node)
            i += 1
        while open_ and (open_[-1].end_lineno or 0) < line:
            open_.pop()
        best = open_[-1] if open_ else None
        if best is None or best.end_lineno is None:
            found.append(replace(comment, first=line, last=line))
            continue
        compound = getattr(best, "body", None)
        if isinstance(compound, list) and compound and line >= compound[0].lineno:
            # In a block's body but on no statement of its own (a comment line).
            found.append(replace(comment, first=line, last=line))
            continue
        found.append(replace(comment, first=best.lineno, last=best.end_lineno))
    return found


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where bracket nesting or indentation first goes past MAX_NESTING (line and
    column), as a cheap guard before ast; None when it never does."""
    depth, line, col = 0, 1, 0
    for char in text:
        col += 1
        if char == "\n":
            line, col = line + 1, 0
        elif char in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return line, col
        elif char in ")]}":
            depth = max(0, depth - 1)
    for number, text_line in enumerate(text.splitlines(), start=1):
        indent = len(text_line) - len(text_line.lstrip(" "))
        if indent // 4 > MAX_NESTING:
            return number, indent + 1
    return None
