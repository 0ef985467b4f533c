"""Values as the readers evaluate them, and the budget that bounds the evaluation.

A value a template computes is plain JSON data when it can be computed before the
deployment. When it cannot (a parameter without a value, `uniqueString(...)`,
`reference(...)`), it is one of three stand-ins that still compare equal when they
were computed the same way, so that resources named by the same expression join:

- `Opaque(key)`: decided at deployment; `key` is a canonical text of how.
- `Text(parts)`: a string of literal parts and `Opaque` parts (`'${prefix}-plan'`),
  so `format('{0}-plan', x)` and `concat(x, '-plan')` are the same value and
  `'${site}/appsettings'` can be split at its `/`.
- `ResourceId(type, segments)`: a resource id (`resourceId(...)`, a symbol's `.id`, or an id
  written out), comparable whatever wrote it.

A check that needs a plain value and finds one of these reports "unknown".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from azfn_profile.secret import joined, reveal

if TYPE_CHECKING:
    from azfn_profile.findings import Finding

MAX_STEPS = 2_000_000  # evaluation steps per file
MAX_CELLS = 5_000_000  # characters, list items and object keys built per file
MAX_DEPTH = 200  # nesting of expressions and values
# Resource instances all loops of a file may produce together (copy, count, for_each,
# Bicep for): ARM's limit of 800 resources per template, copy counts included
# (https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices).
# Resources written out one by one cost their text; a loop multiplies, so it is bound.
MAX_LOOP_INSTANCES = 800
T = TypeVar("T")


class BudgetExceeded(Exception):
    """A file needs more work than a check source may spend on it. `where` is the
    construct that was being read when it ran out (file, line, column): the innermost
    reader that knows a place sets it as the exception passes (`at`)."""

    where: tuple[str, int | None, int | None] | None = None

    def at(self, file: str, line: int | None, col: int | None) -> None:
        if self.where is None and line is not None:
            self.where = (file, line, col)

    def finding(self, file: str) -> Finding:
        """The located AZFN000: at `where`, else at the top of `file`."""
        from azfn_profile.sources.result import unreadable

        where, line, col = self.where or (file, 1, 1)
        return unreadable(where, f"too large to evaluate: {self}", line, col or 1)


@contextmanager
def reading(file: str, line: int | None, col: int | None) -> Iterator[None]:
    """Work that runs out of budget in this block ran out at this place, unless a
    block within it knows a nearer one."""
    try:
        yield
    except BudgetExceeded as exc:
        exc.at(file, line, col)
        raise


class Budget:
    """Work and memory spent evaluating one file; exceeding either stops it."""

    def __init__(self, steps: int = MAX_STEPS, cells: int = MAX_CELLS) -> None:
        self.steps_left, self.cells_left = steps, cells
        self.instances_left = MAX_LOOP_INSTANCES
        # an object's keys without case, by object (kept alive with it)
        self._lowered: dict[int, tuple[dict[Any, Any], dict[str, Any]]] = {}

    def lowered_keys(self, value: dict[Any, Any]) -> dict[str, Any]:
        """`value`'s string keys by their lower case (the last wins), built once per
        object and charged its size."""
        found = self._lowered.get(id(value))
        if found is None or found[0] is not value:
            self.step(len(value))
            keys: dict[str, Any] = {}
            for k in value:
                if isinstance(k, str):
                    keys[k.lower()] = k
            found = self._lowered[id(value)] = (value, keys)
        return found[1]

    def instances(self, n: int, what: str) -> None:
        """`n` resource instances a loop produces, counted against the file's."""
        self.instances_left -= n
        if self.instances_left < 0:
            raise BudgetExceeded(
                f"{what}: loops make more than {MAX_LOOP_INSTANCES} resource "
                "instances in all (ARM's limit per template, copy counts included)"
            )

    def step(self, n: int = 1) -> None:
        self.steps_left -= n
        if self.steps_left < 0:
            raise BudgetExceeded(
                f"more than {MAX_STEPS:,} evaluation steps (expressions that "
                "refer to each other without end, or loops too large)"
            )

    def cells(self, n: int) -> None:
        self.cells_left -= n
        if self.cells_left < 0:
            raise BudgetExceeded(
                f"values larger than {MAX_CELLS:,} characters and items in all "
                "(values that double on every step?)"
            )


@dataclass(frozen=True)
class Opaque:
    """A value decided at deployment; equal when computed the same way."""

    key: str

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Text:
    """A string with parts decided at deployment (at least one part is Opaque)."""

    parts: tuple[str | Opaque, ...]

    def __str__(self) -> str:
        return "".join(
            p if isinstance(p, str) else "${" + p.key + "}" for p in self.parts
        )


@dataclass(frozen=True)
class ResourceId:
    """A resource id: the type (lower case) and the name's segments."""

    type: str
    segments: tuple[Any, ...]

    def __str__(self) -> str:
        names = "/".join(str(s) for s in self.segments)
        return f"{self.type}/{names}"


Computed = (Opaque, Text, ResourceId)


def known(value: Any) -> bool:
    """True when `value` (and everything in it) was computed before deployment.
    Iterative, and a part several places share is looked at once: linear in the
    value's size in memory, whatever its expanded size."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Computed):
            return False
        if isinstance(item, dict | list) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return True


def _leaf_size(value: Any) -> int:
    return len(value) + 2 if isinstance(value, str) else 1


def fold(
    value: Any,
    leaf: Callable[[Any], T],
    node: Callable[[dict[Any, Any] | list[Any], list[T | None]], T],
) -> T:
    """`value` folded bottom-up: `leaf` of each scalar, `node` of each object or list
    with its parts' results (None for a part that closes a cycle). Iterative; a part
    shared by several containers is folded once, so the cost is the size in memory,
    never the expansion."""
    done: dict[int, T] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, ready = stack.pop()
        if id(item) in done:
            continue
        if not isinstance(item, dict | list):
            done[id(item)] = leaf(item)
            continue
        kids = list(item.values()) if isinstance(item, dict) else item
        if not ready:
            if id(item) in entered:
                continue  # a cycle: it closes here
            entered.add(id(item))
            stack.append((item, True))
            stack.extend((k, False) for k in kids if id(k) not in done)
            continue
        done[id(item)] = node(item, [done.get(id(k)) for k in kids])
    return done[id(value)]


def expanded_size(value: Any, limit: int) -> int:
    """The size of `value` written out (items plus characters of strings and keys),
    as if each shared part were copied, or `limit + 1` when larger. Each part held in
    memory is measured once, so the cost is the size in memory, never the expansion
    (`[v, v]` nested 40 levels is 2**40 written out, 40 lists in memory)."""

    def node(item: dict[Any, Any] | list[Any], parts: list[int | None]) -> int:
        total = 1 + (sum(_leaf_size(k) for k in item) if isinstance(item, dict) else 0)
        total += sum(1 if p is None else p for p in parts)
        return min(total, limit + 1)

    return fold(value, _leaf_size, node)


SHOWN_TEXT = 4096  # a value larger than this written out is described, not written


def shown_text(value: Any) -> str:
    """A value as text for a setting, a tag or a message: JSON for an object or a
    list unless writing it out would be large (shared parts expand), then a
    description. Strings (secrets included) are returned as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        if expanded_size(value, SHOWN_TEXT) > SHOWN_TEXT:
            kind = "an object" if isinstance(value, dict) else "a list"
            return f"<{kind} too large to show>"
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)


def same(a: Any, b: Any) -> bool:
    """`a == b` for evaluated values, at a cost linear in their size in memory: large
    or shared objects and lists are compared by digest, never element by element
    through every expansion."""
    if a is b:
        return True
    if isinstance(a, dict | list) and isinstance(b, dict | list):
        if type(a) is not type(b):
            return False
        if max(expanded_size(a, SHOWN_TEXT), expanded_size(b, SHOWN_TEXT)) > SHOWN_TEXT:
            return digest(a) == digest(b)
    return bool(a == b)


def member_key(value: Any) -> Any:
    """A hashable key equal for equal values (a digest for objects and lists)."""
    if isinstance(value, dict | list):
        return ("digest", digest(value))
    return value


def digest(value: Any) -> str:
    """A short digest of `value`'s structure and contents: equal for equal values,
    computed once per part held in memory (shared parts are not expanded)."""

    def leaf(item: Any) -> bytes:
        shown = repr(reveal(item) if isinstance(item, str) else item)
        return hashlib.sha256(shown.encode("utf-8", "replace")).digest()

    def node(item: dict[Any, Any] | list[Any], parts: list[bytes | None]) -> bytes:
        h = hashlib.sha256(b"{" if isinstance(item, dict) else b"[")
        for k in item if isinstance(item, dict) else ():
            h.update(repr(k).encode("utf-8", "replace") + b"\0")
        for part in parts:
            h.update(b"?" if part is None else part)
        return h.digest()

    return fold(value, leaf, node).hex()[:32]


def text(parts: Iterable[Any]) -> str | Text | Opaque:
    """Concatenate string parts; literal when every part is known. Each run of
    literal parts is joined once (linear in its length), and a run holding a secret
    is a secret."""
    out: list[str | Opaque] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(joined(run))
            run.clear()

    for part in parts:
        pieces = part.parts if isinstance(part, Text) else (part,)
        for piece in pieces:
            if isinstance(piece, Opaque | ResourceId | Text):
                flush()
                out.append(piece if isinstance(piece, Opaque) else Opaque(str(piece)))
            elif (
                isinstance(piece, dict | list)
                and expanded_size(piece, MAX_CELLS) > MAX_CELLS
            ):
                flush()  # written out, it would be larger than any file's budget
                out.append(Opaque("a value too large to write as text"))
            elif piece is not None:
                run.append(scalar_text(piece))
    flush()
    if all(isinstance(p, str) for p in out):
        return joined([p for p in out if isinstance(p, str)])
    return Text(tuple(p for p in out if p != ""))


def scalar_text(value: Any) -> str:
    """How ARM turns a scalar into text (booleans lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, str):
        return value  # a secret stays one
    return str(value)


def split_text(value: Any, sep: str) -> list[Any]:
    """Split a string (or a Text at its literal parts) on `sep`."""
    if isinstance(value, str):
        return value.split(sep)
    if not isinstance(value, Text):
        return [value]
    segments: list[list[str | Opaque]] = [[]]
    for part in value.parts:
        if isinstance(part, Opaque):
            segments[-1].append(part)
            continue
        pieces = part.split(sep)
        segments[-1].append(pieces[0])
        segments.extend([piece] for piece in pieces[1:])
    return [text(segment) for segment in segments]


def identity_key(value: Any) -> str:
    """A canonical, case-insensitive key for a name segment (for joins)."""
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, Text):
        return "".join(
            p.lower() if isinstance(p, str) else "${" + p.key + "}" for p in value.parts
        )
    if isinstance(value, Opaque):
        return "${" + value.key + "}"
    return f"<{value!r}>"


_ID = re.compile(
    r"^(?:/subscriptions/[^/]+)?(?:/resourcegroups/[^/]+)?/providers/"
    r"(?P<ns>[^/]+)/(?P<rest>.+)$",
    re.IGNORECASE,
)


def parse_id(value: Any) -> ResourceId | None:
    """A resource id written out (`/subscriptions/.../providers/NS/type/name`)."""
    if isinstance(value, ResourceId):
        return value
    if not isinstance(value, str | Text):
        return None
    flat = value if isinstance(value, str) else str(value)
    match = _ID.match(flat) if isinstance(value, str) else None
    if match is None:
        if isinstance(value, Text):
            return _parse_text_id(value)
        return None
    parts = match.group("rest").split("/")
    types = [match.group("ns"), *parts[0::2]]
    names = parts[1::2]
    if len(types) - 1 != len(names) or not names:
        return None
    return ResourceId("/".join(types).lower(), tuple(names))


def _parse_text_id(value: Text) -> ResourceId | None:
    segments = split_text(value, "/")
    lowered = [s.lower() if isinstance(s, str) else s for s in segments]
    if "providers" not in lowered:
        return None
    at = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = segments[at + 1 :]
    if len(rest) < 3 or not isinstance(rest[0], str):
        return None
    types, names = [rest[0], *rest[1::2]], rest[2::2]
    if len(types) - 1 != len(names) or not all(isinstance(t, str) for t in types):
        return None
    return ResourceId("/".join(str(t) for t in types).lower(), tuple(names))


def describe(value: Any) -> str:
    """A value for a message: plain values as written, computed ones as how."""
    if isinstance(value, Opaque):
        return f"computed at deployment ({value.key})"
    if isinstance(value, Text | ResourceId):
        return f"computed at deployment ({value})"
    return repr(value)
