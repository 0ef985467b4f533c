"""One Terraform module instance: a root configuration, or one call of a module.

Variables take the value the caller (or a variables file) gives, else their default,
else are computed at apply time; locals, resource arguments and module outputs are
evaluated on demand and once. `count` and `for_each` give one instance per known
element, or one instance standing for all when the collection is computed (marked
conditional). Resources the mapping knows become graph resources located in the file
that declares them, with the module calls that reached them; modules called from
here are instances of their own.
Reference: developer.hashicorp.com/terraform/language/modules
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azfn_profile.secret import conceal
from azfn_profile.sources import terraform_avm
from azfn_profile.sources import terraform_map as tfmap
from azfn_profile.sources.graph import NotInspected, Resource
from azfn_profile.sources.terraform_call import Call
from azfn_profile.sources.terraform_eval import ROOTS, Evaluator
from azfn_profile.sources.terraform_nodes import Attr, Block
from azfn_profile.sources.terraform_ops import Failed, Instances, plain
from azfn_profile.sources.terraform_refs import (
    Deployment,
    Instance,
    ModuleRef,
    Source,
    Thunk,
    expand,
    key_suffix,
    locator,
    thunk,
)
from azfn_profile.sources.terraform_types import typed
from azfn_profile.sources.values import (
    BudgetExceeded,
    Computed,
    Opaque,
    reading,
)

MAX_MODULE_DEPTH = 16  # modules calling modules
MAX_MODULE_CALLS = 2_000  # module instances per deployment
META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class Module:
    def __init__(
        self,
        dep: Deployment,
        folder: Path,
        display_dir: str,
        sources: list[Source],
        supplied: dict[str, Thunk],
        *,
        chain: tuple[str, ...] = (),
        prefix: str = "",
        path: tuple[str, ...] = (),
        stack: tuple[Path, ...] = (),
        conditional: bool = False,
    ) -> None:
        self.dep, self.folder, self.display_dir = dep, folder, display_dir
        self.supplied, self.chain, self.prefix = supplied, chain, prefix
        self.path, self.stack, self.conditional = path, stack, conditional
        self.budget = dep.budget
        self.vars: dict[str, Block] = {}
        self.locals: dict[str, Attr] = {}
        self.blocks: dict[tuple[str, str, str], tuple[Block, str]] = {}
        self.outputs: dict[str, Block] = {}
        for src in sources:
            self._collect(src)
        self.types = {t for kind, t, _ in self.blocks if kind == "resource"}
        self.memo: dict[str, Any] = {}
        self.busy: set[str] = set()
        self.expanded: dict[tuple[str, str, str], tuple[list[Any], str]] = {}
        self.evaluator = Evaluator(self, dep.depth)

    def _collect(self, src: Source) -> None:
        body = src.body
        for block in body.blocks("variable", 1):
            if block.labels:
                self.vars.setdefault(block.labels[0], block)
        for block in body.blocks("locals"):
            for name, attr in block.body.attrs().items():
                self.locals.setdefault(name, attr)
        for kind, count in (("resource", 2), ("data", 2), ("module", 1)):
            for block in body.blocks(kind, count):
                if len(block.labels) == count:
                    second = block.labels[1] if count == 2 else ""
                    key = (kind, block.labels[0], second)
                    self.blocks.setdefault(key, (block, src.display))
        for block in body.blocks("output", 1):
            if block.labels:
                self.outputs.setdefault(block.labels[0], block)

    # -- the evaluator's Scope ---------------------------------------------------
    def is_root(self, name: str) -> bool:
        return name in ROOTS or name in self.types

    def root(self, name: str, attr: str) -> Any:
        if name == "var":
            return self._guarded(f"var.{attr}", lambda: self._variable(attr))
        if name == "local":
            return self._guarded(f"local.{attr}", lambda: self._local(attr))
        if name == "module":
            return self._value("module", attr, "")
        if name == "path":
            return {
                "module": self.display_dir,
                "root": self.display_dir,
                "cwd": ".",
            }.get(attr, Failed(f"path.{attr}"))
        if name in ("terraform", "self"):
            return Opaque(f"{name}.{attr}")
        if name in ("each", "count"):
            return Failed(f"{name}.{attr} outside a block that sets it")
        return self._value("resource", name, attr)

    def data(self, kind: str, name: str) -> Any:
        return self._value("data", kind, name)

    def eval(self, attr: Attr | None, env: dict[str, Any], default: Any = None) -> Any:
        return default if attr is None else self.evaluator.eval(attr.expr, env)

    def _guarded(self, key: str, compute: Thunk) -> Any:
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            return Failed(f"{self.prefix}{key} refers to itself")
        self.busy.add(key)
        try:
            value = compute()
        finally:
            self.busy.discard(key)
        self.memo[key] = value
        return value

    def _variable(self, name: str) -> Any:
        decl = self.vars.get(name)
        if decl is None:
            return Failed(f"no variable {name!r}")
        attrs = decl.body.attrs()
        default = attrs.get("default")
        if name in self.supplied:
            value = self.supplied[name]()
            nullable = self.eval(attrs.get("nullable"), {}, True)
            if value is None and nullable is False and default is not None:
                value = self.eval(default, {})
        elif default is not None:
            value = self.eval(default, {})
        else:
            value = Opaque(f"{self.prefix}var.{name}")
        kind = attrs.get("type")
        value = typed(kind.expr if kind else None, value, self.evaluator)
        if self.eval(attrs.get("sensitive"), {}, False) is True:
            value = conceal(value)  # its values are secrets; keys stay text
        return value

    def _local(self, name: str) -> Any:
        attr = self.locals.get(name)
        if attr is None:
            return Failed(f"no local value {name!r}")
        return self.evaluator.eval(attr.expr, {})

    # -- resources, data sources and module calls -----------------------------------
    def _value(self, kind: str, a: str, b: str) -> Any:
        if (kind, a, b) not in self.blocks:
            what = {"resource": f"{a}.{b}", "data": f"data.{a}.{b}"}.get(
                kind, f"module.{a}"
            )
            return Opaque(f"{self.prefix}{what}")
        refs, mode = self.instances(kind, a, b)
        if mode == "unknown" and refs:
            return Instances(refs[0])
        if mode == "count":
            return list(refs)
        if mode == "for_each":
            return {r.key: r for r in refs}
        return refs[0] if refs else Failed(f"{a}.{b} has no instance")

    def instances(self, kind: str, a: str, b: str) -> tuple[list[Any], str]:
        key = (kind, a, b)
        if key in self.expanded:
            return self.expanded[key]
        self.expanded[key] = ([], "single")  # a count that reaches its own block
        block, display = self.blocks[key]
        base = f"module.{a}" if kind == "module" else f"{a}.{b}"
        if kind == "data":
            base = f"data.{base}"
        made: list[Any] = []
        expansions, mode = expand(self, block, base)
        if mode in ("count", "for_each"):
            self.budget.instances(len(expansions), base)
        for inst_key, env, conditional in expansions:
            if kind == "module":
                made.append(self._call(a, block, display, inst_key, env, conditional))
            else:
                made.append(
                    Instance(
                        self, kind, a, b, block, display, inst_key, env, conditional
                    )
                )
        self.expanded[key] = (made, mode)
        return made, mode

    def _call(
        self,
        name: str,
        block: Block,
        display: str,
        key: Any,
        env: dict[str, Any],
        conditional: bool,
    ) -> ModuleRef:
        self.dep.calls += 1
        if self.dep.calls > MAX_MODULE_CALLS:
            raise BudgetExceeded(f"more than {MAX_MODULE_CALLS:,} module instances")
        attrs = block.body.attrs()
        source = self.eval(attrs.get("source"), {})
        label = f"module.{name}{key_suffix(key)}"
        if not isinstance(source, str):
            self._not_inspected(block, display, f"{name}: a module source computed")
            return ModuleRef(self, label, key, None)
        found = self.dep.loader.locate(self, name, source)
        if isinstance(found, str):
            # Not read: judged from its arguments where they show a function app.
            call = Call(self, name, block, display, key, env, conditional)
            note = terraform_avm.unread(call, source)
            if note is not None:
                why = f"{found}; {note}" if note else found
                self._not_inspected(block, display, f"{name}: module {source}", why)
            return ModuleRef(self, label, key, None)
        folder, display_dir = found
        if folder.resolve() in self.stack or len(self.stack) > MAX_MODULE_DEPTH:
            reason = "it calls itself, or modules nest too deep"
            self._not_inspected(block, display, f"{name}: module {source}", reason)
            return ModuleRef(self, label, key, None)
        supplied = {
            arg: thunk(self, attr, env)
            for arg, attr in attrs.items()
            if arg not in META
        }
        callee = Module(
            self.dep,
            folder,
            display_dir,
            self.dep.loader.folder(folder, display_dir),
            supplied,
            chain=(
                *self.chain,
                f"{display}:{block.line} module {name}{key_suffix(key)}",
            ),
            prefix=f"{self.prefix}{label}.",
            path=(*self.path, name),
            stack=(*self.stack, folder.resolve()),
            conditional=self.conditional or conditional,
        )
        return ModuleRef(self, label, key, callee)

    def _not_inspected(
        self, block: Block, display: str, what: str, reason: str = "computed"
    ) -> None:
        if (display, block.line) in self.dep.listed:
            return
        self.dep.listed.add((display, block.line))
        self.dep.graph.not_inspected.append(
            NotInspected(display, block.line, what, reason)
        )

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None:
            return Failed(f"no output {name!r}")
        attr = block.body.attrs().get("value")
        return self._guarded(f"output.{name}", lambda: self.eval(attr, {}))

    # -- what this instance deploys -------------------------------------------------
    def run(self) -> None:
        for (kind, a, b), (block, display) in list(self.blocks.items()):
            with reading(display, block.line, block.col):
                self._run(kind, a, b, display)

    def _run(self, kind: str, a: str, b: str, display: str) -> None:
        if kind == "resource" and a in tfmap.MAPPED:
            made, mode = self.instances(kind, a, b)
            if not made and mode in ("count", "for_each") and a in tfmap.SITES:
                block, _ = self.blocks[(kind, a, b)]
                why = "count is 0" if mode == "count" else "for_each is empty"
                self._not_inspected(
                    block, display, f"{self.prefix}{a}.{b}", f"not deployed: {why}"
                )
            for inst in made:
                self._emit(inst, display, tfmap.resources(a, inst.view))
        elif kind == "data" and a in tfmap.DATA:
            for inst in self.instances(kind, a, b)[0]:
                name = inst.view.get("name", Opaque(f"{inst.label()}.name"))
                mapped = tfmap.Mapped(tfmap.DATA[a], name, {})
                self._emit(inst, display, [mapped], existing=True)
        elif kind == "module":
            for call in self.instances(kind, a, b)[0]:
                if call.callee is not None:
                    call.callee.run()

    def _emit(
        self,
        inst: Instance,
        display: str,
        mapped: list[tfmap.Mapped],
        existing: bool = False,
    ) -> None:
        for m in mapped:
            self.dep.graph.resources.append(
                Resource(
                    type=m.type,
                    name=plain(m.name, self.budget),
                    body=plain(m.body, self.budget),
                    file=display,
                    line=inst.block.line,
                    col=inst.block.col,
                    display=inst.address,
                    chain=self.chain,
                    deployment=self.dep.name,
                    symbol=inst.b if inst.kind != "module" else None,
                    existing=existing,
                    conditional=self.conditional or inst.conditional,
                    locate=locator(m.places),
                    extra=m.extra,
                )
            )


__all__ = ["Computed", "Deployment", "Module", "Source"]
