"""Reading files written by strangers: regular files only, bounded, text checked.

Every input the package reads (profiles, templates, app code, baselines) comes
through here.

A file is opened without blocking (a FIFO cannot hang the reader), checked to be a
regular file on the descriptor itself (devices, FIFOs and sockets are refused; so are
/proc and /sys, whose files report size 0), and read up to a limit counted on the
bytes actually read, never on the size the file system reports. Text must be UTF-8
(a byte-order mark is dropped); where it is not, the message says where.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Literal

MAX_SOURCE_BYTES = 20 * 1024 * 1024  # templates can be large
_PSEUDO = ("/proc/", "/sys/")
Why = Literal[
    "pseudo",  # a /proc or /sys file
    "missing",
    "denied",
    "directory",
    "special",  # a device, FIFO or socket
    "failed",  # the system refused to open or read it
    "too-large",  # `size` holds the bytes seen (at least the limit + 1)
    "binary",
    "encoding",  # `byte` holds the first byte that is not UTF-8
]


class Unreadable(Exception):
    """The file cannot be read as a source; the message says why, `why` says which."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        col: int | None = None,
        *,
        why: Why = "failed",
        size: int | None = None,
        byte: int | None = None,
    ):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col
        self.why, self.size, self.byte = why, size, byte


def read_bytes(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    real = os.path.realpath(path)
    if real.startswith(_PSEUDO):
        raise Unreadable("a /proc or /sys file, not a source file", why="pseudo")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise Unreadable("no such file", why="missing") from None
    except PermissionError:
        raise Unreadable("permission denied", why="denied") from None
    except IsADirectoryError:
        raise Unreadable("is a directory", why="directory") from None
    except OSError as exc:
        raise Unreadable(f"cannot open it: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Unreadable("is a directory", why="directory")
        if not stat.S_ISREG(mode):
            raise Unreadable(
                "not a regular file (a device, FIFO or socket)", why="special"
            )

        def read(size: int) -> bytes:
            try:  # a regular file (checked above): reads never block
                return os.read(fd, size)
            except OSError as exc:
                raise Unreadable(f"cannot read it: {exc.strerror}") from None

        return read_limited(
            read, limit, "files", size_of=lambda total: max(total, os.fstat(fd).st_size)
        )
    finally:
        os.close(fd)


def read_limited(
    read: Callable[[int], bytes],
    limit: int,
    what: str,
    size_of: Callable[[int], int] = lambda total: total,
) -> bytes:
    """Everything `read(n)` gives until it is empty, in chunks; more than `limit`
    bytes is refused (Unreadable, naming `what` and the size) before more is read."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise Unreadable(
                f"larger than {limit // (1024 * 1024)} MiB; {what} that large are "
                "refused",
                why="too-large",
                size=size_of(total),
            )


def read_text(path: Path, limit: int = MAX_SOURCE_BYTES) -> str:
    return decode(read_bytes(path, limit))


def decode(blob: bytes) -> str:
    """UTF-8 text without a byte-order mark; binary or other encodings refused."""
    if b"\x00" in blob:
        line, col = _position(blob, blob.index(b"\x00"))
        raise Unreadable(
            "binary content (a NUL byte), not text", line, col, why="binary"
        )
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(blob, exc.start)
        raise Unreadable(
            f"not UTF-8 text (byte 0x{blob[exc.start]:02x}); save it as UTF-8",
            line,
            col,
            why="encoding",
            byte=blob[exc.start],
        ) from None
    return text.removeprefix("\ufeff")


def _position(blob: bytes, offset: int) -> tuple[int, int]:
    before = blob[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, links resolved, is `root` or below it."""
    try:
        real, base = path.resolve(), root.resolve()
    except (OSError, RuntimeError):
        return False
    return real == base or base in real.parents


def boundaries(path: Path) -> list[Path]:
    """The folders a file's references may read inside: the repository holding it
    (the nearest folder with .git: what a pull request can change). A file in no
    repository was written on the user's machine: no bound (an empty list). Links
    are resolved first."""
    try:
        folder = path.resolve().parent
    except (OSError, RuntimeError):
        return [path.parent]
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return [candidate]
    return []
