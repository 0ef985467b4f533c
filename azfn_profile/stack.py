"""Stack config -> AppSpecs for the Pulumi program, with the CLI's located errors.

Kept apart from `deploy` so the reading and the error wording are testable without
building resources; imports pulumi only for the error type Pulumi shows cleanly.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from azfn_profile import clock
from azfn_profile.engine import resolve_file
from azfn_profile.errors import AzfnProfileError
from azfn_profile.spec import AppSpec

HOST_JSON_NOTE = (
    "host.json is not an ARM setting: run `azfn-profile render PROFILE --format "
    "host-json -o <app>/host.json` and deploy it at the root of {name}'s package"
)


class _Config(Protocol):
    def get(self, key: str) -> str | None: ...
    def get_object(self, key: str) -> object: ...


def stack_specs(
    config: _Config, *, root: Path, today: date | None = None
) -> list[AppSpec]:
    """Resolve every profile the stack names; raise pulumi.RunError on bad config."""
    import pulumi

    try:
        day = today or clock.today()
        return [
            resolve_file(_inside(root, p), today=day, display=p) for p in _paths(config)
        ]
    except AzfnProfileError as exc:
        # RunError: Pulumi prints the message alone, without a stack trace.
        raise pulumi.RunError(str(exc)) from None


def _inside(root: Path, relative: str) -> Path:
    """A profile path from stack config: relative, and inside the project (links
    resolved), so a stack's config cannot read files elsewhere on the machine."""
    path = Path(relative)
    target = (root / path).resolve()
    if path.is_absolute() or not target.is_relative_to(root.resolve()):
        raise AzfnProfileError(
            f"stack config: profile {relative!r} must be a path inside the project "
            f"({root}), relative to it"
        )
    return root / path


def _paths(config: _Config) -> list[str]:
    import pulumi

    single = config.get("profile")
    try:
        several = config.get_object("profiles")
    except pulumi.ConfigTypeError:
        several = ""  # a plain string, not a YAML list
    if single and several:
        raise AzfnProfileError(
            "stack config: set azfn-profile:profile or azfn-profile:profiles, not both"
        )
    if single:
        return [single]
    if (
        isinstance(several, list)
        and several
        and all(isinstance(p, str) for p in several)
    ):
        return list(several)
    if several is not None:
        raise AzfnProfileError(
            "stack config: azfn-profile:profiles must be a non-empty "
            "list of profile paths"
        )
    raise AzfnProfileError(
        "stack config: set azfn-profile:profile (a profile path) or "
        "azfn-profile:profiles (a list of paths)"
    )
