"""Run Pulumi programs under Pulumi's own mocks and record what they register."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PRINCIPAL = "11111111-2222-3333-4444-555555555555"
INSIGHTS_CONNECTION = (
    "InstrumentationKey=SECRET-IKEY;IngestionEndpoint=https://ingest.example/"
)
ACCOUNT_KEY = "SECRET-ACCOUNT-KEY"
RG_LOCATION = "swedencentral"  # an existing resource group's location
SECRETS = (INSIGHTS_CONNECTION, ACCOUNT_KEY, "SECRET-IKEY")


@dataclass
class Registered:
    typ: str
    name: str
    inputs: dict[str, Any]  # secrets unwrapped
    parent: str = ""
    secret_paths: list[str] = field(default_factory=list)
    urn: str = ""
    id: str = ""
    dependencies: list[str] = field(default_factory=list)  # URNs


def unwrap(value: Any, path: str, found: list[str]) -> Any:
    """Strip Pulumi's secret envelopes, noting where they were."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            found.append(path)
            return unwrap(value["value"], path, found)
        return {
            k: unwrap(v, f"{path}.{k}" if path else k, found) for k, v in value.items()
        }
    if isinstance(value, list):
        return [unwrap(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    return value


@dataclass
class Recorder(pulumi.runtime.Mocks):
    resources: list[Registered] = field(default_factory=list)
    parents: dict[tuple[str, str], str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    protected: set[str] = field(default_factory=set)
    # Existing Linux App Service plans' SKUs by plan name, for getAppServicePlan; a
    # plan the program registered answers with its own SKU and `reserved` flag.
    plans: dict[str, str] = field(default_factory=dict)

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str, dict[str, Any]]:
        secrets: list[str] = []
        inputs = unwrap(dict(args.inputs), "", secrets)
        outputs = dict(inputs)
        # azure-native returns every resource's Azure name as `name`, whichever input
        # property set it.
        for key in (
            "name",
            "accountName",
            "workspaceName",
            "resourceName",
            "resourceGroupName",
        ):
            if key in inputs:
                outputs["name"] = inputs[key]
                break
        rid = (
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/"
            f"{args.typ}/{args.name}"
        )
        if args.typ == "azure-native:web:WebApp":
            outputs["defaultHostName"] = f"{inputs['name']}.azurewebsites.net"
            outputs["identity"] = {
                **inputs.get("identity", {}),
                "principalId": PRINCIPAL,
            }
        elif args.typ == "azure-native:storage:StorageAccount":
            outputs["primaryEndpoints"] = {
                "blob": f"https://{inputs['accountName']}.blob.core.windows.net/"
            }
        elif args.typ == "azure-native:applicationinsights:Component":
            outputs["connectionString"] = INSIGHTS_CONNECTION
        self.resources.append(
            Registered(
                args.typ,
                args.name,
                inputs,
                self.parents.get((args.typ, args.name), ""),
                secrets,
            )
        )
        return rid, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.calls.append((args.token, dict(args.args)))
        if args.token == "azure-native:resources:getResourceGroup":
            return {"name": args.args["resourceGroupName"], "location": RG_LOCATION}
        if args.token == "azure-native:storage:getStorageAccount":
            name = args.args["accountName"]
            return {
                "name": name,
                "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/"
                f"Microsoft.Storage/storageAccounts/{name}",
                "primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"},
            }
        if args.token == "azure-native:applicationinsights:getComponent":
            name = args.args["resourceName"]
            return {
                "name": name,
                "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/"
                f"Microsoft.Insights/components/{name}",
                "connectionString": INSIGHTS_CONNECTION,
            }
        if args.token == "azure-native:storage:listStorageAccountKeys":
            return {
                "keys": [
                    {"keyName": "key1", "value": ACCOUNT_KEY, "permissions": "FULL"}
                ]
            }
        if args.token == "azure-native:web:getAppServicePlan":
            return self._plan(args.args["name"], args.args["resourceGroupName"])
        raise AssertionError(f"unexpected invoke {args.token}")

    def _plan(self, name: str, group: str) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "name": name,
            "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/"
            f"Microsoft.Web/serverfarms/{name}",
        }
        if name in self.plans:  # a Linux plan
            return {**answer, "sku": {"name": self.plans[name]}, "reserved": True}
        for r in self.of_type("web:AppServicePlan"):
            if name in (r.name, r.inputs.get("name")):
                if "reserved" in r.inputs:
                    answer["reserved"] = r.inputs["reserved"]
                return {**answer, "sku": {"name": r.inputs["sku"]["name"]}}
        raise AssertionError(f"no App Service plan {name} in {group}")

    def of_type(self, suffix: str) -> list[Registered]:
        return [r for r in self.resources if r.typ.endswith(suffix)]

    def preview(self) -> dict[str, Any]:
        """The registrations as `pulumi preview --json` shows them: one create step
        per resource, its inputs, id and dependencies."""
        return {
            "steps": [
                {
                    "op": "create",
                    "urn": r.urn,
                    "newState": {
                        "type": r.typ,
                        "urn": r.urn,
                        "inputs": r.inputs,
                        "outputs": {"id": r.id},
                        "dependencies": r.dependencies,
                    },
                }
                for r in self.resources
            ]
        }


class _Monitor(pulumi_mocks.MockMonitor):
    """Also records each resource's parent URN, which mocks are not told."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.recorder = recorder

    def RegisterResource(self, request: Any) -> Any:
        self.recorder.parents[(request.type, request.name)] = request.parent
        if request.protect:
            self.recorder.protected.add(request.name)
        response = super().RegisterResource(request)
        for r in self.recorder.resources:
            if (r.typ, r.name) == (request.type, request.name) and not r.urn:
                r.urn, r.id = response.urn, response.id
                r.dependencies = list(request.dependencies)
        return response


@dataclass
class Run:
    recorder: Recorder
    outputs: dict[str, Any]  # resolved stack outputs
    secret_outputs: set[str]  # names of outputs Pulumi marks secret

    @property
    def protected(self) -> set[str]:
        """Resources registered with protect (set on them or inherited)."""
        return self.recorder.protected


def run(
    program: Callable[[], None],
    *,
    stack: str = "test",
    config: dict[str, Any] | None = None,
    plans: Mapping[str, str] | None = None,
) -> Run:
    """Run `program` under mocks; wait for every registration; resolve the exports.

    Config defaults to `azure-native:location: westeurope`, as a project sets it;
    pass config={} for none. `plans` names existing App Service plans' SKUs.
    """
    if config is None:
        config = {"azure-native:location": "westeurope"}
    recorder = Recorder(plans=dict(plans or {}))
    settings.set_root_resource(None)  # a fresh stack: exports of earlier runs are gone
    pulumi.runtime.set_mocks(
        recorder,
        project="azfn-profile",
        stack=stack,
        preview=False,
        monitor=_Monitor(recorder),
    )
    pulumi.runtime.set_all_config(
        {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in config.items()
        }
    )
    result = Run(recorder, {}, set())

    @pulumi.runtime.test
    def execute() -> pulumi.Output[Any]:
        program()
        root = pulumi.runtime.get_root_resource()
        exports = dict(getattr(root, "outputs", {}))
        resolved = [pulumi.Output.from_input(v) for v in exports.values()]

        def record(values: list[Any]) -> None:
            result.outputs.update(zip(exports, values, strict=True))

        secrets = [o.is_secret() for o in resolved]

        async def gather() -> None:
            for name, flag in zip(exports, secrets, strict=True):
                if await flag:
                    result.secret_outputs.add(name)

        return pulumi.Output.all(*resolved).apply(
            lambda values: pulumi.Output.from_input(gather()).apply(
                lambda _: record(list(values))
            )
        )

    execute()
    return result


def suffix(stack: str, resource_name: str, project: str = "azfn-profile") -> str:
    """The component's deployment suffix, recomputed here: six hex characters of
    sha256("project/stack/resource")."""
    import hashlib

    return hashlib.sha256(f"{project}/{stack}/{resource_name}".encode()).hexdigest()[:6]
