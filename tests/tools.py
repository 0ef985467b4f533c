"""Outside tools the tests run in their own virtual environments.

checkov pins `packaging` 23.x while pulumi needs >= 26, so checkov never enters the
project's environment: it gets a virtualenv of its own under .tools/ (or the
directory named by AZFN_PROFILE_TOOLS), created on first use and reused after.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

from tests.conftest import ROOT

CHECKOV_REQUIREMENT = "checkov>=3.2,<4"


def tools_dir() -> Path:
    return Path(os.environ.get("AZFN_PROFILE_TOOLS", ROOT / ".tools"))


def checkov() -> Path:
    """Path to a checkov executable in its own venv, installing it if needed."""
    home = tools_dir() / "checkov"
    exe = home / "bin" / "checkov"
    marker = home / "installed.txt"
    if exe.exists() and marker.exists() and marker.read_text() == CHECKOV_REQUIREMENT:
        return exe
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    subprocess.run(
        [
            str(home / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            CHECKOV_REQUIREMENT,
        ],
        check=True,
        stdout=sys.stderr,
    )
    marker.write_text(CHECKOV_REQUIREMENT)
    return exe
