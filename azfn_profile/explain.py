"""`azfn-profile explain PROFILE`: every decided value with its rule and reason, then
the findings `check` reports for the same profile (one run of the same checks)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from azfn_profile import cite
from azfn_profile.findings import Finding
from azfn_profile.fleet import fleet
from azfn_profile.spec import AppSpec, Decision, JsonValue

WIDTH = 88
FLEET_SOURCES = (
    cite.FLEX_SCALE_GROUPS,
    cite.FLEX_MAX_PER_GROUP,
    cite.SCALE_LIMIT,
    cite.QUEUE_TARGET_SCALER,
)


def _value(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _inputs(decision: Decision) -> str:
    return ", ".join(
        f"{k}={_value(v)}" for k, v in decision.inputs.items() if v is not None
    )


def explain(spec: AppSpec, findings: Sequence[Finding]) -> str:
    """The decisions, then every failed or suppressed finding of the profile."""
    plan, workload = spec.plan, spec.workload
    head = (
        f"{spec.name}: {plan.sku} ({plan.tier}, {plan.cores:g} vCPU, {plan.memory_mb} MB)"
        f", Python {spec.python}"
    )
    if workload is not None:
        head += f", workload {workload.kind}/{workload.style}"
    functions = spec.functions or dict.fromkeys(spec.triggers, 1)
    lines = [
        head,
        "functions: " + ", ".join(f"{t} x{n}" for t, n in functions.items()),
        "",
    ]
    setting_width = max(len("SETTING"), *(len(d.setting) for d in spec.decisions))
    value_width = max(len("VALUE"), *(len(_value(d.value)) for d in spec.decisions))
    lines.append(f"{'SETTING':<{setting_width}}  {'VALUE':<{value_width}}  RULE")
    why = _wrapper("    why: ", "         ")
    note = _wrapper("    note: ", "          ")
    for d in spec.decisions:
        lines.append(
            f"{d.setting:<{setting_width}}  {_value(d.value):<{value_width}}  {d.rule}"
        )
        if d.inputs and _inputs(d):
            lines.append(f"    from: {_inputs(d)}")
        if d.note:
            lines.extend(note.wrap(d.note))
        lines.extend(why.wrap(d.guidance))
        lines.extend(f"    source: {source}" for source in d.source.split("; "))
    lines += ["", *fleet_block(spec), *capacity_block(spec)]
    lines += ["", *findings_block(findings)]
    return "\n".join(lines) + "\n"


CAPACITY_SOURCE = (
    "https://github.com/azfn-profile/azfn-profile/blob/main/docs/capacity.md"
)


def fleet_block(spec: AppSpec) -> list[str]:
    """Each scale group's ceiling, the app's total, and every downstream's load."""
    f = fleet(spec)
    wrap = _wrapper("  ", "      ")
    out = ["fleet (invocations at once: instances x what one instance admits):"]
    for g in f.groups:
        out += wrap.wrap(f"{g.name} [{', '.join(g.functions)}]: {g.arithmetic()}")
    total = f.total_ceiling
    if total is None:
        limit = (
            f"; the platform stops at {f.platform_limit} instances"
            if f.platform_limit is not None
            else ""
        )
        out += wrap.wrap(f"total: unbounded (no setting bounds it{limit})")
    else:
        out.append(f"  total: {total}")
    for load in f.loads:
        d = load.downstream
        sent = "unbounded" if load.ceiling is None else str(load.ceiling)
        verdict = "exceeds" if load.exceeded else "within"
        out += wrap.wrap(
            f"downstream {d.name}: {sent} at once from {', '.join(load.groups)}, "
            f"{verdict} its {d.max_concurrency}"
        )
    out += [f"    source: {s}" for s in FLEET_SOURCES]
    return out


def capacity_block(spec: AppSpec) -> list[str]:
    """The declared load's arithmetic: instances, p95 and cost (shipped prices)."""
    load = spec.load
    if load is None:
        return []
    if load.call_ms is None:
        return [
            "",
            (
                f"load: {load.rps:g} calls/s; declare load.call_ms, or run `azfn-profile "
                "capacity --from-bench`, to size instances and cost for it"
            ),
        ]
    from azfn_profile.capacity.model import answer, declared, describe, label
    from azfn_profile.capacity.prices import for_region, shipped

    prices = for_region(shipped(), spec.location or "") or shipped()[0]
    call = declared(spec, load.call_ms, "load.call_ms")
    p95 = None if load.p95_ms is None else load.p95_ms / 1000
    found = answer(label(spec), spec, call, load.rps, p95, prices)
    target = f"{load.rps:g} calls/s of {load.call_ms:g} ms"
    if load.p95_ms is not None:
        target += f", p95 within {load.p95_ms:g} ms"
    where = f"{prices.region} {prices.price_date}"
    if spec.location and spec.location != prices.region:
        where += f"; the shipped table has no {spec.location} prices"
    return [
        "",
        (
            f"capacity for the declared load ({target}; M/M/c per instance; prices "
            f"{where}):"
        ),
        *describe(found)[1:],
        f"    source: {CAPACITY_SOURCE}",
    ]


def findings_block(findings: Sequence[Finding]) -> list[str]:
    """`check`'s failures (and suppressions) for the profile, one bullet each."""
    failed = [f for f in findings if f.status == "fail"]
    suppressed = [f for f in findings if f.status == "suppressed"]
    if not failed and not suppressed:
        return ["checks: no findings (azfn-profile check agrees)"]
    wrap = _wrapper("  - ", "    ")
    out = ["checks (what azfn-profile check reports for this profile):"]
    for f in failed:
        out += wrap.wrap(f"{f.check_id} [{f.severity}] {f.message}")
        out.append(f"    see: {f.doc_url}")
    for f in suppressed:
        out += wrap.wrap(f"{f.check_id} suppressed: {f.message} (reason: {f.reason})")
    return out


def _wrapper(first: str, rest: str) -> textwrap.TextWrapper:
    """Wrap prose at WIDTH without splitting a URL or a setting name."""
    return textwrap.TextWrapper(
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )
