"""`azfn-profile explain PROFILE`: every decided value with its rule and reason."""

from __future__ import annotations

import json
import textwrap

from azfn_profile.spec import AppSpec, Decision, JsonValue

WIDTH = 88


def _value(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _inputs(decision: Decision) -> str:
    return ", ".join(
        f"{k}={_value(v)}" for k, v in decision.inputs.items() if v is not None
    )


def explain(spec: AppSpec) -> str:
    plan, workload = spec.plan, spec.workload
    head = (
        f"{spec.name}: {plan.sku} ({plan.tier}, {plan.cores:g} vCPU, {plan.memory_mb} MB)"
        f", Python {spec.python}"
    )
    if workload is not None:
        head += f", workload {workload.kind}/{workload.style}"
    lines = [head, f"triggers: {', '.join(spec.triggers)}", ""]
    setting_width = max(len("SETTING"), *(len(d.setting) for d in spec.decisions))
    value_width = max(len("VALUE"), *(len(_value(d.value)) for d in spec.decisions))
    lines.append(f"{'SETTING':<{setting_width}}  {'VALUE':<{value_width}}  RULE")
    wrap = textwrap.TextWrapper(
        width=WIDTH, initial_indent="    why: ", subsequent_indent="         "
    )
    for d in spec.decisions:
        if d.level == "warning":
            continue
        lines.append(
            f"{d.setting:<{setting_width}}  {_value(d.value):<{value_width}}  {d.rule}"
        )
        if d.inputs and _inputs(d):
            lines.append(f"    from: {_inputs(d)}")
        lines.extend(wrap.wrap(f"{d.guidance} [{d.source}]"))
    warnings = spec.warnings
    lines.append("")
    if warnings:
        lines.append("warnings:")
        note_wrap = textwrap.TextWrapper(
            width=WIDTH, initial_indent="  - ", subsequent_indent="    "
        )
        for d in warnings:
            lines.extend(
                note_wrap.wrap(f"{d.setting}: {d.note} [{d.rule}; {d.source}]")
            )
    else:
        lines.append("warnings: none")
    return "\n".join(lines) + "\n"
