"""SKU and Python-version facts, shipped as package data (see data/*.yaml)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from azfn_profile.terms import Family

FAMILIES: tuple[Family, ...] = ("flex", "premium", "dedicated", "consumption")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Sku:
    """One plan SKU: ARM name/tier, family, serverfarm kind, size, scale ceiling."""

    name: str
    tier: str
    family: Family
    plan_kind: str
    vcpu: float
    memory_mb: int
    max_instances: int
    confirmed: bool
    source: str
    instance_sizes: Mapping[int, float]

    def size(self, instance_memory_mb: int | None = None) -> tuple[float, int]:
        """(vCPU, memory MB) of one instance; Flex size follows instance memory."""
        if self.instance_sizes and instance_memory_mb is not None:
            return self.instance_sizes[instance_memory_mb], instance_memory_mb
        return self.vcpu, self.memory_mb


@dataclass(frozen=True)
class PythonVersion:
    version: str
    end_of_support: date
    consumption: bool
    note: str


def _load(name: str) -> dict[str, Any]:
    # Beside this module rather than through importlib.resources, whose import costs
    # a CLI run more than reading the file (the package is always installed unpacked).
    text = (_DATA / name).read_text("utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=_Loader)
    return data


@functools.cache
def skus() -> Mapping[str, Sku]:
    """All catalog SKUs by canonical ARM name, in catalog order."""
    rows = _load("skus.yaml")
    return {
        name: Sku(
            name=name,
            tier=row["tier"],
            family=row["family"],
            plan_kind=row["plan_kind"],
            vcpu=float(row["vcpu"]),
            memory_mb=int(row["memory_mb"]),
            max_instances=int(row["max_instances"]),
            confirmed=bool(row["confirmed"]),
            source=row["source"],
            instance_sizes={
                int(k): float(v) for k, v in row.get("instance_sizes", {}).items()
            },
        )
        for name, row in rows.items()
    }


@functools.cache
def python_versions() -> Mapping[str, PythonVersion]:
    rows = _load("python.yaml")
    return {
        v: PythonVersion(
            v, row["end_of_support"], bool(row["consumption"]), row["note"]
        )
        for v, row in rows.items()
    }


def find_sku(name: str) -> Sku | None:
    """Look a SKU up case-insensitively (ARM treats sku names that way)."""
    return _by_folded().get(name.casefold())


@functools.cache
def _by_folded() -> Mapping[str, Sku]:
    return {name.casefold(): sku for name, sku in skus().items()}


# Premium v4 (P0v4-P3v4, P1mv4-P5mv4): App Service runs Linux code on it, but no
# Microsoft page says Functions does, and its sizes are not in the catalog.
PREMIUM_V4 = re.compile(r"p[0-9]m?v4", re.IGNORECASE)


def unconfirmed_sku(name: str) -> bool:
    """A plan SKU App Service offers but Functions is not documented to run on."""
    return PREMIUM_V4.fullmatch(name) is not None


def closest_skus(name: str, limit: int = 3) -> list[str]:
    folded = _by_folded()
    import difflib

    hits = difflib.get_close_matches(name.casefold(), list(folded), n=limit, cutoff=0.4)
    return [folded[h].name for h in hits]


def supported_pythons(today: date) -> list[str]:
    return [v.version for v in python_versions().values() if v.end_of_support >= today]
