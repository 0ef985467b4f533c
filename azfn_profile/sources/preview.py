"""`pulumi preview --json` output as a check source: the steps' new states.

Values Pulumi cannot know during preview arrive as its unknown marker; they make the
checks that need them "unknown". Findings point at the resource's URN. Every part of
the document is checked for its shape first: a step, a state, inputs or dependencies
of the wrong type are skipped, never a crash.
"""

from __future__ import annotations

from typing import Any

from azfn_profile.checking import SourceTarget
from azfn_profile.sources.pulumi_props import PulumiResource, stack_targets
from azfn_profile.sources.values import MAX_DEPTH

UNKNOWN_MARKER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_preview(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("steps"), list)


def _known(value: Any, path: str, unknown: set[str], depth: int = 0) -> Any:
    if value == UNKNOWN_MARKER or depth > MAX_DEPTH:
        unknown.add(path)
        return None
    if isinstance(value, dict):
        return {
            str(k): _known(v, f"{path}.{k}" if path else str(k), unknown, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            _known(v, f"{path}[{i}]", unknown, depth + 1) for i, v in enumerate(value)
        ]
    return value


def preview_resources(data: dict[str, Any]) -> list[PulumiResource]:
    resources = []
    for step in data["steps"]:
        state = step.get("newState") if isinstance(step, dict) else None
        if not isinstance(state, dict) or step.get("op") == "delete":
            continue
        inputs, outputs = state.get("inputs"), state.get("outputs")
        props = {
            **(inputs if isinstance(inputs, dict) else {}),
            **(outputs if isinstance(outputs, dict) else {}),
        }
        deps = state.get("dependencies")
        unknown: set[str] = set()
        resources.append(
            PulumiResource(
                str(state.get("type", "")),
                str(state.get("urn", "")),
                _known(props, "", unknown),
                [d for d in deps if isinstance(d, str)]
                if isinstance(deps, list)
                else [],
                unknown,
            )
        )
    return resources


def preview_targets(data: dict[str, Any], display: str) -> list[SourceTarget]:
    return stack_targets(preview_resources(data), file=display)
