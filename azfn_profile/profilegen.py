"""Compile the pydantic profile models into `profile.py`: plain classes + core schema.

The models in `profile_schema` define the profile. Building them costs a CLI run more
than everything else it does (pydantic's schema generation runs in Python at import
time), so the runtime uses what they compile to instead: pydantic-core's schema for
`Profile`, written out as a Python literal, whose `model` nodes construct frozen
dataclasses with the same fields. Validation itself is pydantic-core's either way, so
errors, coercions and defaults are the models' own; `tests/test_profile_compiled.py`
checks that, and that `profile.py` is what this module produces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from azfn_profile.profile_schema import Plan, Profile, Suppression, Workload

MODELS: tuple[type[BaseModel], ...] = (Workload, Plan, Suppression, Profile)

HEADER = '''\
# Generated from azfn_profile/profile_schema.py by `python -m azfn_profile.docgen`;
# do not edit by hand.
"""The profile at run time: frozen dataclasses and the validator that builds them.

Both are compiled from the pydantic models in `profile_schema` (see `profilegen`):
`validator()` is pydantic-core running those models' own core schema, with each
model's instances made as the dataclass of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pydantic_core import SchemaError, SchemaValidator

from azfn_profile.terms import Family, InstanceMemory, Kind, Style, Trigger

__all__ = ["Plan", "Profile", "Suppression", "Workload", "validate_python"]
'''

FOOTER = '''

@cache
def validator() -> SchemaValidator:
    try:
        return SchemaValidator(_SCHEMA)
    except SchemaError:  # written for another pydantic-core: compile it again here
        from azfn_profile.profilegen import runtime_schema

        return SchemaValidator(runtime_schema())


def validate_python(data: Any) -> Profile:
    """Validate profile data (pydantic_core.ValidationError on bad shape)."""
    profile = validator().validate_python(data)
    assert isinstance(profile, Profile)
    return profile
'''


def profile_py() -> str:
    """The text of `azfn_profile/profile.py`."""
    classes = "\n".join(_dataclass(model) for model in MODELS)
    schema = _literal(_portable(Profile.__pydantic_core_schema__, _as_source), 0)
    return f"{HEADER}\n{classes}\n\n_SCHEMA: Any = {schema}\n{FOOTER}"


def runtime_schema() -> Any:
    """The same schema as `profile._SCHEMA`, compiled now by the installed pydantic."""
    from azfn_profile import profile

    def live(value: Any) -> Any:
        return getattr(profile, value.__name__) if value in MODELS else value

    return _portable(Profile.__pydantic_core_schema__, live)


def _as_source(value: Any) -> Any:
    """A class or default factory as the source text that names it in `profile.py`."""
    if value in MODELS or value in (dict, list):
        return _ClassName(value.__name__)
    return _Lambda(_inline(value()))


def _inline(value: Any) -> str:
    """A short default value as one line of Python source (JSON's spelling fits)."""
    if isinstance(value, (list, str)) or value is None or type(value) is int:
        return "None" if value is None else json.dumps(value)
    raise ValueError(f"cannot write default {value!r} into the runtime classes")


def _literal(node: Any, depth: int) -> str:
    """`node` as Python source in ruff's format: one item a line, trailing commas."""
    inner, outer = "    " * (depth + 1), "    " * depth
    if isinstance(node, dict):
        if not node:
            return "{}"
        items = [
            f"{inner}{_literal(key, depth + 1)}: {_literal(value, depth + 1)},"
            for key, value in node.items()
        ]
        return "{\n" + "\n".join(items) + f"\n{outer}}}"
    if isinstance(node, list):
        if not node:
            return "[]"
        items = [f"{inner}{_literal(item, depth + 1)}," for item in node]
        return "[\n" + "\n".join(items) + f"\n{outer}]"
    if isinstance(node, (_ClassName, _Lambda)):
        return repr(node)
    if isinstance(node, str):
        return json.dumps(node)
    if node is None or isinstance(node, (bool, int, float)):
        return repr(node)
    raise ValueError(f"cannot write {node!r} into the compiled schema")


def _dataclass(model: type[BaseModel]) -> str:
    lines = ["", "@dataclass(frozen=True)", f"class {model.__name__}:"]
    lines.append(f'    """{(model.__doc__ or "").strip()}"""')
    lines.append("")
    seen_default = False
    for name, info in model.model_fields.items():
        annotation = model.__annotations__[name]
        default = _default(info)
        if default is None:
            if seen_default:
                raise ValueError(f"{model.__name__}.{name}: required after a default")
        else:
            seen_default = True
        if info.description:
            lines.append(f"    #: {info.description}")
        suffix = "" if default is None else f" = {default}"
        lines.append(f"    {name}: {annotation}{suffix}")
    return "\n".join(lines) + "\n"


def _default(info: FieldInfo) -> str | None:
    if info.default_factory is not None:
        return f"field(default_factory={_factory(info.default_factory)})"
    if info.default is PydanticUndefined:
        return None
    return _inline(info.default)


def _factory(factory: Callable[..., Any]) -> str:
    if factory in (dict, list):
        return factory.__name__
    return f"lambda: {_inline(factory())}"


class _ClassName(str):
    """A class reference inside the schema, printed as its bare name."""

    def __repr__(self) -> str:
        return str(self)


def _portable(node: Any, ref: Callable[[Any], Any]) -> Any:
    """The core schema without what only pydantic itself reads (refs, JSON-schema hooks)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("metadata", "ref"):
                continue
            if key == "cls":
                if value not in MODELS:
                    raise ValueError(f"unexpected class in the core schema: {value!r}")
                out[key] = ref(value)
            elif key == "default_factory":
                out[key] = ref(value)
            else:
                out[key] = _portable(value, ref)
        return out
    if isinstance(node, list):
        return [_portable(item, ref) for item in node]
    if callable(node):
        raise TypeError(f"unexpected callable in the core schema: {node!r}")
    return node


class _Lambda(str):
    """A default factory inside the schema, printed as a lambda."""

    def __repr__(self) -> str:
        return f"lambda: {self!s}"
