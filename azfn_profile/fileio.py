"""Writing outputs the user named: atomically, and never clobbering by surprise.

One file (`-o FILE`):
- the text goes to a temporary file beside the target, then into place: with
  `force` by a rename (an atomic replace), without it by a hard link, which fails if
  the target appeared meanwhile, so concurrent writers never overwrite each other;
- a target that is not a regular file (a device, a FIFO, a directory) is refused; a
  symbolic link is written through: the link stays, the file it points to is replaced;
- missing parent directories are created, as `mkdir -p` does (modes from the umask);
- temporary files carry their writer's pid: one left by a killed writer is removed
  the next time anything is written beside it.

Several files (`--format all -o DIR`), all or nothing:
- a new DIR is staged beside its final place and renamed into it in one step;
- into an existing DIR (locked against other azfn-profile writers), every file is
  staged in `DIR/.azfn-profile-stage/` first; a manifest written last marks the stage
  complete, then each file is renamed into place. An interruption before the manifest
  leaves DIR as it was; one during the renames leaves the stage, which the next write
  into DIR finishes before doing anything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from azfn_profile.errors import OutputError

STAGE = ".azfn-profile-stage"
MANIFEST = "manifest.json"
_TEMP = re.compile(r"^\.(?P<name>.+)\.azfn-(?P<pid>\d+)-[0-9a-f]+\.tmp$")


def write_output(path: Path, text: str, *, force: bool) -> bool:
    """Write `text` to `path` atomically; False when the file already holds it.

    An existing file with other content is replaced only with `force`.
    """
    return write_data(path, text.encode("utf-8"), force=force)


def write_data(path: Path, data: bytes, *, force: bool) -> bool:
    """`write_output` for bytes (an image)."""
    with _os_errors(path):
        return _write_data(path, data, force=force)


@contextlib.contextmanager
def _os_errors(path: Path) -> Iterator[None]:
    """What the system refuses on a path the user named (a name too long, a
    read-only place, no space) is an OutputError that says so, never a crash."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{path}: cannot write: {reason}") from None


def _write_data(path: Path, data: bytes, *, force: bool) -> bool:
    refuse_links(path)
    target = path
    _ensure_parent(target.parent, path)
    _sweep_temps(target.parent)
    existing = _regular_or_none(target, path)
    if existing is not None and existing == data:
        return False
    if existing is not None and not force:
        raise OutputError(
            f"{path}: exists with different content; pass --force to replace it"
        )
    tmp = _temp_path(target.parent, target.name)
    try:
        _write_new(tmp, data)
        _set_mode(tmp, target)
        if force:
            tmp.replace(target)
        else:
            _link_new(tmp, target, path, data)
    finally:
        with contextlib.suppress(OSError):  # gone already, or a read-only place
            tmp.unlink()
    return True


def replace_file(path: Path, data: bytes, validate: Callable[[Path], None]) -> None:
    """Replace an existing file atomically once `validate(staged copy)` passes.

    A symbolic link is written through; the file keeps its mode.
    """
    with _os_errors(path):
        _replace_file(path, data, validate)


def _replace_file(path: Path, data: bytes, validate: Callable[[Path], None]) -> None:
    target = _through_links(path)
    _regular_or_none(target, path)
    tmp = _temp_path(target.parent, target.name)
    try:
        _write_new(tmp, data)
        validate(tmp)
        _set_mode(tmp, target)
        tmp.replace(target)
    finally:
        with contextlib.suppress(OSError):  # gone already, or a read-only place
            tmp.unlink()


def write_bundle(directory: Path, files: dict[str, str], *, force: bool) -> list[str]:
    """Write several files into `directory` (names may hold subfolders, "a/b.tf"),
    all or nothing; return the names written."""
    with _os_errors(directory):
        return _write_bundle(directory, files, force=force)


def _write_bundle(directory: Path, files: dict[str, str], *, force: bool) -> list[str]:
    payload = {name: text.encode("utf-8") for name, text in files.items()}
    refuse_links(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory}: exists and is not a directory")
    _ensure_parent(directory.parent, directory)
    _sweep_temps(directory.parent)
    if not directory.exists() and _new_directory(directory, payload):
        return sorted(payload)
    with _locked(directory):
        _finish_interrupted(directory)
        changed = {}
        for name, data in payload.items():
            existing = _regular_or_none(directory / name, directory / name)
            if existing != data:
                changed[name] = (data, existing is not None)
        conflicts = sorted(name for name, (_, old) in changed.items() if old)
        if conflicts and not force:
            raise OutputError(
                f"{directory}: {', '.join(conflicts)} exist with different "
                "content; pass --force to replace them (nothing was written)"
            )
        if changed:
            _commit(directory, {name: data for name, (data, _) in changed.items()})
    return sorted(changed)


# -- one file ---------------------------------------------------------------------


def refuse_links(path: Path) -> None:
    """An output is never written through a symbolic link it did not create: not
    the file itself, and not a folder on its way inside the current folder (where a
    pull request can plant one: a CI job writes its report in the checkout). Folders
    above the current one (/tmp on macOS) are the machine's, not the input's."""
    absolute = Path(os.path.normpath(path.absolute()))
    if absolute.is_symlink():
        raise OutputError(
            f"{path}: is a symbolic link (to {absolute.readlink()}); an output is "
            "never written through a link: name the file itself, or remove the link"
        )
    here = Path(os.path.normpath(Path.cwd()))
    try:
        inside = absolute.parent.relative_to(here)
    except ValueError:
        return
    folder = here
    for part in inside.parts:
        folder = folder / part
        if folder.is_symlink():
            raise OutputError(
                f"{path}: {folder} is a symbolic link (to {folder.readlink()}); an "
                "output is never written through a link"
            )


def _through_links(path: Path) -> Path:
    """The file a symbolic link points to (links are written through, not replaced)."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        raise OutputError(f"{path}: links to {target}, which is not a regular file")
    return target


def _ensure_parent(parent: Path, shown: Path) -> None:
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{shown}: {parent} exists and is not a directory") from None
    except OSError as exc:
        raise OutputError(f"{shown}: cannot create {parent}: {exc.strerror}") from None


def _regular_or_none(target: Path, shown: Path) -> bytes | None:
    """The bytes of an existing regular file; None when there is no file."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{shown}: is a directory; give a file name to write")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"{shown}: not a regular file (a device, FIFO or socket); refusing to "
            "write to it (use -o - for standard output)"
        )
    try:
        return target.read_bytes()
    except OSError as exc:
        raise OutputError(f"{shown}: cannot read it: {exc.strerror}") from None


def _temp_path(directory: Path, name: str) -> Path:
    """A temporary name beside `name`, carrying this writer's pid."""
    return directory / f".{name}.azfn-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _write_new(tmp: Path, data: bytes) -> None:
    """Create `tmp` (which must not exist) holding `data`, flushed to disk; the
    caller removes it on failure."""
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(f"{tmp.parent}: cannot write there: {exc.strerror}") from None


def _set_mode(tmp: Path, target: Path) -> None:
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp.chmod(mode)


def _link_new(tmp: Path, target: Path, shown: Path, data: bytes) -> None:
    """Put `tmp` at `target` only if nothing is there (atomic: link, not rename)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        if _regular_or_none(target, shown) == data:
            return
        raise OutputError(
            f"{shown}: appeared with different content while writing; pass --force "
            "to replace it"
        ) from None
    except OSError:  # no hard links here: exclusive create instead
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            raise OutputError(f"{shown}: appeared while writing") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sweep_temps(directory: Path) -> None:
    """Remove temporary files whose writer is gone (killed before it could)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            match = _TEMP.match(entry.name)
            if match and not _alive(int(match.group("pid"))):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        Path(entry.path).unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- several files ----------------------------------------------------------------


def _new_directory(directory: Path, payload: dict[str, bytes]) -> bool:
    """Stage a whole new directory beside its place and rename it in; False if the
    directory appeared meanwhile (then it is written into like an existing one)."""
    staging = directory.parent / (
        f".{directory.name}.azfn-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    )
    try:
        staging.mkdir(mode=0o777 & ~_umask())
        for name, data in payload.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        staging.rename(directory)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if directory.is_dir():
            return False
        raise OutputError(f"{directory}: cannot write it: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return True


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` against other azfn-profile writers."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): writers are not serialised
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _finish_interrupted(directory: Path) -> None:
    """Complete a commit that was interrupted, or drop a stage that never completed."""
    stage = directory / STAGE
    if not stage.is_dir():
        return
    manifest = stage / MANIFEST
    if manifest.is_file():
        with contextlib.suppress(ValueError, OSError):
            for name in json.loads(manifest.read_text("utf-8")):
                if isinstance(name, str) and (stage / name).is_file():
                    (directory / name).parent.mkdir(parents=True, exist_ok=True)
                    (stage / name).replace(directory / name)
    shutil.rmtree(stage, ignore_errors=True)


def _commit(directory: Path, changed: dict[str, bytes]) -> None:
    stage = directory / STAGE
    try:
        stage.mkdir()
        for name, data in changed.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            _write_new(stage / name, data)
            _set_mode(stage / name, directory / name)
        ready = _temp_path(stage, MANIFEST)
        _write_new(ready, json.dumps(sorted(changed)).encode())
        ready.rename(stage / MANIFEST)  # the commit point
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise OutputError(f"{directory}: write failed: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _finish_interrupted(directory)
