"""Plan rules: which SKU and instance size, scale limits and site flags."""

from __future__ import annotations

from dataclasses import dataclass

from azfn_profile import catalog, facts
from azfn_profile.catalog import Sku
from azfn_profile.profile import Profile, named_functions
from azfn_profile.rules._trace import Trace, memory_fit, whole_cores
from azfn_profile.spec import PlanSpec, SiteSpec


class NoSkuFits(Exception):
    """sku: auto found no SKU of the family that meets the requirements."""


@dataclass(frozen=True)
class Placement:
    """The chosen SKU and the size of one instance of it."""

    sku: Sku
    cores: float
    memory_mb: int
    instance_memory_mb: int | None  # Flex only

    @property
    def flex(self) -> bool:
        return self.sku.family == "flex"

    @property
    def async_default(self) -> int:
        """Event-loop tasks per process for async work that declares no concurrency:
        on Flex the platform's HTTP default for the instance size."""
        if self.instance_memory_mb is not None:
            return facts.FLEX_HTTP_DEFAULT_CONCURRENCY[self.instance_memory_mb]
        return facts.ASYNC_DEFAULT_CONCURRENCY


def default_min_cores(profile: Profile) -> float:
    return 1.0 if profile.workload.kind == "io" else 2.0


def wanted_processes(placement: Placement) -> int:
    """Processes the cores call for: min(10, c); Flex runs one worker process."""
    if placement.flex:
        return 1
    return min(facts.MAX_WORKER_PROCESSES, whole_cores(placement.cores))


def placements(sku: Sku, instance_memory_mb: int | None = None) -> list[Placement]:
    """Every instance size `sku` offers (one, except for Flex)."""
    if not sku.instance_sizes:
        return [Placement(sku, sku.vcpu, sku.memory_mb, None)]
    sizes = [instance_memory_mb] if instance_memory_mb else sorted(sku.instance_sizes)
    return [Placement(sku, sku.instance_sizes[m], m, m) for m in sizes]


def fits(placement: Placement, per_process_mb: int) -> bool:
    """Instance memory holds the processes its cores call for."""
    return memory_fit(placement.memory_mb, per_process_mb) >= wanted_processes(
        placement
    )


def select_sku(profile: Profile) -> Placement:
    """The profile's SKU, or for sku: auto the smallest that fits (by cores, memory)."""
    plan = profile.plan
    if plan.sku != "auto":
        sku = catalog.skus()[plan.sku]
        memory = plan.instance_memory_mb or (
            facts.FLEX_DEFAULT_INSTANCE_MEMORY if sku.instance_sizes else None
        )
        return placements(sku, memory)[0]
    min_cores = plan.min_cores or default_min_cores(profile)
    per_process = profile.workload.memory_per_process_mb
    family = [
        p
        for s in catalog.skus().values()
        if s.family == plan.family
        for p in placements(s, plan.instance_memory_mb)
    ]
    family.sort(key=lambda p: (p.cores, p.memory_mb))
    for candidate in family:
        if candidate.cores >= min_cores and fits(candidate, per_process):
            return candidate
    raise NoSkuFits(
        f"no {plan.family} SKU has {min_cores:g}+ cores and the memory for "
        f"its worker processes at {per_process} MB each; lower "
        "plan.min_cores or workload.memory_per_process_mb, or pick another "
        "family"
    )


@dataclass(frozen=True)
class Tuning:
    """Values the downstream limits impose on the rules (see rules.downstream)."""

    max_instances: int | None = None
    cap: int | None = None  # invocations one instance admits
    why: str = ""  # the downstream arithmetic that chose them


def _max_instances(
    profile: Profile, placement: Placement, trace: Trace, tuning: Tuning
) -> int | None:
    setting = (
        "functionAppConfig.scaleAndConcurrency.maximumInstanceCount"
        if placement.flex
        else f"siteConfig.{facts.SITE_SCALE_LIMIT}"
    )
    declared = profile.plan.max_instances
    if tuning.max_instances is not None:
        return trace.record(
            setting,
            tuning.max_instances,
            "downstream.instance-limit",
            {"declared": declared, "family": placement.sku.family},
            note=tuning.why,
        )
    if not placement.flex:
        return declared
    return trace.record(
        setting,
        declared if declared is not None else facts.FLEX_DEFAULT_MAX_INSTANCES,
        "flex.maximum-instance-count",
        {"declared": declared},
    )


def plan_rules(
    profile: Profile, trace: Trace, tuning: Tuning | None = None
) -> tuple[Placement, PlanSpec]:
    tuning = tuning or Tuning()
    placement = select_sku(profile)
    sku = placement.sku
    if profile.plan.sku == "auto":
        trace.record(
            "plan.sku",
            sku.name,
            "plan.auto-sku",
            {
                "family": profile.plan.family,
                "min_cores": profile.plan.min_cores or default_min_cores(profile),
                "memory_per_process_mb": profile.workload.memory_per_process_mb,
                "instance_memory_mb": placement.instance_memory_mb,
            },
        )
    max_instances = _max_instances(profile, placement, trace, tuning)
    ready = profile.plan.always_ready
    groups = None
    if placement.flex:
        from azfn_profile.rules.flex import ready_groups

        groups = ready_groups(profile, named_functions(profile))
    spec = PlanSpec(
        sku=sku.name,
        tier=sku.tier,
        family=sku.family,
        kind=sku.plan_kind,
        cores=placement.cores,
        memory_mb=placement.memory_mb,
        max_instances=max_instances,
        always_ready=(groups or {}).get("http")
        if placement.flex
        else ready
        if isinstance(ready, int)
        else None,
        ready_groups=groups,
    )
    return placement, spec


def site_rules(profile: Profile, placement: Placement, trace: Trace) -> SiteSpec:
    if placement.flex:
        # Flex deprecates alwaysOn, linuxFxVersion and ftpsState
        # (cite.FLEX_DEPRECATIONS); it has no FTP endpoint to disable.
        return SiteSpec(linux_fx_version=None, always_on=None, ftps_state=None)
    fx = trace.record(
        "siteConfig.linuxFxVersion",
        f"Python|{profile.python}",
        "site.linux-fx-version",
        {"python": profile.python},
    )
    always_on = trace.record(
        "siteConfig.alwaysOn",
        placement.sku.family == "dedicated",
        "site.always-on",
        {"family": placement.sku.family},
    )
    return SiteSpec(linux_fx_version=fx, always_on=always_on)
