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
