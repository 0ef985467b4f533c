"""The runtime profile (compiled core schema + dataclasses) behaves as the pydantic models.

`azfn_profile/profile.py` is generated from `azfn_profile/profile_schema.py`; these
tests hold it to that: it is fresh, and for every document the two accept the same
values, or reject with the same errors in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from azfn_profile import profile as runtime
from azfn_profile import profile_schema as models
from azfn_profile.profilegen import profile_py
from tests.conftest import ROOT
from tests.test_properties import profiles


def test_generated_module_is_fresh() -> None:
    committed = (ROOT / "azfn_profile" / "profile.py").read_text(encoding="utf-8")
    assert committed == profile_py(), (
        "azfn_profile/profile.py is stale: run python -m azfn_profile.docgen"
    )


def outcome_of_models(data: Any) -> tuple[str, Any]:
    try:
        return "ok", _plain(models.Profile.model_validate(data))
    except ValidationError as exc:
        return "invalid", exc.errors()


def outcome_of_runtime(data: Any) -> tuple[str, Any]:
    try:
        return "ok", _plain(runtime.validate_python(data))
    except ValidationError as exc:
        return "invalid", exc.errors()


def _plain(value: Any) -> Any:
    """Values with the class of every object kept, so a swapped class would show."""
    if isinstance(value, BaseModel):
        fields = {
            name: _plain(getattr(value, name)) for name in type(value).model_fields
        }
        return (type(value).__name__, fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        return (type(value).__name__, fields)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return (type(value).__name__, value)


def assert_same(data: Any) -> tuple[str, Any]:
    expected = outcome_of_models(data)
    assert outcome_of_runtime(data) == expected
    return expected


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name
)
def test_examples_validate_alike(path: Path) -> None:
    status, _ = assert_same(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert status == "ok"


BASE: dict[str, Any] = {
    "name": "orders-api",
    "python": "3.12",
    "workload": {"kind": "io"},
    "plan": {"sku": "EP1"},
}

BROKEN: list[dict[str, Any]] = [
    {},
    {"name": "x"},
    {**BASE, "extra": 1},
    {**BASE, "workload": {"kind": "io", "concurency": 5}},
    {**BASE, "workload": {"kind": "gpu"}},
    {**BASE, "workload": {"kind": "mixed", "io_share": 1.5}},
    {**BASE, "workload": {"kind": "io", "concurrency": "10"}},
    {**BASE, "workload": {"kind": "io", "concurrency": True}},
    {**BASE, "workload": {"kind": "io", "concurrency": 2.0}},
    {**BASE, "workload": None},
    {**BASE, "workload": ["io"]},
    {**BASE, "plan": {"sku": ""}},
    {**BASE, "plan": {"sku": "FC1", "instance_memory_mb": 1024}},
    {**BASE, "plan": {"sku": "auto", "min_cores": 0}},
    {**BASE, "name": "Orders_API"},
    {**BASE, "name": "a"},
    {**BASE, "python": 3.12},
    {**BASE, "triggers": []},
    {**BASE, "triggers": ["http", "smtp"]},
    {**BASE, "tags": {"team": 7}},
    {**BASE, "app_settings": ["A=1"]},
    {**BASE, "location": "West Europe"},
    {**BASE, "suppress": [{"id": "AZFN1", "reason": ""}]},
    {**BASE, "suppress": [{"id": "AZFN104", "reason": "ok", "expires": "2027-01-01"}]},
    {**BASE, "suppress": [{"id": "AZFN104", "reason": "ok", "until": 1}]},
]


@pytest.mark.parametrize("data", BROKEN, ids=range(len(BROKEN)))
def test_broken_documents_fail_alike(data: dict[str, Any]) -> None:
    status, _ = assert_same(data)
    assert status == "invalid"


def test_a_schema_the_installed_pydantic_core_rejects_is_compiled_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = _plain(runtime.validate_python(BASE))
    monkeypatch.setattr(runtime, "_SCHEMA", {"type": "no-such-schema"})
    runtime.validator.cache_clear()
    try:
        assert _plain(runtime.validate_python(BASE)) == expected
        for data in BROKEN:
            assert outcome_of_runtime(data) == outcome_of_models(data)
    finally:
        runtime.validator.cache_clear()


def test_defaults_are_fresh_objects() -> None:
    first = runtime.validate_python(BASE)
    first.triggers.append("queue")
    first.tags["x"] = "y"
    second = runtime.validate_python(BASE)
    assert second.triggers == ["http"] and second.tags == {}


def test_runtime_objects_are_frozen_and_comparable() -> None:
    data = {
        **BASE,
        "suppress": [
            {"id": "AZFN104", "reason": "ok", "expires": datetime.date(2027, 1, 1)}
        ],
    }
    profile = runtime.validate_python(data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.name = "other"  # type: ignore[misc]
    assert profile == runtime.validate_python(data)
    assert profile.suppress[0] == runtime.Suppression(
        "AZFN104", "ok", datetime.date(2027, 1, 1)
    )
    assert dataclasses.replace(profile.plan, sku="EP2").sku == "EP2"


_CLASSES: dict[str | None, Any] = {
    None: runtime.Profile,
    "workload": runtime.Workload,
    "plan": runtime.Plan,
}


EDGES: list[Any] = [
    *(0, 1, 2, 15, 16, 59, 60, 61, 64, 999, 1000, 1001),
    *(100_000, 100_001, 262_144, 262_145, 512, 2048, 4096),
    *(-1, 0.0, 0.5, 0.999, 1.0, 64.0, 64.5, float("inf"), True, False, None),
    *("", "a", "ab", "3.12", "auto", "EP1", "io", "sync", "flex", "http", "x" * 61),
    *([], ["http"], {}, {"a": "b"}, datetime.date(2027, 1, 1)),
]


def test_every_key_takes_edge_values_alike() -> None:
    for where, cls in _CLASSES.items():
        for field in dataclasses.fields(cls):
            for value in EDGES:
                data: dict[str, Any] = {
                    **BASE,
                    "workload": dict(BASE["workload"]),
                    "plan": dict(BASE["plan"]),
                }
                (data if where is None else data[where])[field.name] = value
                assert_same(data)


_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
)


@st.composite
def mangled(draw: st.DrawFn) -> Any:
    """A valid profile with some keys replaced, dropped or added."""
    data: dict[str, Any] = draw(profiles())
    for section in ("workload", "plan"):
        data[section] = dict(data[section])
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from([None, "workload", "plan"]))
        target = data if where is None else data.get(where)
        if not isinstance(target, dict):
            continue
        known = [f.name for f in dataclasses.fields(_CLASSES[where])]
        key = draw(st.sampled_from([*known, "bogus"]))
        if draw(st.booleans()):
            target[key] = draw(_ANY)
        else:
            target.pop(key, None)
    return data


@settings(max_examples=300, deadline=None)
@given(mangled())
def test_any_document_validates_alike(data: Any) -> None:
    assert_same(data)
