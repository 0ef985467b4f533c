"""What `check` reads: discovery sorts the files under the paths given, pairing turns
them into targets (`discover`, `pairing`); the result lists what was judged, found
wrong, skipped and not inspected (`result`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from azfn_profile import deep
from azfn_profile.config import skipped_path
from azfn_profile.sources.discover import (
    SourceFile,
    classify,
    expand,
    explicit_parameters,
    explicit_var_files,
)
from azfn_profile.sources.pairing import Pairing
from azfn_profile.sources.result import Scan, Skipped

__all__ = ["Scan", "Skipped", "scan"]


def scan(
    paths: Sequence[Path],
    today: date,
    parameters: Path | None = None,
    *,
    skip_paths: Sequence[str] = (),
    var_files: Sequence[Path] = (),
) -> Scan:
    """Read what `paths` hold, on a stack deep enough for every reader's own
    nesting bounds (`deep`)."""
    return deep.run(
        lambda: _scan(
            paths, today, parameters, skip_paths=skip_paths, var_files=var_files
        )
    )


def _scan(
    paths: Sequence[Path],
    today: date,
    parameters: Path | None = None,
    *,
    skip_paths: Sequence[str] = (),
    var_files: Sequence[Path] = (),
) -> Scan:
    result = Scan()
    found = list(expand(paths, result))
    result.found = len(found)
    files = _unskipped(found, skip_paths, result)
    for f in files:
        classify(f, result)
    explicit_params = explicit_parameters(parameters, result)
    given = explicit_var_files(var_files, result) if var_files else None
    Pairing(files, result, today, explicit_params, given).run()
    # Each file counts once: checked (read and judged) or skipped, never both.
    skipped = {s.file for s in result.skipped}
    counted = {f.display for f in files if f.kind and f.display not in skipped}
    result.files = len(counted | result.read_through)
    return result


def _unskipped(
    files: list[SourceFile], patterns: Sequence[str], result: Scan
) -> list[SourceFile]:
    """The files no --skip-path pattern names (those it names are listed as
    skipped, with the pattern)."""
    if not patterns:
        return files
    kept = []
    for f in files:
        try:
            relative = f.path.relative_to(f.root).as_posix()
        except ValueError:
            relative = f.path.name
        pattern = skipped_path(relative, patterns)
        if pattern is None:
            kept.append(f)
        else:
            result.skipped.append(Skipped(f.display, f"--skip-path {pattern}", False))
    return kept
