"""The declared input: a workload profile, as pydantic v2 models.

These models are the one definition of the profile's shape: validation, the `schema`
command and docs/profile.md all come from them.

Models check shape and ranges only. Checks that need the SKU catalog, the Python
support table or a clock live in `validation`, so that each problem can be reported
at the exact key it concerns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from azfn_profile import facts
from azfn_profile.terms import (
    FUNCTION_NAME_PATTERN,
    GROUP_PATTERN,
    NAME_LENGTH,
    NAME_PATTERN,
    PYTHON_PATTERN,
    Family,
    InstanceMemory,
    Kind,
    Style,
    Trigger,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Workload(_Frozen):
    """What the functions spend their time on."""

    kind: Kind = Field(
        description="io: waits on network/disk; cpu: computes; mixed: both."
    )
    style: Style = Field(
        "sync",
        description="async when the functions are `async def` using async libraries.",
    )
    io_share: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="mixed only (default 0.5): share of invocation time spent "
        "waiting on I/O.",
    )
    concurrency: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="Expected peak in-flight invocations per instance.",
    )
    memory_per_process_mb: int = Field(
        256,
        ge=16,
        le=262_144,
        description="Resident memory of one worker process, in MB.",
    )


class Plan(_Frozen):
    """Where the app runs."""

    sku: str = Field(
        description="A catalog SKU (EP2, P1v3, FC1, Y1, ...) or 'auto'.",
        min_length=1,
    )
    family: Family | None = Field(
        None, description="With sku: auto only: the plan family to pick from."
    )
    min_cores: float | None = Field(
        None,
        gt=0,
        le=64,
        description="With sku: auto only (default: cpu/mixed 2, io 1).",
    )
    instance_memory_mb: InstanceMemory | None = Field(
        None, description="Flex Consumption only (default 2048)."
    )
    max_instances: int | None = Field(
        None,
        ge=1,
        le=facts.FLEX_MAX_INSTANCES,  # the most any plan allows (AZFN305 per plan)
        description="Scale-out ceiling: on Flex Consumption each scale group's "
        "on-demand instances; elsewhere the app's instances.",
    )
    always_ready: (
        Annotated[int, Field(ge=0, le=facts.FLEX_MAX_INSTANCES)]
        | dict[
            Annotated[str, Field(pattern=GROUP_PATTERN)],
            Annotated[int, Field(ge=0, le=facts.FLEX_MAX_INSTANCES)],
        ]
        | None
    ) = Field(
        None,
        description="Instances kept warm. Elastic Premium: the app's always-ready "
        "count. Flex Consumption: per scale group, one number for every group or a "
        "mapping by group name (http, blob, durable, function:<name>); they run "
        "beside max_instances.",
    )


class Function(_Frozen):
    """One function of the app, by name, with its trigger."""

    name: str = Field(
        min_length=1,
        max_length=128,
        pattern=FUNCTION_NAME_PATTERN,
        description="The function's name (letters, digits, '_' and '-').",
    )
    trigger: Trigger = Field(description="What triggers it.")


class Http(_Frozen):
    """How the host treats HTTP requests beyond what the workers run at once."""

    max_outstanding: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="Requests an instance holds (running and queued) before answering "
        "429 Too Busy; unset, the queue is unbounded on Linux.",
    )


class Names(_Frozen):
    """Physical Azure names to pin; unset, each derives from `name` with a suffix
    unique to the deployment (resource group, or Pulumi stack and project)."""

    site: str | None = Field(
        None,
        min_length=NAME_LENGTH[0],
        max_length=NAME_LENGTH[1],
        pattern=NAME_PATTERN,
        description="The site.",
    )
    storage: str | None = Field(
        None,
        min_length=3,
        max_length=24,
        pattern=r"^[a-z0-9]+$",
        description="The host's storage account (3-24 of a-z, 0-9).",
    )
    plan: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9-]+$",
        description="The App Service plan (1-60 of letters, digits and '-').",
    )
    resource_group: str | None = Field(
        None,
        min_length=1,
        max_length=90,
        pattern=r"^[A-Za-z0-9_.()-]*[A-Za-z0-9_()-]$",
        description="The resource group (1-90 of letters, digits, '_', '.', '(', ')' "
        "and '-', not ending with '.'; Pulumi creates it when none is given).",
    )


class Downstream(_Frozen):
    """A service the functions call that takes a limited number of requests at once."""

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="What the service is called (letters, digits, '_', '.', '-').",
    )
    max_concurrency: int = Field(
        ge=1,
        le=10_000_000,
        description="The most requests it takes at once, from all instances together.",
    )
    functions: list[Annotated[str, Field(pattern=FUNCTION_NAME_PATTERN)]] | None = (
        Field(
            None,
            min_length=1,
            description="The functions that call it, by name or by trigger "
            "(default: all).",
        )
    )


class Load(_Frozen):
    """The load the app must serve: `capacity` sizes for it, `check` warns when the
    plan's or the fleet's limits cannot carry it."""

    rps: float = Field(
        gt=0, le=10_000_000, description="Invocations per second to serve, sustained."
    )
    p95_ms: float | None = Field(
        None,
        gt=0,
        le=3_600_000,
        description="The 95th percentile of invocation time to stay within, in ms "
        "(default: only keep up with the rate).",
    )
    call_ms: float | None = Field(
        None,
        gt=0,
        le=3_600_000,
        description="Wall time of one invocation with nothing else running, in ms "
        "(a `bench --json` result measures it instead).",
    )


class Suppression(_Frozen):
    """Accept a check's findings for this app, with a reason, optionally until a date."""

    id: str = Field(pattern=r"^AZFN\d{3}$", description="The check id, e.g. AZFN104.")
    reason: str = Field(min_length=1, description="Why the finding is accepted.")
    expires: date | None = Field(
        None, description="After this date the suppression lapses (and says so)."
    )


class Profile(_Frozen):
    """A workload profile: what a Python function app does and where it runs."""

    name: str = Field(
        min_length=NAME_LENGTH[0],
        max_length=NAME_LENGTH[1],
        pattern=NAME_PATTERN,
        description="Azure site name: 2-60 of a-z, 0-9 and '-', not starting or "
        "ending with '-'.",
    )
    python: str = Field(
        pattern=PYTHON_PATTERN, description='Python version, quoted: "3.12".'
    )
    workload: Workload = Field(description="What the functions spend their time on.")
    plan: Plan = Field(description="The hosting plan SKU, or how to pick one.")
    triggers: list[Trigger] | None = Field(
        None,
        min_length=1,
        description="Short form of `functions`: the trigger types used, one function "
        "each (default: [http]).",
    )
    functions: (
        dict[Trigger, Annotated[int, Field(ge=1, le=1000)]] | list[Function] | None
    ) = Field(
        None,
        description="The app's functions: how many of each trigger ({http: 3, queue: "
        "1}) or a list of {name, trigger}. Queue, Service Bus and blob limits apply "
        "per function, so the instance's capacity is split among them.",
    )
    http: Http | None = Field(None, description="HTTP back-pressure.")
    names: Names | None = Field(
        None,
        description="Pinned physical names; unset, names derive from `name` with a "
        "unique suffix, so two deployments never collide.",
    )
    downstream: list[Downstream] = Field(
        default_factory=list,
        description="Services the functions call and the most concurrent requests "
        "each takes: the instance limits and per-instance concurrency are chosen so "
        "that every instance together stays within it.",
    )
    load: Load | None = Field(
        None,
        description="The load to serve ({rps, p95_ms, call_ms}): `capacity` and "
        "`explain` size instances and cost for it; `check` warns when the limits "
        "cannot carry it.",
    )
    dynamic_concurrency: bool = Field(
        False,
        description="Let the host adjust queue, blob and Service Bus concurrency "
        "(host.json concurrency.dynamicConcurrencyEnabled) instead of static limits.",
    )
    location: str | None = Field(
        None, pattern=r"^[a-z0-9]+$", description="Azure region, e.g. westeurope."
    )
    tags: dict[str, str] = Field(
        default_factory=dict, description="Tags for the plan and site."
    )
    app_settings: dict[str, str] = Field(
        default_factory=dict,
        description="Extra or overriding app settings (strings); overrides win.",
    )
    suppress: list[Suppression] = Field(
        default_factory=list,
        description="Checks whose findings are accepted for this app (azfn-profile check).",
    )
    app: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The app's code: a folder holding function_app.py, or a .py file, "
        "relative to this file's folder. `render`, `explain` and `check` read it "
        "(never run it) and size and judge the workload with it.",
    )
    site: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The function app this profile describes in infrastructure code: "
        "its site name, its ARM or Bicep symbolic name, or its Terraform address or "
        "resource name. `check` judges that app's workload with this profile's.",
    )

    def suppressed(self, today: date) -> set[str]:
        """The IDs of the suppressions in force on `today` (expired ones lapse)."""
        return {s.id for s in self.suppress if s.expires is None or today <= s.expires}


def validate_python(data: Any) -> Profile:
    """Validate profile data (pydantic's ValidationError on a bad shape)."""
    return Profile.model_validate(data)


def function_counts(profile: Profile) -> dict[str, int]:
    """How many functions of each trigger the app has, in the order declared.

    `functions` as a mapping or a list, else `triggers` (one function each), else
    one HTTP function.
    """
    if isinstance(profile.functions, dict):
        return {str(trigger): n for trigger, n in profile.functions.items()}
    counts: dict[str, int] = {}
    if isinstance(profile.functions, list):
        for function in profile.functions:
            counts[function.trigger] = counts.get(function.trigger, 0) + 1
        return counts
    for trigger in profile.triggers or ["http"]:
        counts[trigger] = counts.get(trigger, 0) + 1
    return counts


def named_functions(profile: Profile) -> tuple[tuple[str, str], ...]:
    """(name, trigger) of every function: listed names, else `<trigger>` for one
    function of a trigger and `<trigger>_<i>` for several."""
    if isinstance(profile.functions, list):
        return tuple((f.name, str(f.trigger)) for f in profile.functions)
    return names_for(function_counts(profile))


def names_for(counts: Mapping[str, int]) -> tuple[tuple[str, str], ...]:
    """Names for functions given by count (see `named_functions`)."""
    return tuple(
        (trigger if n == 1 else f"{trigger}_{i}", trigger)
        for trigger, n in counts.items()
        for i in range(1, n + 1)
    )
