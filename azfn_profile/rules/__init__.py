"""Rules: a validated Profile becomes an AppSpec, every value with its reason.

Order matters: the plan fixes cores and memory; processes and threads follow (with
the profile's overrides taking effect); Flex concurrency and host.json are sized from
the worker settings that will really run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azfn_profile import facts
from azfn_profile.profile import Profile, function_counts, named_functions
from azfn_profile.rules._trace import Trace
from azfn_profile.rules.flex import function_app_config
from azfn_profile.rules.host_json import host_json
from azfn_profile.rules.plan import Tuning, plan_rules, site_rules
from azfn_profile.rules.settings import app_settings, override_int
from azfn_profile.rules.workers import processes, threads
from azfn_profile.spec import AppSpec, Downstream, TargetLoad, WorkloadSpec

if TYPE_CHECKING:  # the code model loads only for profiles that name code
    from azfn_profile.code.model import AppCode


def resolve(profile: Profile, code: AppCode | None = None) -> AppSpec:
    """Apply every rule to a validated profile (and the code of its app, when the
    profile names the app's folder: async functions that block are sized as such).

    With downstream limits, the instance limit and per-instance concurrency are then
    chosen to keep the fleet within them (rules.downstream); `DownstreamRefused`
    when no choice can."""
    spec = _resolve(profile, code, Tuning())
    if not profile.downstream:
        return spec
    from azfn_profile.rules.downstream import protect

    return protect(spec, lambda tuning: _resolve(profile, code, tuning))


def _resolve(profile: Profile, code: AppCode | None, tuning: Tuning) -> AppSpec:
    trace = Trace()
    blocked = code.blocking_async if code is not None else ()
    placement, plan = plan_rules(profile, trace, tuning)
    site = site_rules(profile, placement, trace)
    if facts.proxy_worker(profile.python):
        _library(profile, code, trace)
    process_rule = processes(profile, placement, trace, blocked)
    if tuning.cap is not None and process_rule is not None:
        process_rule = _capped(facts.PROCESS_COUNT, process_rule, tuning, trace)
    process_count = override_int(profile, facts.PROCESS_COUNT) or process_rule or 1
    thread_rule = threads(profile, placement, process_count, trace)
    if tuning.cap is not None and profile.workload.style == "sync":
        thread_rule = _capped(
            facts.THREAD_COUNT, thread_rule, tuning, trace, process_count
        )
    thread_count = override_int(profile, facts.THREAD_COUNT) or thread_rule
    settings = app_settings(
        profile,
        flex=placement.flex,
        process_count=process_rule,
        thread_count=thread_rule,
        trace=trace,
    )
    fac = (
        function_app_config(
            profile, placement, plan, thread_count, trace, blocked, tuning.cap
        )
        if placement.flex
        else None
    )
    if tuning.cap is not None:
        trace.record(
            "per-instance concurrency",
            tuning.cap,
            "downstream.per-instance-limit",
            {"max_instances": plan.max_instances},
            note=tuning.why,
        )
    counts = function_counts(profile)
    host = host_json(
        profile,
        placement,
        counts,
        1 if placement.flex else process_count,
        thread_count,
        trace,
        blocked=bool(blocked),
        cap=tuning.cap,
    )
    w = profile.workload
    workload = WorkloadSpec(
        kind=w.kind,
        style=w.style,
        io_share=(w.io_share if w.io_share is not None else 0.5)
        if w.kind == "mixed"
        else None,
        concurrency=w.concurrency,
        memory_per_process_mb=w.memory_per_process_mb,
    )
    return AppSpec(
        name=profile.name,
        python=profile.python,
        plan=plan,
        site=site,
        app_settings=settings,
        host_json=host,
        function_app_config=fac,
        workload=workload,
        triggers=tuple(counts),
        functions=counts,
        function_names=named_functions(profile),
        downstream=tuple(
            Downstream(
                d.name,
                d.max_concurrency,
                None if d.functions is None else tuple(d.functions),
            )
            for d in profile.downstream
        ),
        load=None
        if profile.load is None
        else TargetLoad(profile.load.rps, profile.load.p95_ms, profile.load.call_ms),
        location=profile.location,
        tags=dict(sorted(profile.tags.items())),
        decisions=tuple(trace.decisions),
        pinned_names={
            k: v
            for k, v in (profile.names.model_dump() if profile.names else {}).items()
            if v is not None
        },
    )


def _capped(
    setting: str, value: int, tuning: Tuning, trace: Trace, processes: int = 1
) -> int:
    """A worker count lowered so one instance runs at most the downstream cap: more
    would only wait for the trigger limits that admit no more than the cap."""
    assert tuning.cap is not None
    limit = max(1, tuning.cap // processes)
    if value <= limit:
        return value
    return trace.record(
        setting,
        limit,
        "downstream.per-instance-limit",
        {"cap": tuning.cap, "processes": processes, "rule": value},
        note=tuning.why,
    )


def _library(profile: Profile, code: AppCode | None, trace: Trace) -> None:
    """Record which azure-functions-runtime runs the functions (Python 3.13+)."""
    pin = code.runtime_pin if code is not None else None
    if pin is None:
        value = "the worker's own copy"
        note = "the app pins none"
    else:
        value = pin.version or pin.requirement
        note = f"pinned at {pin.file}:{pin.line}"
        if (
            pin.version is not None
            and pin.version not in facts.RUNTIME_LIBRARY_RELOAD_LINE
        ):
            note += (
                f"; a version not read here (read: 1.0.0 to "
                f"{facts.RUNTIME_LIBRARY_NEWEST})"
            )
    trace.record(
        "azure-functions-runtime",
        value,
        "runtime.library",
        {"python": profile.python},
        note=note,
    )
