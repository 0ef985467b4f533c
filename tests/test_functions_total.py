"""Every template function is total: whatever the arguments (zero divisors, huge
numbers, NaN, surrogates, wrong types, empty or nested collections), ARM/Bicep and
Terraform functions give a value, an unknown or a failure, never an exception, and
stay within the budget of work they are given."""

from __future__ import annotations

import itertools
import math
from contextlib import suppress
from typing import Any

import pytest

from azfn_profile.sources import arm_functions
from azfn_profile.sources.terraform_eval import FUNCTIONS as TF_FUNCTIONS
from azfn_profile.sources.terraform_eval import apply_function
from azfn_profile.sources.values import Budget, BudgetExceeded, Opaque

POOL: list[Any] = [
    0,
    -1,
    2,
    10**30,
    -(10**30),
    1.5,
    math.nan,
    math.inf,
    True,
    None,
    "",
    "a,b",
    "\ud800",
    "é" * 3,
    "%s{0}{1}",
    "1e400",
    [],
    [1, [2, [3]]],
    {},
    {"a": {"b": None}},
    Opaque("a deployment value"),
]


def _argument_lists() -> list[list[Any]]:
    """No argument, each value alone, and every pair and a sample of triples."""
    lists: list[list[Any]] = [[]]
    lists += [[v] for v in POOL]
    lists += [list(pair) for pair in itertools.product(POOL, repeat=2)]
    lists += [
        list(t)
        for t in itertools.islice(itertools.product(POOL, repeat=3), 0, None, 37)
    ]
    return lists


ARGS = _argument_lists()


@pytest.mark.parametrize("name", sorted(arm_functions.FUNCTIONS))
def test_every_arm_function_is_total(name: str) -> None:
    for args in ARGS:
        _arm(name, args)


def _arm(name: str, args: list[Any]) -> None:
    # over budget is a located finding in a scan: the work bound held
    with suppress(BudgetExceeded):
        arm_functions.call(name, list(args), Budget(steps=50_000, cells=200_000))


@pytest.mark.parametrize("name", sorted(TF_FUNCTIONS))
def test_every_terraform_function_is_total(name: str) -> None:
    for args in ARGS:
        apply_function(name, list(args))


def test_terraform_range_stops_where_terraforms_does() -> None:
    """range() builds up to 1,024 numbers and fails past them, as Terraform does
    (https://developer.hashicorp.com/terraform/language/functions/range)."""
    from azfn_profile.sources.terraform_ops import Failed

    assert apply_function("range", [1024]) == list(range(1024))
    assert apply_function("range", [0, 2048, 2]) == list(range(0, 2048, 2))
    assert isinstance(apply_function("range", [1025]), Failed)
    assert isinstance(apply_function("range", [10, -1015, -1]), Failed)
    assert isinstance(apply_function("range", [0, 2049, 2]), Failed)  # 1,025 numbers
    # without a step, it runs toward the limit either way
    assert apply_function("range", [3, 0]) == [3, 2, 1]
    assert apply_function("range", [-3]) == [0, -1, -2]
    assert apply_function("range", [0, 3, -1]) == []
