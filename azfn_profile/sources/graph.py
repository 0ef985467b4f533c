"""The neutral resource graph every reader produces and one join consumes.

A reader (ARM, Bicep and its module calls, `pulumi preview --json`, Pulumi resource
properties) turns its format into `Resource`s: the type, the identity (the evaluated
name, or the value standing for the expression, so equal expressions join), the
evaluated body with computed values left as stand-ins, where it was declared and
through which module calls it was reached. `join` builds the function apps from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azfn_profile.findings import Location
from azfn_profile.secret import conceal_credentials
from azfn_profile.sources.values import (
    Opaque,
    ResourceId,
    Text,
    identity_key,
    shown_text,
    split_text,
)

# Where a path inside a resource body is: (line, col), or None to use the resource's.
Locator = Callable[[tuple[Any, ...]], "tuple[int, int] | None"]


def no_locator(path: tuple[Any, ...]) -> tuple[int, int] | None:
    return None


@dataclass
class Resource:
    type: str  # as written, e.g. "Microsoft.Web/sites/config"
    name: Any  # the full evaluated name: "app/appsettings", or a Text/Opaque
    body: dict[str, Any]  # evaluated: kind, sku, identity, tags, properties, ...
    file: str
    line: int | None
    col: int | None
    display: str  # the name as written (expression text or symbol)
    chain: tuple[str, ...] = ()  # module calls that reached it, outermost first
    deployment: str = ""  # resources join only within one deployment
    symbol: str | None = None  # the Bicep symbolic name
    existing: bool = False  # declared `existing`: its properties come from elsewhere
    conditional: bool = False  # deployed only when a condition holds
    locate: Locator = no_locator
    extra: dict[str, Any] = field(default_factory=dict)  # reader-specific notes
    _segments: tuple[Any, tuple[Any, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    def __setattr__(self, name: str, value: Any) -> None:
        # the name as written is printed: a credential in it stays secret, however
        # it is set (at creation or later)
        if name == "display" and isinstance(value, str):
            value = conceal_credentials(value)
        object.__setattr__(self, name, value)

    @property
    def kind(self) -> str:
        return self.type.lower()

    @property
    def segments(self) -> tuple[Any, ...]:
        """The name's segments, split once per name (the join asks often)."""
        cached = self._segments
        if cached is None or cached[0] is not self.name:
            cached = self._segments = (self.name, tuple(split_text(self.name, "/")))
        return cached[1]

    def key(self) -> tuple[str, tuple[str, ...]]:
        return identity(self.kind, self.segments)

    def where(self, path: tuple[Any, ...] = ()) -> Location:
        found = self.locate(path) if path else None
        line, col = found if found else (self.line, self.col)
        return Location(self.file, line, col, self.display)

    def props(self) -> Any:
        return self.body.get("properties")


def identity(kind: str, segments: tuple[Any, ...]) -> tuple[str, tuple[str, ...]]:
    """The join key: type and name segments, compared case-insensitively."""
    return kind.lower(), tuple(identity_key(s) for s in segments)


def ref_key(ref: ResourceId) -> tuple[str, tuple[str, ...]]:
    segments: list[Any] = []
    for part in ref.segments:
        segments.extend(split_text(part, "/"))
    return identity(ref.type, tuple(segments))


@dataclass(frozen=True)
class NotInspected:
    """Something a reader saw but could not read (a registry module, a linked
    template), listed so that it is never silently dropped."""

    file: str
    line: int | None
    what: str
    reason: str


@dataclass
class Graph:
    resources: list[Resource] = field(default_factory=list)
    not_inspected: list[NotInspected] = field(default_factory=list)
    # files read to build it that discovery does not list (a Pulumi program and the
    # project modules it imports), so the summary counts them
    read: set[str] = field(default_factory=set)


def name_text(value: Any) -> str:
    """A name for messages: the value when known, the expression otherwise; a
    credential written into it (`https://user:password@...`) stays secret."""
    if isinstance(value, str):
        return conceal_credentials(value)
    if isinstance(value, Opaque | Text | ResourceId):
        return conceal_credentials(str(value))
    return conceal_credentials(shown_text(value))
