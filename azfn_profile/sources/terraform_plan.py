"""Terraform plans (`terraform show -json tfplan`) as a reader of the resource graph.

A plan JSON holds what Terraform will deploy: `resource_changes` (each instance's
`change.after`, with `change.after_unknown` marking what is known only after apply)
and `planned_values` (the same instances, module by module, unknowns left out).
Each instance is read from its change when there is one (a value known only after
apply stays unknown to the checks), else from the planned values (where a null may
be unknown, so every null is). Deleted instances and deposed objects are not
judged; data sources are existing resources, never apps. The instances go through
the mapping the configuration reader uses (`terraform_map`), so a plan is judged
as its configuration is.

An id known only after apply (a new plan's `service_plan_id`, a slot's
`function_app_id`) is the id of the resource its expression refers to:
`configuration` keeps each argument's `references` (`azurerm_service_plan.plan.id`,
`var.plan_id` through the module call's argument, `module.plan.id` through the
module's output), resolved in the instance's own module instance. A reference that
names no single instance leaves the id unknown.

The plan has no configuration lines: findings are located in the plan JSON, at the
value the plan writes, and name the instance by its address.
Reference: developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.checks import raised
from azfn_profile.findings import Finding
from azfn_profile.sources import terraform_map as tfmap
from azfn_profile.sources.graph import Graph, NotInspected, Resource
from azfn_profile.sources.join import Declared, join
from azfn_profile.sources.jsonc import Positions
from azfn_profile.sources.result import unreadable
from azfn_profile.sources.terraform_eval import ROOTS
from azfn_profile.sources.terraform_ops import plain
from azfn_profile.sources.terraform_plan_view import (
    NO_KEY,
    ModulePath,
    PlanView,
    Step,
    UnknownView,
    marked,
    merged,
    module_path,
    module_text,
    steps,
)
from azfn_profile.sources.terraform_refs import locator
from azfn_profile.sources.values import (
    Budget,
    BudgetExceeded,
    Opaque,
    ResourceId,
    split_text,
)

PLAN_KEYS = ("planned_values", "resource_changes")
NO_APP = "no function app (azurerm_*function_app*) in this Terraform plan"
# Arguments holding another resource's id, followed through `configuration`.
LINKS = frozenset(
    {"service_plan_id", "app_service_plan_id", "function_app_id", "parent_id"}
)
MAX_HOPS = 32  # module arguments and outputs followed for one reference
MAX_REFERENCES = 64  # references read of one expression


def is_plan(data: Any, explicit: bool = False) -> bool:
    """A plan's documented shape: `planned_values` and/or `resource_changes`, with
    `format_version` or `terraform_version` (a file named on purpose needs only the
    first, and is then told what is missing)."""
    if not isinstance(data, dict) or not any(k in data for k in PLAN_KEYS):
        return False
    return explicit or "format_version" in data or "terraform_version" in data


@dataclass
class Planned:
    """One resource instance the plan deploys (or reads: a data source)."""

    address: str
    module: ModulePath
    mode: str  # managed or data
    type: str
    name: str
    index: Any  # the count/for_each key, NO_KEY without one
    values: Any  # merged values: an object, or one Opaque when all are unknown
    path: tuple[Any, ...]  # where its values are in the plan JSON


@dataclass
class PlanRead:
    graph: Graph = field(default_factory=Graph)
    problems: list[Finding] = field(default_factory=list)


def plan_targets(
    data: Any, text: str, display: str, declared: Declared
) -> tuple[list[SourceTarget], PlanRead]:
    """The function apps a plan deploys, and what was wrong with the plan."""
    read = _Reader(data, text, display).run()

    def problem(site: Resource, message: str) -> None:
        read.problems.append(raised("AZFN000", message, site.where(("tags",))))

    if not read.graph.resources:
        return [], read
    return join(read.graph, declared, problem), read


class _Reader:
    def __init__(self, data: Any, text: str, display: str) -> None:
        self.data, self.display = data, display
        self.positions = Positions(text)
        self.read = PlanRead()
        self.budget = Budget()
        self.instances: list[Planned] = []
        self.index: dict[tuple[Any, ...], list[Planned]] = {}
        self.modules: set[ModulePath] = {()}
        self.views: dict[str, PlanView] = {}
        self.linked: dict[tuple[str, str], Any] = {}
        self.busy: set[tuple[str, str]] = set()

    def at(self, path: tuple[Any, ...]) -> tuple[int | None, int | None]:
        return self.positions.at(path)

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        line, col = self.at(path)
        self.read.problems.append(unreadable(self.display, message, line, col))

    def run(self) -> PlanRead:
        if not self._version():
            return self.read
        if self.data.get("errored") is True:
            line, _ = self.at(("errored",))
            self.read.graph.not_inspected.append(
                NotInspected(
                    self.display,
                    line,
                    "the rest of the plan",
                    "Terraform stopped planning at an error (errored: true); what "
                    "it did not reach is not in the plan",
                )
            )
        try:
            seen = self._changes()
            self._planned(seen)
            for p in self.instances:
                self.index.setdefault((p.module, p.mode, p.type, p.name), []).append(p)
                for depth in range(len(p.module) + 1):
                    self.modules.add(p.module[:depth])
            for p in self.instances:
                self._emit(p)
        except BudgetExceeded as exc:
            self.read.graph.resources.clear()
            self.problem((), f"too large to evaluate: {exc}")
        return self.read

    def _version(self) -> bool:
        data = self.data
        version = data.get("format_version")
        if not isinstance(version, str):
            where = ("format_version",) if "format_version" in data else ()
            self.problem(
                where,
                "a Terraform plan (terraform show -json) needs a format_version "
                "string; this one has none, so it is not read",
            )
            return False
        if version.split(".")[0] not in ("0", "1"):  # 0.x: Terraform 0.12-0.15
            self.problem(
                ("format_version",),
                f"a Terraform plan in JSON format {version!r}: only formats 0.x and "
                "1.x are read",
            )
            return False
        return True

    # -- instances ---------------------------------------------------------------------

    def _changes(self) -> set[str]:
        """Instances from `resource_changes`; the addresses they cover."""
        seen: set[str] = set()
        changes = self.data.get("resource_changes", [])
        if not isinstance(changes, list):
            self.problem(("resource_changes",), "resource_changes is not a list")
            return seen
        for i, entry in enumerate(changes):
            where = ("resource_changes", i)
            self.budget.step()
            found = self._instance(
                entry,
                where,
                entry.get("module_address") if isinstance(entry, dict) else None,
            )
            change = entry.get("change") if isinstance(entry, dict) else None
            if found is None or not isinstance(change, dict):
                if found is not None:
                    self.problem(where, f"{found.address}: the change is not an object")
                continue
            if "deposed" in entry:
                continue  # an object being replaced: destroyed, not deployed
            seen.add(found.address)
            actions = change.get("actions")
            if not isinstance(actions, list):
                self.problem((*where, "change"), f"{found.address}: no actions list")
                continue
            after = change.get("after")
            if ("delete" in actions and "create" not in actions) or not isinstance(
                after, dict
            ):
                continue  # deleted (or forgotten): not deployed by this plan
            after = marked(after, change.get("after_sensitive"), self.budget)
            found.values = merged(
                after, change.get("after_unknown"), found.address, self.budget
            )
            found.path = (*where, "change", "after")
            self.instances.append(found)
        return seen

    def _planned(self, seen: set[str]) -> None:
        """Instances only `planned_values` holds (module by module, no recursion)."""
        planned = self.data.get("planned_values")
        if planned is None:
            return
        root = planned.get("root_module") if isinstance(planned, dict) else None
        if not isinstance(root, dict):
            if not isinstance(planned, dict) or root is not None:
                self.problem(("planned_values",), "planned_values has no root_module")
            return
        stack: list[tuple[dict[str, Any], tuple[Any, ...], Any]] = [
            (root, ("planned_values", "root_module"), None)
        ]
        while stack:
            module, where, address = stack.pop()
            self.budget.step()
            resources = module.get("resources", [])
            children = module.get("child_modules", [])
            for key, value in (("resources", resources), ("child_modules", children)):
                if not isinstance(value, list):
                    self.problem((*where, key), f"{key} is not a list")
            for j, entry in enumerate(resources if isinstance(resources, list) else []):
                self.budget.step()
                path = (*where, "resources", j)
                found = self._instance(entry, path, address)
                if found is None or found.address in seen:
                    continue
                seen.add(found.address)
                values = entry.get("values")
                if not isinstance(values, dict):
                    self.problem(path, f"{found.address}: values is not an object")
                    continue
                values = marked(values, entry.get("sensitive_values"), self.budget)
                found.values = merged(
                    values, None, found.address, self.budget, nulls=True
                )
                found.path = (*path, "values")
                self.instances.append(found)
            if not isinstance(children, list):
                continue
            for j in reversed(range(len(children))):
                child = children[j]
                path = (*where, "child_modules", j)
                if not isinstance(child, dict):
                    self.problem(path, "a child module is not an object")
                    continue
                stack.append((child, path, child.get("address")))

    def _instance(
        self, entry: Any, where: tuple[Any, ...], module_address: Any
    ) -> Planned | None:
        """An entry's identity (address, module, mode, type, name, index), checked
        for shape; a wrong one is reported where it is."""
        if not isinstance(entry, dict):
            self.problem(where, "a resource entry is not an object")
            return None
        address, mode = entry.get("address"), entry.get("mode", "managed")
        rtype, name = entry.get("type"), entry.get("name")
        module = module_path(module_address)
        index = entry.get("index", NO_KEY)
        if index is None:
            index = NO_KEY
        if not (
            isinstance(address, str)
            and mode in ("managed", "data")
            and isinstance(rtype, str)
            and isinstance(name, str)
            and module is not None
            and (index is NO_KEY or isinstance(index, int | str))
            and not isinstance(index, bool)
        ):
            named = f"{address}: " if isinstance(address, str) else ""
            self.problem(
                where,
                f"{named}a resource entry without the address, mode, type, name "
                "(and index, module_address) of a resource instance",
            )
            return None
        return Planned(address, module, str(mode), rtype, name, index, {}, where)

    # -- the graph ---------------------------------------------------------------------

    def view(self, p: Planned) -> PlanView | UnknownView:
        if not isinstance(p.values, dict):  # `after_unknown: true`: all of it
            return UnknownView(p.address, self.at(p.path))
        if p.address not in self.views:
            self.views[p.address] = PlanView(
                p.values, self.at, p.path, p.address, lambda arg: self._link(p, arg)
            )
        return self.views[p.address]

    def _emit(self, p: Planned) -> None:
        view = self.view(p)
        existing = p.mode == "data"
        if existing:
            arm = tfmap.DATA.get(p.type)
            if arm is None:
                return
            name = view.get("name", None)
            if name is None:
                name = Opaque(f"{p.address}.name")
            mapped = [tfmap.Mapped(arm, name, {})]
        elif p.type in tfmap.MAPPED:
            mapped = tfmap.resources(p.type, view)
        else:
            return
        chain = tuple(module_text(p.module[: i + 1]) for i in range(len(p.module)))
        for m in mapped:
            self.read.graph.resources.append(
                Resource(
                    type=m.type,
                    name=plain(m.name, self.budget),
                    body=plain(m.body, self.budget),
                    file=self.display,
                    line=view.line,
                    col=view.col,
                    display=p.address,
                    chain=chain,
                    deployment=self.display,
                    symbol=p.name,
                    existing=existing,
                    locate=locator(m.places),
                    extra=m.extra,
                )
            )

    # -- ids known after apply -----------------------------------------------------------

    def _link(self, p: Planned, arg: str) -> Any:
        """The id an argument known only after apply will hold: that of the one
        instance its expression refers to (None: not one instance)."""
        key = (p.address, arg)
        if arg not in LINKS or key in self.busy:
            return None
        if key not in self.linked:
            self.busy.add(key)
            try:
                expressions = _get(self._config_resource(p), "expressions")
                refs = _references(_get(expressions, arg))
                found = self._resolve(p.module, refs, p.index, 0)
                self.linked[key] = self._identity(found[0]) if len(found) == 1 else None
            finally:
                self.busy.discard(key)
        return self.linked[key]

    def _identity(self, target: Planned) -> ResourceId | None:
        if target.mode == "data":
            arm = tfmap.DATA.get(target.type)
            if arm is None:
                return None
            name = self.view(target).get("name", None)
            if name is None:
                name = Opaque(f"{target.address}.name")
            return ResourceId(arm.lower(), tuple(split_text(name, "/")))
        return tfmap.identity(target.type, self.view(target))

    def _config_module(self, path: ModulePath) -> Any:
        module = _get(_get(self.data, "configuration"), "root_module")
        for name, _ in path:
            module = _get(_get(_get(module, "module_calls"), name), "module")
        return module

    def _config_resource(self, p: Planned) -> Any:
        resources = _get(self._config_module(p.module), "resources")
        for entry in resources if isinstance(resources, list) else []:
            if (
                isinstance(entry, dict)
                and entry.get("mode", "managed") == p.mode
                and entry.get("type") == p.type
                and entry.get("name") == p.name
            ):
                return entry
        return None

    def _resolve(
        self, module: ModulePath, refs: list[str], own_key: Any, hops: int
    ) -> list[Planned]:
        """The instances `refs` (one expression's references, in module instance
        `module`, of an instance keyed `own_key`) name."""
        if hops > MAX_HOPS:
            return []
        self.budget.step(len(refs) + 1)
        wanted: dict[tuple[str, str, str], list[Any]] = {}
        found: dict[str, Planned] = {}
        if not any(r == "count.index" or r.startswith("each.") for r in refs):
            own_key = NO_KEY  # `plan[count.index]`, `plan[each.key]` only
        for ref in refs:
            parsed = steps(ref)
            if parsed is None:
                continue
            head = parsed[0].name
            if head == "data" and len(parsed) >= 3:
                target = ("data", parsed[1].name, parsed[2].name)
                wanted.setdefault(target, []).append(parsed[2].key)
            elif head == "var" and len(parsed) >= 2 and module:
                for t in self._from_caller(module, parsed[1].name, hops):
                    found.setdefault(t.address, t)
            elif head == "module" and len(parsed) >= 3:
                for t in self._from_output(
                    module, parsed[1], parsed[2].name, own_key, hops
                ):
                    found.setdefault(t.address, t)
            elif head not in ROOTS and len(parsed) >= 2:
                target = ("managed", head, parsed[1].name)
                wanted.setdefault(target, []).append(parsed[1].key)
        for (mode, rtype, name), keys in wanted.items():
            instances = self.index.get((module, mode, rtype, name), [])
            explicit = [k for k in keys if k is not NO_KEY]
            if explicit:
                chosen = [i for i in instances if i.index in explicit]
            elif len(instances) == 1:
                chosen = instances
            else:  # `plan[count.index]`: the instance of the same key
                chosen = [
                    i for i in instances if own_key is not NO_KEY and i.index == own_key
                ]
            for t in chosen:
                found.setdefault(t.address, t)
        return list(found.values())

    def _from_caller(self, module: ModulePath, var: str, hops: int) -> list[Planned]:
        """`var.X` in a module: the argument its caller passes."""
        parent, (call, call_key) = module[:-1], module[-1]
        calls = _get(self._config_module(parent), "module_calls")
        expression = _get(_get(_get(calls, call), "expressions"), var)
        return self._resolve(parent, _references(expression), call_key, hops + 1)

    def _from_output(
        self, module: ModulePath, call: Step, output: str, own_key: Any, hops: int
    ) -> list[Planned]:
        """`module.M.O`: the value module M's output O refers to."""
        children = [
            m
            for m in self.modules
            if len(m) == len(module) + 1 and m[:-1] == module and m[-1][0] == call.name
        ]
        if call.key is not NO_KEY:
            children = [m for m in children if m[-1][1] == call.key]
        elif len(children) > 1:
            children = [m for m in children if m[-1][1] == own_key]
        if len(children) != 1:
            return []
        child = children[0]
        outputs = _get(self._config_module(child), "outputs")
        expression = _get(_get(outputs, output), "expression")
        return self._resolve(child, _references(expression), NO_KEY, hops + 1)


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _references(expression: Any) -> list[str]:
    refs = _get(expression, "references")
    if not isinstance(refs, list):
        return []
    return [r for r in refs[:MAX_REFERENCES] if isinstance(r, str)]
