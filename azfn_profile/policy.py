"""The CrossGuard policy pack's policies, built from the check registry.

One stack validation policy per check: each sees the whole stack, so a WebApp is judged
with its plan, its WebAppApplicationSettings and its publishing policies. Error checks
are mandatory, the rest advisory; every policy's level can be changed through the
pack's config (`<policy name>: advisory|mandatory|disabled`, or `all`). Values unknown
during preview make a check "unknown": it reports nothing rather than guessing.

Constructing a PolicyPack serves forever, so this module only builds the policies;
policies/__main__.py assembles the pack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from azfn_profile.checking import run_checks
from azfn_profile.checks import INPUT_IDS, REGISTRY, Check
from azfn_profile.sources.pulumi_props import PulumiResource, stack_targets

PACK_NAME = "azfn-profile"


def policy_name(check: Check) -> str:
    return f"{check.id.lower()}-{check.name.replace('.', '-')}"


def plain(value: Any, path: str, unknown: set[str]) -> Any:
    """Copy a (proxied) property value, noting the paths Pulumi does not know yet."""
    if isinstance(value, Mapping):
        out = {}
        for key in list(value.keys()):
            sub = f"{path}.{key}" if path else str(key)
            try:
                out[key] = plain(value[key], sub, unknown)
            except UnknownValueError:
                unknown.add(sub)
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i], f"{path}[{i}]", unknown))
            except UnknownValueError:  # noqa: PERF203 - each item may be unknown alone
                unknown.add(path)
                items.append(None)
        return items
    return value


def resources_of(policy_resources: Iterable[PolicyResource]) -> list[PulumiResource]:
    out = []
    for r in policy_resources:
        unknown: set[str] = set()
        props = plain(r.props, "", unknown)
        out.append(
            PulumiResource(
                r.resource_type, r.urn, props, [d.urn for d in r.dependencies], unknown
            )
        )
    return out


def _validator(
    check: Check, today: Callable[[], date]
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        sources = stack_targets(resources_of(args.resources))
        for finding in run_checks(sources, today()):
            if finding.check_id == check.id and finding.status == "fail":
                report_violation(
                    f"{check.id}: {finding.message}. See {finding.doc_url}",
                    finding.location.resource,
                )

    return validate


def pack_policies(
    today: Callable[[], date] = date.today,
) -> list[StackValidationPolicy]:
    policies = []
    for check in REGISTRY.values():
        if check.id in INPUT_IDS:
            continue
        level = (
            EnforcementLevel.MANDATORY
            if check.severity == "error"
            else EnforcementLevel.ADVISORY
        )
        policies.append(
            StackValidationPolicy(
                name=policy_name(check),
                description=check.title,
                validate=_validator(check, today),
                enforcement_level=level,
            )
        )
    return policies


__all__ = ["PACK_NAME", "pack_policies", "plain", "policy_name", "resources_of"]
