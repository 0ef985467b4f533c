"""Parameter files: `*.parameters.json` (deploymentParameters) and `.bicepparam`.

A parameter file supplies values to the template it names: `using './main.bicep'` in
a `.bicepparam`; for JSON, by name (`main.parameters.json` and
`main.parameters.dev.json` belong to `main.json` or `main.bicep` beside them,
`azuredeploy.parameters.json` to `azuredeploy.json`). Values are literal (parameter
files do not evaluate expressions); Key Vault references and azd's `${VAR}`
placeholders are computed at deployment.
Reference: learn.microsoft.com/azure/azure-resource-manager/templates/parameter-files
and learn.microsoft.com/azure/azure-resource-manager/bicep/parameter-files
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from azfn_profile.sources.values import Opaque, text

PARAMETERS_MARK = "deploymentparameters.json"
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def is_parameters(data: Any) -> bool:
    if not isinstance(data, dict) or "resources" in data:
        return False
    schema = data.get("$schema")
    if isinstance(schema, str) and PARAMETERS_MARK in schema.lower():
        return True
    params = data.get("parameters")
    return (
        isinstance(params, dict)
        and bool(params)
        and all(
            isinstance(v, dict) and ("value" in v or "reference" in v)
            for v in params.values()
        )
    )


def json_values(data: dict[str, Any]) -> dict[str, Any]:
    """The values a deploymentParameters document gives."""
    values: dict[str, Any] = {}
    params = data.get("parameters")
    for name, spec in params.items() if isinstance(params, dict) else []:
        if not isinstance(spec, dict):
            continue
        if "reference" in spec:  # a Key Vault secret
            values[str(name)] = Opaque(f"Key Vault reference for {name}")
        elif "value" in spec:
            values[str(name)] = _placeholders(spec["value"])
    return values


def _placeholders(value: Any) -> Any:
    """azd substitutes `${VAR}` from its environment at deployment."""
    if isinstance(value, str) and "${" in value:
        parts: list[Any] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(value):
            parts.append(value[pos : match.start()])
            parts.append(Opaque(f"${{{match.group(1)}}}"))
            pos = match.end()
        parts.append(value[pos:])
        return text(parts)
    if isinstance(value, dict):
        return {k: _placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v) for v in value]
    return value


def template_candidates(parameters: Path) -> list[Path]:
    """The templates a JSON parameter file belongs to, by its name."""
    stem = parameters.name.split(".parameters", 1)[0]
    if stem == parameters.name or not stem:
        return []
    return [parameters.with_name(f"{stem}.json"), parameters.with_name(f"{stem}.bicep")]
