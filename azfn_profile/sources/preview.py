"""`pulumi preview --json` output as a check source: the steps' new states.

Values Pulumi cannot know during preview arrive as its unknown marker; they make the
checks that need them "unknown". Findings point at the resource's URN.
"""

from __future__ import annotations

from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.findings import Finding, Location
from azfn_profile.sources.pulumi_props import Resource, stack_targets

UNKNOWN_MARKER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_preview(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("steps"), list)


def _known(value: Any, path: str, unknown: set[str]) -> Any:
    if value == UNKNOWN_MARKER:
        unknown.add(path)
        return None
    if isinstance(value, dict):
        return {
            k: _known(v, f"{path}.{k}" if path else k, unknown)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_known(v, f"{path}[{i}]", unknown) for i, v in enumerate(value)]
    return value


def preview_targets(
    data: dict[str, Any], display: str
) -> tuple[list[SourceTarget], list[Finding]]:
    resources = []
    for step in data["steps"]:
        state = step.get("newState") if isinstance(step, dict) else None
        if not isinstance(state, dict) or step.get("op") == "delete":
            continue
        unknown: set[str] = set()
        props = {**(state.get("inputs") or {}), **(state.get("outputs") or {})}
        resources.append(
            Resource(
                str(state.get("type", "")),
                str(state.get("urn", "")),
                _known(props, "", unknown),
                list(state.get("dependencies") or []),
                unknown,
            )
        )
    targets = stack_targets(resources, file=display)
    if not targets:
        return [], [
            Finding(
                "AZFN000",
                "input.unreadable",
                "error",
                "no function app (azure-native:web:WebApp with kind "
                "functionapp) in this preview",
                Location(display),
            )
        ]
    return targets, []
