"""The declared workload read back from `azfn-profile:*` resource tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azfn_profile.spec import WorkloadSpec


def workload_from_tags(tags: Mapping[str, Any]) -> WorkloadSpec | None:
    kind = tags.get("azfn-profile:workload")
    if kind not in ("io", "cpu", "mixed"):
        return None
    style = tags.get("azfn-profile:style")
    concurrency = str(tags.get("azfn-profile:concurrency", ""))
    return WorkloadSpec(
        kind=str(kind),
        style=str(style) if style in ("sync", "async") else "sync",
        io_share=None,
        concurrency=int(concurrency) if concurrency.isdigit() else None,
        memory_per_process_mb=None,
    )
