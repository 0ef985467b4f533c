"""Pydantic's shape errors, reworded for people and placed at the offending key."""

from __future__ import annotations

from typing import Any

from azfn_profile.profile import (
    Function,
    Http,
    Names,
    Plan,
    Profile,
    Suppression,
    Workload,
)
from azfn_profile.validation.issue import Issue, dotted
from azfn_profile.yamlload import KeyPath

_MODELS: dict[KeyPath, type[Any]] = {
    (): Profile,
    ("workload",): Workload,
    ("plan",): Plan,
    ("http",): Http,
    ("names",): Names,
}


# Keys whose value may take one of several container shapes: the shape a value has
# picks which member's errors to report; a value of neither shape gets one message.
_UNIONS = {
    "functions": (
        "expected a mapping of trigger to count ({http: 2, queue: 1}) or a list of "
        "{name, trigger}"
    ),
}


def untag_unions(errors: list[Any], data: dict[str, Any]) -> list[Any]:
    """Drop pydantic's union-member tags from error locations, keeping the errors of
    the member that matches the value's shape."""
    out: list[Any] = []
    said: set[str] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if len(loc) < 2 or loc[0] not in _UNIONS or not isinstance(loc[1], str):
            out.append(error)
            continue
        key, tag = str(loc[0]), loc[1]
        value = data.get(key)
        shape = (
            "dict"
            if isinstance(value, dict)
            else "list"
            if isinstance(value, list)
            else None
        )
        if shape is None or not tag.startswith(shape + "["):
            if shape is None and key not in said:
                said.add(key)
                out.append(
                    {**error, "type": "union_shape", "msg": _UNIONS[key], "loc": (key,)}
                )
            continue
        rest = tuple(part for part in loc[2:] if part != "[key]")
        out.append({**error, "loc": (key, *rest), "at_key": "[key]" in loc})
    return out


def reword(error: Any) -> Issue:
    """One entry of `ValidationError.errors()` as an Issue."""
    loc: KeyPath = tuple(error["loc"])
    kind, msg, value = error["type"], error["msg"], error.get("input")
    if kind == "union_shape":
        return Issue(loc, f"{dotted(loc)}: {msg}, got {_show(value)}")
    if kind == "missing":
        parent, field = loc[:-1], loc[-1]
        where = f" in {dotted(parent)}" if parent else ""
        return Issue(parent, f"missing required key '{field}'{where}")
    if kind == "extra_forbidden":
        return Issue(loc, _unknown_key(loc), at_key=True)
    if kind == "string_pattern_mismatch" or (
        _pattern_key(loc) in _NAMED_LENGTHS and kind.startswith("string_")
    ):
        return Issue(
            loc,
            f"{dotted(loc)}: {_PATTERN_HINTS.get(_pattern_key(loc), msg)}, got {value!r}",
        )
    if kind in ("model_type", "dict_type"):
        return Issue(
            loc, f"{dotted(loc)}: expected a mapping of keys, got {_show(value)}"
        )
    if value is None and kind.endswith("_type"):
        hint = ' (write "" for an empty string)' if kind == "string_type" else ""
        return Issue(loc, f"{dotted(loc)}: has no value{hint}")
    text = msg[0].lower() + msg[1:]
    text = text.replace("input should be", "should be")
    return Issue(
        loc,
        f"{dotted(loc)}: {text}, got {_show(value)}",
        at_key=bool(error.get("at_key")),
    )


_PATTERN_HINTS = {
    "name": "must be 2-60 characters of a-z, 0-9 and '-', not starting or ending with '-'",
    "python": 'expected a version like "3.12"',
    "location": "expected an Azure region name such as westeurope",
    "functions[].name": "must start with a letter or '_' and hold only letters, digits, "
    "'_' and '-'",
    "names.site": "must be 2-60 characters of a-z, 0-9 and '-', not starting or "
    "ending with '-'",
    "names.storage": "must be 3-24 characters of a-z and 0-9 (Azure storage account "
    "names)",
    "names.plan": "must be 1-60 characters of letters, digits and '-'",
    "names.resource_group": "must be 1-90 characters of letters, digits, '_', '.', "
    "'(', ')' and '-', not ending with '.'",
}
# Names whose length errors read best as the whole rule.
_NAMED_LENGTHS = frozenset(
    {"name", "names.site", "names.storage", "names.plan", "names.resource_group"}
)


def _pattern_key(loc: KeyPath) -> str:
    """("functions", 3, "name") -> "functions[].name"; ("name",) -> "name"."""
    return ".".join(
        f"{part}[]" if i + 1 < len(loc) and isinstance(loc[i + 1], int) else str(part)
        for i, part in enumerate(loc)
        if not isinstance(part, int)
    )


def _show(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str) and len(value) > 80:
        return repr(value[:80]) + "..."
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _unknown_key(loc: KeyPath) -> str:
    parent, key = loc[:-1], str(loc[-1])
    where = f" in {dotted(parent)}" if parent else ""
    items: dict[str, type[Any]] = {"suppress": Suppression, "functions": Function}
    model = _MODELS.get(parent) or items.get(str(parent[0]) if len(parent) == 2 else "")
    known = list(model.model_fields) if model else []
    import difflib

    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = (
        f"; did you mean '{near[0]}'?"
        if near
        else (f"; expected one of: {', '.join(known)}" if known else "")
    )
    return f"unknown key '{key}'{where}{hint}"
