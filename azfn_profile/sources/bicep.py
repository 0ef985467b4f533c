"""A Bicep file (with the local modules it calls) as a reader of the resource graph.

Parameters take the values a caller, a parameter file or a module call passes, else
their defaults, else are computed at deployment. Resources and modules are evaluated
with their `if (...)` conditions and `[for ...]` loops (a condition that is false, or
a loop over no items, drops them, and a dropped site or slot is listed as not
deployed; a condition that is computed keeps them, marked conditional), child resources
declared inside a parent or with `parent:`, and `existing` resources. A local module
(`./app/api.bicep`, or a JSON template) is evaluated with the caller's arguments and
located in its own file, with the calls that reached it; Azure Verified Modules for
sites, plans and storage are mapped onto the resources they deploy (`avm`); other
registry modules are listed as not inspected. Files are read only below the checked
tree, each parsed once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azfn_profile.errors import Problem
from azfn_profile.files import Unreadable, inside, read_text
from azfn_profile.secret import conceal
from azfn_profile.sources import avm
from azfn_profile.sources.arm import SITE, SLOT, Dropped, list_not_deployed
from azfn_profile.sources.arm_functions import member, opaque_call
from azfn_profile.sources.bicep_expr import NO_SPECIAL, Evaluator
from azfn_profile.sources.bicep_parser import Decl, Node, Program, parse
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.values import (
    Budget,
    BudgetExceeded,
    Opaque,
    ResourceId,
    reading,
    split_text,
    text,
)

MAX_MODULE_DEPTH = 16  # modules calling modules
MAX_MODULE_CALLS = 2_000  # module evaluations per deployment
MAX_INSTANCES = 800  # instances one resource or module loop may produce


class Workspace:
    """The files one run may read (below `root`), each read and parsed once."""

    def __init__(self, root: Path, programs: dict[Path, Program] | None = None) -> None:
        self.root = root
        # shared by every deployment of a run: each file is parsed once
        self.programs: dict[Path, Program] = {} if programs is None else programs

    def program(self, path: Path) -> Program:
        key = path.resolve()
        if key not in self.programs:
            self.programs[key] = parse(read_text(path))
        return self.programs[key]

    @staticmethod
    def display(caller: str, target: str) -> str:
        """A module's file named the way its caller's file was named."""
        return os.path.normpath(Path(caller).parent / target)


@dataclass
class Deployment:
    """One root deployment: a Bicep file with one set of parameter values."""

    graph: Graph
    workspace: Workspace
    name: str
    budget: Budget = field(default_factory=Budget)
    problems: list[Problem] = field(default_factory=list)
    module_calls: int = 0
    dropped: list[Dropped] = field(default_factory=list)  # sites, slots not deployed


@dataclass
class Frame:
    """One instance of a resource or module declaration (one loop item)."""

    decl: Decl
    env: dict[str, Any]
    conditional: bool
    type: str
    name: Any
    body: Node
    looped: bool = False  # made by a loop, or nested in a resource that was


@dataclass(frozen=True)
class ResourceValue:
    frame: Frame

    @property
    def ref(self) -> ResourceId:
        return ResourceId(
            self.frame.type.lower(), tuple(split_text(self.frame.name, "/"))
        )


@dataclass(frozen=True)
class ModuleValue:
    name: Any
    outputs: Any


def read_bicep(
    path: Path, display: str, supplied: dict[str, Any], deployment: Deployment
) -> None:
    """Add what the Bicep file at `path` deploys (modules included) to the graph."""
    program = deployment.workspace.program(path)
    for error in program.errors:
        deployment.problems.append(
            Problem(display, f"invalid Bicep: {error.message}", error.line, error.col)
        )
    BicepFile(deployment, path, display, program, supplied, (), (path.resolve(),)).run()
    list_not_deployed(deployment.graph, deployment.dropped)


class BicepFile:
    def __init__(
        self,
        dep: Deployment,
        path: Path,
        display: str,
        program: Program,
        supplied: dict[str, Any],
        chain: tuple[str, ...],
        stack: tuple[Path, ...],
    ) -> None:
        self.dep, self.path, self.display = dep, path, display
        self.supplied, self.chain, self.stack = supplied, chain, stack
        self.budget = dep.budget
        self.params = {d.name: d for d in program.decls if d.keyword == "param"}
        self.vars = {d.name: d for d in program.decls if d.keyword == "var"}
        self.outputs = [d for d in program.decls if d.keyword == "output"]
        self.modules = {d.name: d for d in program.decls if d.keyword == "module"}
        self.imports = {
            n for d in program.decls if d.keyword == "import" for n in d.names
        }
        self.funcs = {d.name: d for d in program.decls if d.keyword == "func"}
        self.resources: dict[str, Decl] = {}
        self.outer: dict[int, Decl] = {}  # nested child decl -> its parent decl
        for decl in program.decls:
            if decl.keyword == "resource":
                self._register(decl, None)
        self.values: dict[str, Any] = {}
        self.busy: set[str] = set()
        self.frames: dict[tuple[int, int], list[Frame]] = {}
        self.calls: dict[str, list[ModuleValue]] = {}
        self.evaluator = Evaluator(self)

    def _register(self, decl: Decl, outer: Decl | None) -> None:
        self.resources.setdefault(decl.name, decl)
        if outer is not None:
            self.outer[id(decl)] = outer
        for child in decl.children:
            self._register(child, decl)

    # -- the whole file ----------------------------------------------------------
    def run(self) -> dict[str, Any]:
        for name, decl in self.params.items():  # secure values, used or not
            if any(_is_decorator(d, "secure") for d in decl.decorators):
                self._param(name)
        for decl in list(self.resources.values()):
            if id(decl) not in self.outer:
                with reading(self.display, decl.line, decl.col):
                    self._emit_tree(decl, None)
        for name, decl in self.modules.items():
            with reading(self.display, decl.line, decl.col):
                self.module(name)
        return {decl.name: self.eval(decl.value, {}) for decl in self.outputs}

    def eval(self, node: Node | None, env: dict[str, Any]) -> Any:
        if node is None:
            return None
        with reading(self.display, node.line, node.col):
            return self.evaluator.eval(node, env)

    # -- names (the Evaluator's Names protocol) ------------------------------------
    def lookup(self, name: str, env: dict[str, Any]) -> Any:
        if name in self.params:
            return self._param(name)
        if name in self.vars:
            return self._var(name)
        if name in self.resources:
            frames = self._frames(self.resources[name], None)
            values = [ResourceValue(f) for f in frames]
            if self._is_loop(self.resources[name]):
                return values
            return values[0] if values else None
        if name in self.modules:
            calls = self.module(name)
            if self._is_loop(self.modules[name]):
                return calls
            return calls[0] if calls else None
        if name in self.imports:
            return Opaque(f"{name} (imported)")
        return Opaque(name)

    def member_of(self, value: Any, name: str, safe: bool) -> Any:
        if isinstance(value, ResourceValue):
            lowered = name.lower()
            if lowered == "id":
                return value.ref
            if lowered == "name":
                return value.frame.name
            if lowered == "type":
                return value.frame.type
            child = next((c for c in value.frame.decl.children if c.name == name), None)
            if child is not None:  # parent::child
                frames = self._frames(child, value.frame)
                return ResourceValue(frames[0]) if frames else None
            return Opaque(f"{value.ref}.{name}")
        if isinstance(value, ModuleValue):
            if name == "outputs":
                return value.outputs
            if name == "name":
                return value.name
            return Opaque(f"module.{name}")
        return member(value, name, safe=safe, budget=self.budget)

    def special(self, name: str, args: list[Any], node: Node) -> Any:
        callee = node.args[0]
        own = callee.value if callee.kind == "ident" else None
        if own in self.funcs:  # a user-defined function: its body, with its arguments
            decl = self.funcs[own]
            env = dict(zip(decl.names, args, strict=False))
            return self._guarded(f"func {own}", lambda: self.eval(decl.value, env))
        if name in ("loadjsoncontent", "loadtextcontent", "loadyamlcontent"):
            return self._load(name, args)
        if name in ("loadfileasbase64", "readenvironmentvariable", "externalinput"):
            return opaque_call(name, args)
        return NO_SPECIAL

    def _load(self, name: str, args: list[Any]) -> Any:
        if not args or not isinstance(args[0], str):
            return opaque_call(name, args)
        target = self.path.parent / args[0]
        if not inside(target, self.dep.workspace.root):
            return Opaque(f"{name}('{args[0]}') outside the checked tree")
        try:
            content = read_text(target, 4 * 1024 * 1024)
        except Unreadable as exc:
            return Opaque(f"{name}('{args[0]}'): {exc.message}")
        self.budget.cells(len(content))
        if name == "loadtextcontent":
            return content
        if name == "loadyamlcontent":
            return Opaque(f"{name}('{args[0]}')")
        from azfn_profile.sources.jsonc import JsonError, loads

        try:
            value = loads(content)
        except JsonError:
            return Opaque(f"{name}('{args[0]}'): not JSON")
        return value

    # -- parameters and variables -------------------------------------------------
    def _param(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        decl = self.params[name]
        if name in self.supplied:
            value = self.supplied[name]
        elif decl.value is not None:
            value = self._guarded(name, lambda: self.eval(decl.value, {}))
        elif decl.type.endswith("?"):  # a nullable type: optional, null when absent
            value = None
        else:
            value = Opaque(name)
        if any(_is_decorator(d, "secure") for d in decl.decorators):
            value = conceal(value, self.budget.step)  # keys stay text
        self.values[name] = value
        return value

    def _var(self, name: str) -> Any:
        key = "var " + name
        if key not in self.values:
            decl = self.vars[name]
            self.values[key] = self._guarded(key, lambda: self.eval(decl.value, {}))
        return self.values[key]

    def _guarded(self, key: str, compute: Any) -> Any:
        if key in self.busy:
            return Opaque(f"{key} refers to itself")
        self.busy.add(key)
        try:
            return compute()
        finally:
            self.busy.discard(key)

    # -- resources -----------------------------------------------------------------
    @staticmethod
    def _is_loop(decl: Decl) -> bool:
        return decl.value is not None and decl.value.kind == "for"

    def _frames(self, decl: Decl, parent: Frame | None) -> list[Frame]:
        key = (id(decl), id(parent))
        if key in self.frames:
            return self.frames[key]
        self.frames[key] = []  # a declaration that reaches its own name: none
        dropped: list[tuple[dict[str, Any], Node, str]] = []
        frames = [
            frame
            for env, conditional, body in self._instances(decl, parent, dropped)
            if (frame := self._frame(decl, env, conditional, body, parent)) is not None
        ]
        self.frames[key] = frames
        if not decl.existing:
            for env, body, reason in dropped:
                self._drop(decl, env, body, parent, reason)
        return frames

    def _instances(
        self,
        decl: Decl,
        parent: Frame | None,
        dropped: list[tuple[dict[str, Any], Node, str]] | None = None,
    ) -> list[tuple[dict[str, Any], bool, Node]]:
        """(loop variables, conditional, object body) for each instance; what is
        not deployed goes to `dropped` as (loop variables, body, why)."""
        env = dict(parent.env) if parent else {}
        body = decl.value
        assert body is not None
        if body.kind == "for":
            item, index = body.value
            source = self.eval(body.args[0], env)
            inner: Node = body.args[2]
            if isinstance(source, dict):
                source = [{"key": k, "value": v} for k, v in source.items()]
            if not isinstance(source, list):  # an unknown number of instances
                local = {**env, item: Opaque(f"{item} in {decl.name}")}
                if index:
                    local[index] = Opaque(f"{index} in {decl.name}")
                return self._conditioned(inner, local, True, dropped)
            if len(source) > MAX_INSTANCES:
                raise BudgetExceeded(
                    f"{decl.keyword} {decl.name}: a loop of {len(source):,} instances"
                )
            self.budget.instances(len(source), f"{decl.keyword} {decl.name}")
            if not source and dropped is not None:
                local = {**env, item: Opaque(f"{item} in {decl.name}")}
                if index:
                    local[index] = Opaque(f"{index} in {decl.name}")
                obj = inner.args[1] if inner.kind == "if" else inner
                dropped.append((local, obj, "loop count is 0"))
            out = []
            for i, value in enumerate(source):
                local = {**env, item: value}
                if index:
                    local[index] = i
                out.extend(self._conditioned(inner, local, False, dropped))
            return out
        if parent is not None and parent.looped:  # one per instance of the loop
            self.budget.instances(1, f"{decl.keyword} {decl.name} in a loop")
        return self._conditioned(body, env, False, dropped)

    def _conditioned(
        self,
        body: Node,
        env: dict[str, Any],
        conditional: bool,
        dropped: list[tuple[dict[str, Any], Node, str]] | None = None,
    ) -> list[tuple[dict[str, Any], bool, Node]]:
        if body.kind != "if":
            return [(env, conditional, body)] if body.kind == "obj" else []
        cond = self.eval(body.args[0], env)
        if cond is False:
            if dropped is not None:
                dropped.append((env, body.args[1], "condition is false"))
            return []
        return [(env, conditional or cond is not True, body.args[1])]

    def _drop(
        self,
        decl: Decl,
        env: dict[str, Any],
        body: Node,
        parent: Frame | None,
        reason: str,
    ) -> None:
        """Note a site or slot that is not deployed, for `list_not_deployed`."""
        if body.kind != "obj" or (parent is None and id(decl) in self.outer):
            return  # a nested child named alone: listed when reached through its parent
        frame = self._frame(decl, env, False, body, parent)
        if frame is None or frame.type.lower() not in (SITE, SLOT):
            return
        kind = _prop(body, "kind")
        name = frame.name if isinstance(frame.name, str) else None
        self.dep.dropped.append(
            Dropped(
                frame.type,
                frame.name,
                None if kind is None else self.eval(kind, env),
                self.dep.name,
                self.display,
                decl.line,
                f"{decl.name}: {frame.type}" + (f" {name}" if name else ""),
                reason,
            )
        )

    def _frame(
        self,
        decl: Decl,
        env: dict[str, Any],
        conditional: bool,
        body: Node,
        parent: Frame | None,
    ) -> Frame | None:
        props = {p.key: p for p in body.value["props"] if isinstance(p.key, str)}
        name = (
            self.eval(props["name"].value, env)
            if "name" in props
            else Opaque(decl.name)
        )
        rtype = decl.type.split("@", 1)[0]
        outer = self.outer.get(id(decl))
        if outer is not None and parent is not None:
            rtype = f"{parent.type}/{rtype}"
            name = text([parent.name, "/", name])
        elif "parent" in props:
            above = self.eval(props["parent"].value, env)
            if isinstance(above, list) and len(above) == 1:
                above = above[0]
            if isinstance(above, ResourceValue):
                name = text([above.frame.name, "/", name])
            else:
                name = text([Opaque(f"{decl.name}.parent"), "/", name])
        if decl.keyword == "module":
            rtype = "module"
        looped = self._is_loop(decl) or (parent is not None and parent.looped)
        return Frame(decl, env, conditional, rtype, name, body, looped)

    def _emit_tree(self, decl: Decl, parent: Frame | None) -> None:
        for frame in self._frames(decl, parent):
            self._emit(frame)
            for child in decl.children:
                self._emit_tree(child, frame)

    def _emit(self, frame: Frame) -> None:
        body = self.eval(frame.body, frame.env)
        if not isinstance(body, dict):
            body = {}
        for key in ("name", "parent", "scope", "dependsOn"):
            body.pop(key, None)
        decl = frame.decl
        self.dep.graph.resources.append(
            Resource(
                type=frame.type,
                name=frame.name,
                body=body,
                file=self.display,
                line=decl.line,
                col=decl.col,
                display=frame.name if isinstance(frame.name, str) else decl.name,
                chain=self.chain,
                deployment=self.dep.name,
                symbol=decl.name,
                existing=decl.existing,
                conditional=frame.conditional,
                locate=_locator(frame.body),
            )
        )

    # -- modules -------------------------------------------------------------------
    def module(self, name: str) -> list[ModuleValue]:
        if name in self.calls:
            return self.calls[name]
        self.calls[name] = []
        decl = self.modules[name]
        results = []
        for env, conditional, body in self._instances(decl, None):
            results.append(self._call(decl, env, conditional, body))
        self.calls[name] = results
        return results

    def _call(
        self, decl: Decl, env: dict[str, Any], conditional: bool, body: Node
    ) -> ModuleValue:
        self.dep.module_calls += 1
        if self.dep.module_calls > MAX_MODULE_CALLS:
            raise BudgetExceeded(f"more than {MAX_MODULE_CALLS:,} module calls")
        args = self.eval(body, env)
        args = args if isinstance(args, dict) else {}
        params = args.get("params", {})
        label = args.get("name", Opaque(f"{decl.name}.name"))
        step = f"{self.display}:{decl.line} module {decl.name}"
        target = decl.type
        if not isinstance(params, dict):
            params = {}
            unknown_args = True
        else:
            unknown_args = False
        registry = avm.registry_module(target)
        if registry is not None and avm.supported(registry[0]):
            return ModuleValue(
                label, self._avm(decl, body, registry, params, conditional)
            )
        if (
            target.startswith(("br:", "br/", "ts:", "ts/"))
            or ":" in target.split("/")[0]
        ):
            self._not_inspected(
                decl, f"registry module {target}", "registry modules are not fetched"
            )
            return ModuleValue(label, Opaque(f"{decl.name}.outputs"))
        path = self.path.parent / target
        if not inside(path, self.dep.workspace.root):
            self._not_inspected(decl, f"module {target}", "outside the checked tree")
            return ModuleValue(label, Opaque(f"{decl.name}.outputs"))
        if path.resolve() in self.stack or len(self.stack) > MAX_MODULE_DEPTH:
            self._not_inspected(
                decl, f"module {target}", "it calls itself, or modules nest too deep"
            )
            return ModuleValue(label, Opaque(f"{decl.name}.outputs"))
        display = self.dep.workspace.display(self.display, target)
        supplied = {} if unknown_args else params
        try:
            if path.suffix.lower() == ".json":
                return ModuleValue(
                    label, self._arm_module(path, display, supplied, step)
                )
            program = self.dep.workspace.program(path)
        except Unreadable as exc:
            self.dep.problems.append(
                Problem(
                    self.display, f"module {target}: {exc.message}", decl.line, decl.col
                )
            )
            return ModuleValue(label, Opaque(f"{decl.name}.outputs"))
        for error in program.errors:
            self.dep.problems.append(
                Problem(
                    display, f"invalid Bicep: {error.message}", error.line, error.col
                )
            )
        callee = BicepFile(
            self.dep,
            path,
            display,
            program,
            supplied,
            (*self.chain, step),
            (*self.stack, path.resolve()),
        )
        if conditional:
            before = len(self.dep.graph.resources)
            outputs = callee.run()
            for resource in self.dep.graph.resources[before:]:
                resource.conditional = True
            return ModuleValue(label, outputs)
        return ModuleValue(label, callee.run())

    def _arm_module(
        self, path: Path, display: str, supplied: dict[str, Any], step: str
    ) -> Any:
        from azfn_profile.sources.arm import read_template
        from azfn_profile.sources.jsonc import JsonError, Positions, loads

        content = read_text(path)
        try:
            template = loads(content)
        except JsonError as exc:
            raise Unreadable(f"invalid JSON: {exc.message}") from None
        if isinstance(template, dict):
            before = len(self.dep.graph.resources)
            read_template(
                template,
                file=display,
                positions=Positions(content),
                params=supplied,
                graph=self.dep.graph,
                deployment=self.dep.name,
                budget=self.budget,
            )
            for resource in self.dep.graph.resources[before:]:
                resource.chain = (*self.chain, step, *resource.chain)
        return Opaque(f"{display}.outputs")

    def _avm(
        self,
        decl: Decl,
        body: Node,
        registry: tuple[str, tuple[int, ...]],
        params: dict[str, Any],
        conditional: bool,
    ) -> Any:
        params_node = _prop(body, "params")

        def emit(
            rtype: str, name: Any, res_body: dict[str, Any], extra: dict[str, Any]
        ) -> None:
            self.dep.graph.resources.append(
                Resource(
                    type=rtype,
                    name=name,
                    body=res_body,
                    file=self.display,
                    line=decl.line,
                    col=decl.col,
                    display=name if isinstance(name, str) else decl.name,
                    chain=self.chain,
                    deployment=self.dep.name,
                    symbol=decl.name,
                    conditional=conditional,
                    locate=_avm_locator(params_node, extra.get("param_path", ())),
                    extra={
                        **extra,
                        "module": f"{registry[0]}:{'.'.join(map(str, registry[1]))}",
                    },
                )
            )

        return avm.deploy(registry[0], registry[1], params, emit)

    def _not_inspected(self, decl: Decl, what: str, reason: str) -> None:
        self.dep.graph.not_inspected.append(
            NotInspected(self.display, decl.line, f"{decl.name}: {what}", reason)
        )


def _is_decorator(node: Node, name: str) -> bool:
    callee = node.args[0] if node.kind == "call" else node
    return (callee.kind in ("ident", "member")) and callee.value == name


def _prop(body: Node, key: str) -> Node | None:
    if body.kind != "obj":
        return None
    for prop in body.value["props"]:
        if prop.key == key:
            node: Node = prop.value
            return node
    return None


def _walk(node: Node | None, path: tuple[Any, ...]) -> tuple[int, int] | None:
    found = (node.line, node.col) if node is not None else None
    for part in path:
        if node is None:
            break
        if node.kind == "obj" and isinstance(part, str):
            prop = next((p for p in node.value["props"] if p.key == part), None)
            if prop is None:
                break
            found = (prop.line, prop.col)
            node = prop.value
        elif (
            node.kind == "arr" and isinstance(part, int) and 0 <= part < len(node.args)
        ):
            node = node.args[part]
            found = (node.line, node.col)
        else:
            break
    return found


def _node_at(node: Node | None, path: tuple[Any, ...]) -> Node | None:
    for part in path:
        if node is None:
            return None
        if node.kind == "obj" and isinstance(part, str):
            prop = next((p for p in node.value["props"] if p.key == part), None)
            node = prop.value if prop is not None else None
        elif (
            node.kind == "arr" and isinstance(part, int) and 0 <= part < len(node.args)
        ):
            node = node.args[part]
        else:
            return None
    return node


def _locator(body: Node) -> Any:
    def locate(path: tuple[Any, ...]) -> tuple[int, int] | None:
        return _walk(body, path)

    return locate


_AVM_SETTINGS = (("appSettingsKeyValuePairs",), ("configs", 0, "properties"))


def _avm_locator(params: Node | None, prefix: tuple[Any, ...] = ()) -> Any:
    """Paths inside an AVM resource, found in the module call's `params` (below
    `prefix` for a slot: `slots[i]`, falling back to the site's own params)."""

    def locate(path: tuple[Any, ...]) -> tuple[int, int] | None:
        if params is None:
            return None
        if prefix:
            own = _node_at(params, prefix)
            found: tuple[int, int] | None = (
                _avm_locator(own, ())(path) if own is not None else None
            )
            if found is None:
                found = _avm_locator(params, ())(path)
            return found
        if len(path) == 2 and path[0] == "properties":  # an app setting
            for home in _AVM_SETTINGS:
                found = _walk(params, (*home, path[1]))
                if found is not None and _walk(params, home) != found:
                    return found
        mapped = {"siteConfig": ("siteConfig",), "httpsOnly": ("httpsOnly",)}
        if len(path) > 1 and path[0] == "properties" and path[1] in mapped:
            return _walk(params, (*mapped[path[1]], *path[2:]))
        return _walk(params, path[:1]) if path and path[0] in ("kind", "sku") else None

    return locate


__all__ = ["Deployment", "Workspace", "read_bicep"]
