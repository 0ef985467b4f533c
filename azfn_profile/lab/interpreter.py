"""The interpreter that runs the app's workers, and how they find the lab.

Workers run in the interpreter the user names (`--python`, typically the app's own
virtualenv, which holds the app's dependencies and azure-functions but not this tool)
or in this one. Either way they import the lab from a temporary folder, first on
their path, that holds this package and nothing else: the lab's worker modules use
the standard library only, so none of the tool's dependencies follow, none of them
shadow the app's, and it does not matter which base interpreter, virtualenv or
Python version the interpreter is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from azfn_profile.lab.app import LabError

MIN_VERSION = (3, 10)  # what the lab's worker modules run on
PROBE_TIMEOUT_S = 60.0
# Runs on any Python, 2.7 included, so that an old one is named, not a SyntaxError.
_PROBE = "import sys; sys.stdout.write('%d.%d' % tuple(sys.version_info[:2]))"


def version_of(python: Path) -> tuple[int, int]:
    """The (major, minor) version of the interpreter at `python`.

    A LabError says why it cannot run the workers: missing, not runnable, not a
    Python interpreter, or older than MIN_VERSION.
    """
    if not python.is_file():
        raise LabError(f"--python {python}: no such file")
    try:
        done = subprocess.run(
            [str(python), "-c", _PROBE],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except OSError as exc:
        raise LabError(f"--python {python}: cannot run it: {exc.strerror}") from None
    except subprocess.TimeoutExpired:
        raise LabError(
            f"--python {python}: no answer within {PROBE_TIMEOUT_S:.0f} s"
        ) from None
    answer = done.stdout.decode("ascii", "replace").strip()
    match = re.fullmatch(r"(\d+)\.(\d+)", answer)
    if done.returncode != 0 or match is None:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        detail = said.splitlines()[-1][:200] if said else f"exit {done.returncode}"
        raise LabError(f"--python {python}: not a Python interpreter ({detail})")
    version = (int(match[1]), int(match[2]))
    if version < MIN_VERSION:
        raise LabError(
            f"--python {python} is Python {answer}; the lab runs apps on Python "
            f"{MIN_VERSION[0]}.{MIN_VERSION[1]} or newer"
        )
    return version


class Shim:
    """A temporary folder holding a link to this package (a copy where links cannot
    be made), and the `python -c` code that puts it first on a worker's path.

    The lab's modules are imported without writing bytecode caches, so an
    interpreter of another Python version leaves none beside the tool's files.
    """

    def __init__(self) -> None:
        self.folder: Path | None = Path(tempfile.mkdtemp(prefix="azfn-profile-lab-"))
        package = Path(__file__).resolve().parent.parent
        link = self.folder / package.name
        try:
            link.symlink_to(package, target_is_directory=True)
        except OSError:
            shutil.copytree(package, link, ignore=shutil.ignore_patterns("__pycache__"))
        self.boot = (
            "import sys\n"
            f"sys.path.insert(0, {str(self.folder)!r})\n"
            "caches = sys.dont_write_bytecode\n"
            "sys.dont_write_bytecode = True\n"
            "import azfn_profile.lab.app\n"
            "from azfn_profile.lab.worker import boot\n"
            "sys.dont_write_bytecode = caches\n"
            "boot()\n"
        )

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
