"""Rebuild provider-arguments.json from a clone of hashicorp/terraform-provider-azurerm.

Usage: python extract_arguments.py PROVIDER_CLONE v4.46.0 v4.81.0

For each tag, the argument names each resource's documentation lists under
"Argument(s) Reference", by block (`""` is the resource itself), and the provider's
own arguments (website/docs/index.html.markdown). The azapi entry is kept as is
(Azure/terraform-provider-azapi docs/resources/update_resource.md, "Schema").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

RESOURCES = (
    "storage_account",
    "log_analytics_workspace",
    "application_insights",
    "service_plan",
    "linux_function_app",
    "function_app_flex_consumption",
    "role_assignment",
    "storage_container",
)
HERE = Path(__file__).resolve().parent / "provider-arguments.json"


def show(repo: str, tag: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, "show", f"{tag}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def arguments(text: str) -> dict[str, list[str]]:
    section = re.split(r"## Arguments? Reference", text, maxsplit=1)[1]
    section = section.split("## Attributes Reference", 1)[0]
    blocks: dict[str, set[str]] = {"": set()}
    current = ""
    for line in section.splitlines():
        if match := re.match(r"^An? `(\w+)` block (supports|exports)", line):
            current = match.group(1)
            blocks.setdefault(current, set())
        elif match := re.match(r"^\* `(\w+)` - ", line):
            blocks[current].add(match.group(1))
    return {name: sorted(args) for name, args in sorted(blocks.items())}


def main(repo: str, tags: list[str]) -> None:
    data = json.loads(HERE.read_text())
    data["versions"] = {}
    for tag in tags:
        found = {
            f"azurerm_{r}": arguments(
                show(repo, tag, f"website/docs/r/{r}.html.markdown")
            )
            for r in RESOURCES
        }
        index = show(repo, tag, "website/docs/index.html.markdown")
        found["provider"] = {
            "": sorted(set(re.findall(r"^\* `(\w+)` - ", index, re.MULTILINE)))
        }
        data["versions"][tag] = found
    HERE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
