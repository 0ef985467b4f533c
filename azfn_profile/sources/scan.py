"""What `check` reads: discovery sorts the files under the paths given, pairing turns
them into targets (`discover`, `pairing`); the result lists what was judged, found
wrong, skipped and not inspected (`result`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from azfn_profile.sources.discover import classify, expand, explicit_parameters
from azfn_profile.sources.pairing import Pairing
from azfn_profile.sources.result import Scan, Skipped

__all__ = ["Scan", "Skipped", "scan"]


def scan(paths: Sequence[Path], today: date, parameters: Path | None = None) -> Scan:
    result = Scan()
    files = list(expand(paths, result))
    for f in files:
        classify(f, result)
    result.files = sum(1 for f in files if f.kind)
    result.found = len(files)
    explicit_params = explicit_parameters(parameters, result)
    Pairing(files, result, today, explicit_params).run()
    return result
