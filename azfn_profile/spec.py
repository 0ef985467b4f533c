"""AppSpec: the one renderer-neutral description of a function app as configured.

Everything that writes a format reads an AppSpec; everything that reads a format
produces one. Values here are decided already: renderers only serialize them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from azfn_profile import facts

JsonScalar: TypeAlias = str | int | float | bool | None
JsonValue: TypeAlias = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class Decision:
    """One computed value and why: the rule, its inputs and the guidance applied."""

    setting: str
    value: JsonValue
    rule: str
    inputs: Mapping[str, JsonValue]
    guidance: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class WorkloadSpec:
    kind: str
    style: str
    io_share: float | None
    concurrency: int | None
    memory_per_process_mb: int | None  # None when the source does not say (tags)


@dataclass(frozen=True)
class PlanSpec:
    sku: str
    tier: str
    family: str
    kind: str
    cores: float
    memory_mb: int
    max_instances: int | None
    always_ready: int | None
    reserved: bool = True
    # Flex only: always-ready instances by scale group (`http`, `blob`, `durable`,
    # `function:<name>`), as functionAppConfig's alwaysReady lists them; None when
    # the source does not say. `always_ready` is the http group's count.
    ready_groups: Mapping[str, int] | None = None


@dataclass(frozen=True)
class TargetLoad:
    """The load the app must serve (a profile's `load`): calls/s, and optionally the
    p95 to stay within and one call's wall time, in ms."""

    rps: float
    p95_ms: float | None = None
    call_ms: float | None = None


@dataclass(frozen=True)
class Downstream:
    """A service the app's functions call that takes at most `max_concurrency`
    requests at once, from every instance together."""

    name: str
    max_concurrency: int
    functions: tuple[str, ...] | None = None  # names or triggers; None: all


# The tag that carries downstream limits to templates, so `check` and the policy
# pack judge a deployed app by them: `name=N` or `name=N:fn,fn`, entries joined by
# "; ". Azure tag values hold at most 256 characters.
DOWNSTREAM_TAG = "azfn-profile:downstream"
TAG_VALUE_LIMIT = 256
MAX_FUNCTIONS = 1000  # the most functions a profile sizes
_DOWNSTREAM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,127}")


# The tag that carries the app's functions, so a template's fleet has the same scale
# groups as its profile's: `name:trigger,...`, or `trigger=N,...` (counts) when the
# names do not fit in a tag value.
FUNCTIONS_TAG = "azfn-profile:functions"


def functions_tag(functions: Sequence[tuple[str, str]]) -> str:
    named = ",".join(f"{name}:{trigger}" for name, trigger in functions)
    if len(named) <= TAG_VALUE_LIMIT:
        return named
    counts: dict[str, int] = {}
    for _, trigger in functions:
        counts[trigger] = counts.get(trigger, 0) + 1
    return ",".join(f"{trigger}={n}" for trigger, n in counts.items())


def read_functions_tag(
    value: str, triggers: Sequence[str]
) -> tuple[dict[str, int], tuple[tuple[str, str], ...] | None] | None:
    """(counts by trigger, names or None) from a functions tag; None when the value
    is longer than a tag holds, any entry is malformed (a name that is not a
    function name, a trigger outside `triggers`) or the functions number more than
    MAX_FUNCTIONS."""
    if len(value) > TAG_VALUE_LIMIT:
        return None
    counts: dict[str, int] = {}
    names: list[tuple[str, str]] = []
    for entry in value.split(","):
        entry = entry.strip()
        name, colon, trigger = entry.partition(":")
        if colon:
            if not _FUNCTION_NAME.fullmatch(name) or trigger not in triggers:
                return None
            names.append((name, trigger))
            counts[trigger] = counts.get(trigger, 0) + 1
            continue
        trigger, eq, count = entry.partition("=")
        if (
            not eq
            or trigger not in triggers
            or not (count.isascii() and count.isdigit() and 0 < len(count) <= 4)
            or int(count) < 1
        ):
            return None
        counts[trigger] = counts.get(trigger, 0) + int(count)
        if sum(counts.values()) > MAX_FUNCTIONS:
            return None
    if not counts:
        return None
    named = tuple(names) if len(names) == sum(counts.values()) else None
    return counts, named


def downstream_tag(limits: Sequence[Downstream]) -> str:
    return "; ".join(
        f"{d.name}={d.max_concurrency}"
        + (":" + ",".join(d.functions) if d.functions else "")
        for d in limits
    )


def read_downstream_tag(value: str) -> tuple[tuple[Downstream, ...], list[str]]:
    """The limits a tag value holds, and the entries that are not `name=N[:fn,...]`
    with names as a profile writes them (split, then each part matched whole:
    linear in any value). A value longer than a tag holds is one bad entry."""
    found: list[Downstream] = []
    bad: list[str] = []
    if len(value) > TAG_VALUE_LIMIT:
        return (), [
            f"a value of {len(value)} characters (a tag holds {TAG_VALUE_LIMIT})"
        ]
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, eq, rest = entry.partition("=")
        count, colon, functions = rest.partition(":")
        number = count.strip()
        names = tuple(f.strip() for f in functions.split(",") if f.strip())
        if (
            not eq
            or not _DOWNSTREAM_NAME.fullmatch(name.strip())
            or not (number.isascii() and number.isdigit() and len(number) <= 9)
            or int(number) < 1
            or (colon and not names)
            or not all(_FUNCTION_NAME.fullmatch(f) for f in names)
        ):
            bad.append(entry[:200])
            continue
        found.append(Downstream(name.strip(), int(number), names or None))
    return tuple(found), bad


@dataclass(frozen=True)
class SiteSpec:
    """Site flags. Security values are the posture every renderer guarantees."""

    linux_fx_version: str | None
    always_on: bool | None
    kind: str = "functionapp,linux"
    https_only: bool = True
    min_tls_version: str = "1.2"
    scm_min_tls_version: str = "1.2"
    http20_enabled: bool = True
    ftps_state: str | None = "Disabled"  # None on Flex, which has no FTP endpoint
    identity: str = "SystemAssigned"
    basic_publishing_credentials: bool = False


@dataclass(frozen=True)
class AppSpec:
    name: str
    python: str
    plan: PlanSpec
    site: SiteSpec
    app_settings: Mapping[str, str]
    host_json: Mapping[str, JsonValue]
    function_app_config: Mapping[str, JsonValue] | None
    workload: WorkloadSpec | None = None
    triggers: tuple[str, ...] = ("http",)
    # How many functions of each trigger, when the source says (a profile does).
    functions: Mapping[str, int] | None = None
    # The functions by name, (name, trigger), when the source names them (a profile
    # does: listed names, or `<trigger>` / `<trigger>_<i>` for counted ones).
    function_names: tuple[tuple[str, str], ...] | None = None
    # Declared limits of the services the functions call (profile or tags).
    downstream: tuple[Downstream, ...] = ()
    # The load to serve, when a profile declares one (templates do not carry it).
    load: TargetLoad | None = None
    location: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    decisions: tuple[Decision, ...] = ()
    # The language runtime (python, dotnet-isolated, node, ...); None when the
    # source computes it at deployment or does not say.
    runtime: str | None = "python"
    # Physical names the profile pins (site, storage, plan, resource_group); the
    # others derive from `name` with a suffix unique to the deployment.
    pinned_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def processes(self) -> int | None:
        """Worker processes per instance as the host reads the setting (None when not
        set, or when the host could not read it)."""
        from azfn_profile.numbers import host_process_count

        return _int_setting(self.app_settings, facts.PROCESS_COUNT, host_process_count)

    @property
    def threads(self) -> int | None:
        return _int_setting(self.app_settings, facts.THREAD_COUNT)


def _int_setting(
    settings: Mapping[str, str],
    name: str,
    read: Callable[[object], int | None] | None = None,
) -> int | None:
    """The setting `name` (any case) as a count, read by `read` (ASCII digits by
    default); None when it is not set or does not read as one."""
    from azfn_profile.numbers import ascii_int

    for key, value in settings.items():
        if key.upper() == name:
            return (read or ascii_int)(value)
    return None


class Field:
    """Dotted paths into an AppSpec: how readers say what they could not evaluate and
    how checks ask for what they need. A path stands for everything under it: an
    unknown `site` makes `site.https_only` unknown too (see `is_under`)."""

    PYTHON = "python"
    RUNTIME = "runtime"
    WORKLOAD = "workload"
    HOST_JSON = "host_json"
    FUNCTION_APP_CONFIG = "function_app_config"
    APP_SETTINGS = "app_settings"  # the whole collection: no setting is known
    OTHER_SETTINGS = "app_settings.*"  # settings beyond those listed may exist
    PLAN = "plan"
    PLAN_SKU = "plan.sku"
    PLAN_RESERVED = "plan.reserved"
    PLAN_INSTANCE_MEMORY = "plan.instance_memory_mb"
    PLAN_MAX_INSTANCES = "plan.max_instances"
    PLAN_ALWAYS_READY = "plan.always_ready"
    DOWNSTREAM = "downstream"  # downstream.<index>: one declared limit
    FUNCTIONS = "functions"  # the app's functions (names and triggers)
    SITE = "site"
    SITE_CONFIG = "site_config"  # the whole siteConfig (the join marks its flags)
    SITE_KIND = "site.kind"
    SITE_ALWAYS_ON = "site.always_on"
    SITE_HTTPS_ONLY = "site.https_only"
    SITE_MIN_TLS = "site.min_tls_version"
    SITE_SCM_MIN_TLS = "site.scm_min_tls_version"
    SITE_FTPS = "site.ftps_state"
    SITE_IDENTITY = "site.identity"
    SITE_BASIC_PUBLISHING = "site.basic_publishing_credentials"

    @staticmethod
    def setting(name: str) -> str:
        return f"app_settings.{name}"


def is_under(path: str, unknown: frozenset[str] | set[str]) -> str | None:
    """The entry of `unknown` that covers `path` (itself or a dotted prefix of it)."""
    probe = path
    while True:
        if probe in unknown:
            return probe
        head, dot, _ = probe.rpartition(".")
        if not dot:
            return None
        probe = head
