"""Writing outputs the user named: atomically, and never clobbering by surprise."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from azfn_profile.errors import OutputError


def write_output(path: Path, text: str, *, force: bool) -> bool:
    """Write `text` to `path` atomically; False when the file already holds it.

    An existing file with other content is replaced only with `force`.
    """
    data = text.encode("utf-8")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name to write")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: directory {path.parent} does not exist")
    if path.exists():
        if path.read_bytes() == data:
            return False
        if not force:
            raise OutputError(
                f"{path}: exists with different content; pass --force to replace it"
            )
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            tmp.chmod(path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o666 & ~umask)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True


def write_bundle(directory: Path, files: dict[str, str], *, force: bool) -> list[str]:
    """Write several files into `directory`, all or nothing; return the names written.

    Every conflict is found before anything is written. A new directory is staged
    beside its final place and renamed into it; into an existing one, every file is
    staged first and then renamed over its target.
    """
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory}: exists and is not a directory")
    if not directory.parent.is_dir():
        raise OutputError(f"{directory}: directory {directory.parent} does not exist")
    payload = {name: text.encode("utf-8") for name, text in files.items()}
    if not directory.exists():
        staging = Path(
            tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent)
        )
        try:
            for name, data in payload.items():
                (staging / name).write_bytes(data)
            staging.rename(directory)
        except BaseException:
            for leftover in staging.glob("*"):
                leftover.unlink()
            staging.rmdir()
            raise
        return sorted(payload)
    changed = {
        n: d
        for n, d in payload.items()
        if not (directory / n).exists() or (directory / n).read_bytes() != d
    }
    conflicts = sorted(n for n in changed if (directory / n).exists())
    if conflicts and not force:
        raise OutputError(
            f"{directory}: {', '.join(conflicts)} exist with different "
            "content; pass --force to replace them (nothing was written)"
        )
    staged: dict[str, Path] = {}
    try:
        for name, data in changed.items():
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{name}.", suffix=".tmp", dir=directory
            )
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            staged[name] = Path(tmp_name)
        for name, staged_file in staged.items():
            staged_file.chmod(0o644)
            staged_file.replace(directory / name)
    except BaseException:
        for staged_file in staged.values():
            with contextlib.suppress(OSError):
                staged_file.unlink()
        raise
    return sorted(changed)
