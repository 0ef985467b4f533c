"""Pulumi resources (camelCase properties, as azure-native sends them) as a reader.

Shared by the CrossGuard pack (its stack view) and `pulumi preview --json` output:
each azure-native resource becomes a graph resource of its ARM type, its properties
moved under `properties` as ARM has them, values Pulumi does not know yet standing as
computed values. Names and ids unknown during a preview are linked through the
resources' dependencies instead (a site that depends on exactly one plan uses it).
The join is the same as for templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.sources.graph import Graph, Resource
from azfn_profile.sources.join import join
from azfn_profile.sources.values import Opaque, ResourceId, text

WEBAPP = "azure-native:web:WebApp"
SLOT = "azure-native:web:WebAppSlot"
PLAN = "azure-native:web:AppServicePlan"
SETTINGS = "azure-native:web:WebAppApplicationSettings"
SLOT_SETTINGS = "azure-native:web:WebAppApplicationSettingsSlot"
FTP, SCM = "azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"
STORAGE = "azure-native:storage:StorageAccount"

_ARM_TYPES = {
    WEBAPP: "Microsoft.Web/sites",
    SLOT: "Microsoft.Web/sites/slots",
    PLAN: "Microsoft.Web/serverfarms",
    STORAGE: "Microsoft.Storage/storageAccounts",
}
_TOP_LEVEL = ("kind", "sku", "identity", "tags", "location")


@dataclass
class PulumiResource:
    type: str
    urn: str
    props: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)  # dotted property paths


def stack_targets(
    resources: Iterable[PulumiResource], file: str = "<stack>"
) -> list[SourceTarget]:
    graph = Graph()
    all_resources = list(resources)
    by_urn = {r.urn: r for r in all_resources}
    names = {r.urn: graph_name(r) for r in all_resources}
    for r in all_resources:
        converted = convert(r, names, by_urn, file)
        if converted is not None:
            graph.resources.append(converted)
    return join(graph)


def graph_name(r: PulumiResource) -> Any:
    """The resource's name as the graph joins it: its `name` when known."""
    name = r.props.get("name")
    if isinstance(name, str) and "name" not in r.unknown:
        return name
    return Opaque(f"name of {r.urn}")


def _marked(props: Mapping[str, Any], unknown: set[str]) -> dict[str, Any]:
    """Properties with the paths Pulumi does not know replaced by computed values."""
    out = dict(props)
    for path in unknown:
        parts = path.replace("]", "").replace("[", ".").split(".")
        target: Any = out
        for part in parts[:-1]:
            key: Any = int(part) if part.isdigit() else part
            if isinstance(target, dict) and isinstance(target.get(key), dict | list):
                target[key] = (
                    dict(target[key])
                    if isinstance(target[key], dict)
                    else list(target[key])
                )
                target = target[key]
            elif (
                isinstance(target, list) and isinstance(key, int) and key < len(target)
            ):
                target = target[key]
            else:
                target = None
                break
        last: Any = parts[-1]
        last = int(last) if last.isdigit() else last
        if isinstance(target, dict) or (
            isinstance(target, list) and isinstance(last, int) and last < len(target)
        ):
            target[last] = Opaque(f"unknown during preview: {path}")
    return out


def convert(
    r: PulumiResource,
    names: Mapping[str, Any],
    by_urn: Mapping[str, PulumiResource],
    file: str,
) -> Resource | None:
    """One Pulumi resource as a graph resource (None: a type the join does not
    read), its unknowns marked; `names` are every resource's `graph_name`."""
    props = _marked(r.props, r.unknown)
    deps = [by_urn[d] for d in r.dependencies if d in by_urn]
    if r.type in (SETTINGS, SLOT_SETTINGS, FTP, SCM):
        owner = next((d for d in deps if d.type in (WEBAPP, SLOT)), None)
        site_name = names[owner.urn] if owner is not None else props.get("name")
        if r.type in (SETTINGS, SLOT_SETTINGS):
            values = props.get("properties")
            kind, leaf = "Microsoft.Web/sites/config", "appsettings"
            body = {"properties": values if values is not None else {}}
        else:
            kind = "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
            leaf = "ftp" if r.type == FTP else "scm"
            body = {"properties": {"allow": props.get("allow")}}
        child = text([site_name if site_name is not None else Opaque(r.urn), "/", leaf])
        return _resource(kind, child, body, r, file)
    arm_type = _ARM_TYPES.get(r.type)
    if arm_type is None:
        return None
    name: Any = names[r.urn]
    rest = {k: v for k, v in props.items() if k not in (*_TOP_LEVEL, "name")}
    body = {k: props[k] for k in _TOP_LEVEL if k in props}
    if r.type in (WEBAPP, SLOT):
        farm = rest.get("serverFarmId")
        plans = [d for d in deps if d.type == PLAN]
        if (not isinstance(farm, str) and len(plans) == 1) or (
            isinstance(farm, str) and plans and farm == plans[0].props.get("id")
        ):
            rest["serverFarmId"] = ResourceId(
                "microsoft.web/serverfarms", (names[plans[0].urn],)
            )
    if r.type == PLAN and isinstance(rest.get("id"), str):
        rest.pop("id")
    body["properties"] = rest
    return _resource(arm_type, name, body, r, file)


def _resource(
    kind: str, name: Any, body: dict[str, Any], r: PulumiResource, file: str
) -> Resource:
    return Resource(
        type=kind,
        name=name,
        body=body,
        file=file,
        line=None,
        col=None,
        display=r.urn,
        deployment=file,
    )
