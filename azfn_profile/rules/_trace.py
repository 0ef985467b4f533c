"""Shared helpers for rules: exact arithmetic and the decision trace."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from azfn_profile import facts
from azfn_profile.guidance import RULES
from azfn_profile.spec import Decision, JsonValue

V = TypeVar("V", bound=JsonValue)


class Trace:
    """Collects decisions in the order rules make them."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []

    def record(
        self,
        setting: str,
        value: V,
        rule: str,
        inputs: Mapping[str, JsonValue],
        note: str = "",
    ) -> V:
        """Record `value` for `setting`, decided by `rule` (a guidance.RULES name)."""
        guidance = RULES[rule]
        self.decisions.append(
            Decision(
                setting,
                value,
                rule,
                dict(sorted(inputs.items())),
                guidance.text,
                guidance.source,
                note,
            )
        )
        return value


def whole_cores(cores: float) -> int:
    """c = max(1, ceil(cores)): fractional Flex cores still run one process."""
    return max(1, math.ceil(cores))


def memory_fit(memory_mb: int, per_process_mb: int) -> int:
    """fit = max(1, floor(0.8 x memory / per-process)), in exact integer arithmetic."""
    budget_tenths = int(facts.MEMORY_BUDGET * 10)
    return max(1, (budget_tenths * memory_mb) // (10 * per_process_mb))


def round_half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def ceil_share(share: float, numerator: int, denominator: int) -> int:
    """ceil(share x numerator / denominator), in decimal so 0.6 x 50 is 30, not 31."""
    return math.ceil(Decimal(str(share)) * numerator / denominator)
