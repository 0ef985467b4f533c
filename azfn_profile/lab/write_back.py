"""Write measured settings back into a profile, keeping its comments and key order."""

from __future__ import annotations

import io
import math
import os
import tempfile
from datetime import date
from pathlib import Path

from azfn_profile import facts
from azfn_profile.loader import load_profile


def updated_profile(
    text: str, *, processes: int | None, threads: int, memory_mb: float
) -> str:
    """The profile text with explicit worker overrides and measured memory per process."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load(text)
    settings = data.get("app_settings")
    if not isinstance(settings, dict):
        settings = CommentedMap()
        data["app_settings"] = settings
    for key in [
        k
        for k in settings
        if str(k).upper() in (facts.PROCESS_COUNT, facts.THREAD_COUNT)
    ]:
        del settings[key]
    if processes is not None:
        settings[facts.PROCESS_COUNT] = str(processes)
    settings[facts.THREAD_COUNT] = str(threads)
    workload = data["workload"]
    workload["memory_per_process_mb"] = max(16, math.ceil(memory_mb))
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def write_profile(path: Path, text: str, today: date) -> None:
    """Replace the profile atomically, only once the new text loads as a valid profile."""
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".yaml", dir=path.parent
    )
    staged = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_profile(staged, today=today, display=str(path))  # InputError if not valid
        staged.chmod(path.stat().st_mode & 0o7777)
        staged.replace(path)
    finally:
        if staged.exists():
            staged.unlink()
