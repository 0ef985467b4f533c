"""Print pip constraints pinning each core dependency to its lowest allowed version.

Reads `[project] dependencies` in pyproject.toml and turns every `name>=X` into
`name==X`, so that the suite can run against the floors the project promises.
Usage: python .ci/lowest.py pyproject.toml > lowest.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def floors(pyproject: str) -> list[str]:
    block = re.search(
        r"^dependencies\s*=\s*\[(.*?)\]", pyproject, re.DOTALL | re.MULTILINE
    )
    if block is None:
        raise SystemExit("pyproject.toml: no [project] dependencies list")
    pins = []
    for requirement in re.findall(r'"([^"]+)"', block.group(1)):
        match = re.match(
            r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?.*?>=\s*([^,;\s]+)", requirement
        )
        if match is None:
            raise SystemExit(f"pyproject.toml: {requirement!r} has no >= floor")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


if __name__ == "__main__":
    print("\n".join(floors(Path(sys.argv[1]).read_text(encoding="utf-8"))))
