"""Rules: a validated Profile becomes an AppSpec, every value with its reason.

Order matters: the plan fixes cores and memory; processes and threads follow (with
the profile's overrides taking effect); Flex concurrency and host.json are sized from
the worker settings that will really run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azfn_profile import facts
from azfn_profile.profile import Profile, function_counts
from azfn_profile.rules._trace import Trace
from azfn_profile.rules.flex import function_app_config
from azfn_profile.rules.host_json import host_json
from azfn_profile.rules.plan import plan_rules, site_rules
from azfn_profile.rules.settings import app_settings, override_int
from azfn_profile.rules.workers import processes, threads
from azfn_profile.spec import AppSpec, WorkloadSpec

if TYPE_CHECKING:  # the code model loads only for profiles that name code
    from azfn_profile.code.model import AppCode


def resolve(profile: Profile, code: AppCode | None = None) -> AppSpec:
    """Apply every rule to a validated profile (and the code of its app, when the
    profile names the app's folder: async functions that block are sized as such)."""
    trace = Trace()
    blocked = code.blocking_async if code is not None else ()
    placement, plan = plan_rules(profile, trace)
    site = site_rules(profile, placement, trace)
    process_rule = processes(profile, placement, trace, blocked)
    process_count = override_int(profile, facts.PROCESS_COUNT) or process_rule or 1
    thread_rule = threads(profile, placement, process_count, trace)
    thread_count = override_int(profile, facts.THREAD_COUNT) or thread_rule
    settings = app_settings(
        profile,
        flex=placement.flex,
        process_count=process_rule,
        thread_count=thread_rule,
        trace=trace,
    )
    fac = (
        function_app_config(profile, placement, plan, thread_count, trace, blocked)
        if placement.flex
        else None
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
        location=profile.location,
        tags=dict(sorted(profile.tags.items())),
        decisions=tuple(trace.decisions),
        pinned_names={
            k: v
            for k, v in (profile.names.model_dump() if profile.names else {}).items()
            if v is not None
        },
    )
