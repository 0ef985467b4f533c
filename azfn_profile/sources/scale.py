"""An app's instance limit and always-ready count, read where each plan family keeps
them (the same places `render` writes them, see `infra.site_scale`):

- Flex Consumption: `functionAppConfig.scaleAndConcurrency` — `maximumInstanceCount`
  (each scale group's on-demand instances) and `alwaysReady` by group;
- Elastic Premium: the plan's `maximumElasticWorkerCount` (the burst limit), capped by
  the site's `functionAppScaleLimit`; always ready from the site's
  `minimumElasticInstanceCount`, else the plan's `sku.capacity` (its minimum);
- Consumption: the site's `functionAppScaleLimit`;
- Dedicated: neither (instances are the plan's count or autoscale rules).

A limit of 0 or less means no limit (the platform's reading of `functionAppScaleLimit`).
A value computed at deployment makes its `Field` unknown, never a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from azfn_profile.facts import SITE_ALWAYS_READY, SITE_SCALE_LIMIT
from azfn_profile.sources.values import known
from azfn_profile.spec import Field, PlanSpec


def scaled(
    plan: PlanSpec,
    plan_props: Mapping[str, Any],
    config: Mapping[str, Any],
    fac: Any,
    unknown: set[str],
) -> PlanSpec:
    """`plan` with `max_instances` and `always_ready` as the source sets them."""
    if plan.family == "flex":
        scale = fac.get("scaleAndConcurrency") if isinstance(fac, dict) else None
        scale = scale if isinstance(scale, dict) else {}
        limit = whole_number(
            scale.get("maximumInstanceCount"), Field.PLAN_MAX_INSTANCES, unknown
        )
        groups = _ready_groups(scale.get("alwaysReady"), unknown)
        return replace(
            plan,
            max_instances=limit,
            always_ready=None if groups is None else groups.get("http"),
            ready_groups=groups,
        )
    if plan.family == "premium":
        site_ready = whole_number(
            config.get(SITE_ALWAYS_READY), Field.PLAN_ALWAYS_READY, unknown
        )
        burst = _positive(
            whole_number(
                plan_props.get("maximumElasticWorkerCount"),
                Field.PLAN_MAX_INSTANCES,
                unknown,
            )
        )
        return replace(
            plan,
            max_instances=_least(burst, _site_limit(config, unknown)),
            always_ready=plan.always_ready if site_ready is None else site_ready,
        )
    if plan.family == "consumption":
        return replace(plan, max_instances=_site_limit(config, unknown))
    return plan


def _site_limit(config: Mapping[str, Any], unknown: set[str]) -> int | None:
    return _positive(
        whole_number(config.get(SITE_SCALE_LIMIT), Field.PLAN_MAX_INSTANCES, unknown)
    )


def _ready_groups(groups: Any, unknown: set[str]) -> dict[str, int] | None:
    """alwaysReady as {group name: instances}; None when absent. An entry whose name
    or count is computed makes the whole list unknown."""
    if groups is None:
        return None
    if not isinstance(groups, list):
        unknown.add(Field.PLAN_ALWAYS_READY)
        return None
    out: dict[str, int] = {}
    for group in groups:
        name = group.get("name") if isinstance(group, dict) else None
        if not isinstance(group, dict) or not known(name) or not isinstance(name, str):
            unknown.add(Field.PLAN_ALWAYS_READY)
            continue
        count = whole_number(
            group.get("instanceCount"), Field.PLAN_ALWAYS_READY, unknown
        )
        if count is not None:
            out[
                name.lower() if name.lower() in ("http", "blob", "durable") else name
            ] = count
    return out


def whole_number(value: Any, path: str, unknown: set[str]) -> int | None:
    """A whole number (of instances, of MB); None when absent, unknown when computed
    (or not a number, which the deployment would reject)."""
    if value is None:
        return None
    if isinstance(value, bool) or not known(value):
        unknown.add(path)
        return None
    # (Pulumi's property values carry numbers as floats: 1.0.)
    if isinstance(value, int | float) and math.isfinite(value) and value == int(value):
        return int(value)
    unknown.add(path)
    return None


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


def _least(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
