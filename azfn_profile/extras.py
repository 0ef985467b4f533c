"""Optional parts of the tool, the extra that installs each, and how to install it.

The package is not on PyPI yet: it installs from its repository (or a clone), so every
hint says what works today.
"""

from __future__ import annotations

import importlib.util

from azfn_profile import REPOSITORY_URL
from azfn_profile.errors import AzfnProfileError

#: extra -> the modules it brings, checked in this order.
EXTRAS: dict[str, tuple[str, ...]] = {
    "lab": ("azure.functions", "aiohttp", "matplotlib", "ruamel.yaml"),
    "pulumi": ("pulumi", "pulumi_azure_native", "pulumi_policy"),
    "worker": ("grpc", "google.protobuf"),
}


class MissingExtra(AzfnProfileError):
    """An optional dependency is not installed."""


def install_command(extra: str | None = None) -> str:
    """The pip command that installs the tool (with `extra`) from its repository."""
    name = f"azfn-profile[{extra}]" if extra else "azfn-profile"
    return f'pip install "{name} @ git+{REPOSITORY_URL}"'


def missing(extra: str) -> str | None:
    """The first module of `extra` that is not installed, or None."""
    return next((m for m in EXTRAS[extra] if not _installed(m)), None)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def require(extra: str, what: str) -> None:
    """Raise MissingExtra, in one line naming the extra, unless it is installed."""
    module = missing(extra)
    if module is not None:
        raise MissingExtra(hint(extra, what, module))


def hint(extra: str, what: str, module: str) -> str:
    return (
        f"{what} needs the '{extra}' extra ({module} is not installed): "
        f'{install_command(extra)} (or, in a clone, pip install ".[{extra}]")'
    )
