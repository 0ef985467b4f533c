"""The one join: a resource graph becomes the function apps it deploys.

A site (`Microsoft.Web/sites` of kind `functionapp…`, or a slot of one) joins, by
identity within its deployment: its plan (through `serverFarmId`), its `sites/config`
children (`appsettings`, `web`), its `basicPublishingCredentialsPolicies` and, for a
slot, the site it belongs to. Identities compare evaluated names, or the values that
stand for expressions, so `uniqueString(...)`-built names still join. What stays
computed at deployment is recorded as unknown, per path, for the checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from azfn_profile import catalog
from azfn_profile.checking import AppInfo, SourceTarget
from azfn_profile.checks import Target
from azfn_profile.findings import Location, Suppression
from azfn_profile.secret import Secret
from azfn_profile.sources.graph import Graph, Resource, identity, name_text, ref_key
from azfn_profile.sources.runtime import Runtime, resolve
from azfn_profile.sources.scale import scaled, whole_number
from azfn_profile.sources.tags import (
    SUPPRESS_TAG,
    suppressions_from_tags,
    workload_from_tags,
)
from azfn_profile.sources.values import (
    Opaque,
    ResourceId,
    Text,
    known,
    parse_id,
    shown_text,
)
from azfn_profile.spec import (
    DOWNSTREAM_TAG,
    FUNCTIONS_TAG,
    MAX_FUNCTIONS,
    TAG_VALUE_LIMIT,
    AppSpec,
    Downstream,
    Field,
    PlanSpec,
    SiteSpec,
    read_downstream_tag,
    read_functions_tag,
)
from azfn_profile.terms import Trigger

SITES, SLOTS = "microsoft.web/sites", "microsoft.web/sites/slots"
PLAN = "microsoft.web/serverfarms"
CONFIG = {
    SITES: "microsoft.web/sites/config",
    SLOTS: "microsoft.web/sites/slots/config",
}
POLICY = {
    SITES: "microsoft.web/sites/basicpublishingcredentialspolicies",
    SLOTS: "microsoft.web/sites/slots/basicpublishingcredentialspolicies",
}
STORAGE = "microsoft.storage/storageaccounts"
FUNCTION_SETTINGS = ("FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME")

# A profile that names the app it describes (`site:`): the app's names or symbols
# (lower case) -> the profile's resolved spec, whose workload, functions and
# downstream limits the app is judged with.
Declared = Callable[[list[str]], AppSpec | None]
OnProblem = Callable[[Resource, str], None]  # report a located problem (a bad tag)


def _no_declaration(names: list[str]) -> AppSpec | None:
    return None


@dataclass
class _Index:
    by_key: dict[tuple[Any, ...], list[Resource]] = field(
        default_factory=lambda: defaultdict(list)
    )
    storage: dict[str, list[Resource]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (deployment, child kind, parent identity) -> children
    children: dict[tuple[Any, ...], list[Resource]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def find(
        self, deployment: str, kind: str, segments: tuple[Any, ...]
    ) -> list[Resource]:
        return self.by_key.get(_key(deployment, identity(kind, segments)), [])


def _key(deployment: str, key: tuple[str, tuple[str, ...]]) -> tuple[Any, ...]:
    return (deployment, key[0], key[1])


def join(
    graph: Graph, declared: Declared = _no_declaration, problem: OnProblem | None = None
) -> list[SourceTarget]:
    index = _Index()
    child_kinds = {*CONFIG.values(), *POLICY.values()}
    for r in graph.resources:
        index.by_key[_key(r.deployment, r.key())].append(r)
        if r.kind == STORAGE and not r.existing:
            index.storage[r.deployment].append(r)
        if r.kind in child_kinds and len(r.segments) > 1:
            owner = identity(r.kind.rsplit("/", 1)[0], r.segments[:-1])
            index.children[(r.deployment, r.kind, owner)].append(r)
    targets = []
    for r in graph.resources:
        if r.kind not in (SITES, SLOTS) or r.existing:
            continue
        parent = _parent_site(r, index) if r.kind == SLOTS else None
        if _is_function_app(r, parent, index):
            targets.append(_App(r, parent, index, declared, problem).target())
    return targets


def _parent_site(slot: Resource, index: _Index) -> Resource | None:
    segments = slot.segments
    found = (
        index.find(slot.deployment, SITES, segments[:-1]) if len(segments) > 1 else []
    )
    return found[0] if found else None


def _is_function_app(site: Resource, parent: Resource | None, index: _Index) -> bool:
    kind = site.body.get("kind")
    if kind is None and parent is not None:
        kind = parent.body.get("kind")
    if isinstance(kind, str):
        return "functionapp" in kind.lower() and "workflowapp" not in kind.lower()
    # The kind is computed: a function app only when its configuration says so.
    props = site.props() if isinstance(site.props(), dict) else {}
    if isinstance(props.get("functionAppConfig"), dict):
        return True
    settings, _ = _settings(site, index, set())
    return any(k.upper() in FUNCTION_SETTINGS for k in settings)


def _location(value: Any) -> str | None:
    """The region, when the source writes it as plain text."""
    if isinstance(value, str) and known(value) and 0 < len(value) <= 64:
        return value
    return None


class _App:
    """Everything one function app is configured with, gathered from the graph."""

    def __init__(
        self,
        site: Resource,
        parent: Resource | None,
        index: _Index,
        declared: Declared,
        problem: OnProblem | None,
    ) -> None:
        self.site, self.parent, self.index = site, parent, index
        self.declared, self.problem = declared, problem
        self.unknown: set[str] = set()
        self.reasons: dict[str, str] = {}  # top-level path -> why it is unknown
        props = site.props()
        if not isinstance(props, dict):
            if props is not None:
                self.unknown.update(
                    {Field.SITE, Field.APP_SETTINGS, Field.FUNCTION_APP_CONFIG}
                )
                why = "the site's properties are computed at deployment"
                for head in (Field.SITE, Field.APP_SETTINGS, Field.FUNCTION_APP_CONFIG):
                    self.reasons[head] = why
            props = {}
        self.props = props

    def target(self) -> SourceTarget:
        site, unknown = self.site, self.unknown
        settings, setting_at = _settings(site, self.index, unknown)
        config = self._site_config()
        fac = self.props.get("functionAppConfig")
        if not isinstance(fac, dict | type(None)):
            unknown.add(Field.FUNCTION_APP_CONFIG)
            fac = None
        plan_res = self._plan()
        plan = self._plan_spec(plan_res, fac)
        plan_props = plan_res.props() if plan_res is not None else None
        plan = scaled(
            plan,
            plan_props if isinstance(plan_props, dict) else {},
            config,
            fac,
            unknown,
        )
        runtime = resolve(settings, config, fac)
        if runtime.name is None:
            unknown.add(Field.RUNTIME)
        python = runtime.version if runtime.name == "python" else None
        if runtime.name == "python" and python is None:
            unknown.add(Field.PYTHON)
        site_spec = self._site_spec(config, plan.family, runtime)
        tags = self._tags(plan_res)
        names = self._names()
        declared = self.declared(names)
        workload = workload_from_tags(tags) or (declared.workload if declared else None)
        spec = AppSpec(
            name=name_text(site.name),
            python=python or "",
            plan=plan,
            site=site_spec,
            app_settings={k: _as_text(v) for k, v in settings.items()},
            host_json={},
            function_app_config=fac if isinstance(fac, dict) else None,
            workload=workload,
            tags={k: shown_text(v) for k, v in tags.items()},
            runtime=runtime.name,
            location=_location(site.body.get("location")),
            downstream=self._downstream(tags)
            or (declared.downstream if declared else ()),
            **self._functions(declared, tags),
        )
        for key, value in settings.items():
            if not known(value):
                unknown.add(Field.setting(key))
        storages = [s for s in self.index.storage[site.deployment] if not s.existing]
        public = self._public_storage(storages)
        suppressions = self._suppressions(tags)
        target = Target(
            spec,
            frozenset(unknown),
            storage_public_blob=public,
            sku_known=plan_res is None or catalog.find_sku(plan.sku) is not None,
            suppressions=suppressions,
            reasons=self.reasons,
        )
        locate = self._locator(setting_at, plan_res, storages)
        info = AppInfo(
            file=site.file,
            line=site.line,
            resource=site.display,
            kind=_kind_text(site, self.parent),
            runtime=runtime.name,
            runtime_from=runtime.source,
            plan_sku=plan.sku or None,
            symbol=site.symbol,
            via=tuple(site.chain),
            conditional=site.conditional,
            unknown=tuple(sorted(unknown)),
        )
        return SourceTarget(target, locate, info)

    # -- pieces ------------------------------------------------------------------

    def _site_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for source in (self.parent, self.site):
            if source is None:
                continue
            props = source.props()
            sc = props.get("siteConfig") if isinstance(props, dict) else None
            if isinstance(sc, dict):
                config.update(sc)
            elif sc is not None and source is self.site:
                self.unknown.add(Field.SITE_CONFIG)
        for child in _children(self.site, CONFIG, self.index):
            if _leaf(child) == "web":
                web = child.props()
                if isinstance(web, dict):
                    config.update(web)
                elif web is not None:
                    self.unknown.add(Field.SITE_CONFIG)
        return config

    def _plan(self) -> Resource | None:
        farm = self.props.get("serverFarmId")
        if farm is None and self.parent is not None:
            parent_props = self.parent.props()
            farm = (
                parent_props.get("serverFarmId")
                if isinstance(parent_props, dict)
                else None
            )
        ref = parse_id(farm)
        if ref is None:
            self.unknown.update({Field.PLAN_SKU, Field.PLAN_RESERVED})
            self.reasons["plan"] = (
                "the plan is computed at deployment"
                if farm is not None
                else "the site names no plan"
            )
            return None
        found = self.index.by_key.get(_key(self.site.deployment, ref_key(ref)), [])
        if not found:
            self.unknown.update({Field.PLAN_SKU, Field.PLAN_RESERVED})
            self.reasons["plan"] = (
                f"the plan ({ref}) is not declared in this deployment"
            )
            return None
        return found[0]

    def _plan_spec(self, plan: Resource | None, fac: Any) -> PlanSpec:
        if plan is None or plan.existing:
            if plan is not None:
                self.reasons["plan"] = "the plan is an existing resource, not set here"
            self.unknown.update({Field.PLAN_SKU, Field.PLAN_RESERVED})
            family = "flex" if isinstance(fac, dict) else ""
            return PlanSpec("", "", family, "", 0.0, 0, None, None)
        sku_body = plan.body.get("sku")
        name = sku_body.get("name") if isinstance(sku_body, dict) else None
        if not isinstance(name, str):
            self.unknown.add(Field.PLAN_SKU)
            name = ""
        sku = catalog.find_sku(name) if name else None
        props = plan.props() if isinstance(plan.props(), dict) else {}
        reserved = props.get("reserved", False)
        if not isinstance(reserved, bool):
            self.unknown.add(Field.PLAN_RESERVED)
        family = sku.family if sku else ("flex" if isinstance(fac, dict) else "")
        memory = self._flex_memory(fac) if family == "flex" else None
        cores, memory_mb = sku.size(memory) if sku else (0.0, 0)
        kind = plan.body.get("kind")
        # Elastic Premium keeps sku.capacity instances always ready (its minimum).
        capacity = sku_body.get("capacity") if isinstance(sku_body, dict) else None
        # (Pulumi's property values carry numbers as floats: 1.0.)
        ready = (
            int(capacity)
            if family == "premium"
            and isinstance(capacity, int | float)
            and not isinstance(capacity, bool)
            and capacity == int(capacity)
            else None
        )
        return PlanSpec(
            sku.name if sku else name,
            sku.tier
            if sku
            else str(sku_body.get("tier", ""))
            if isinstance(sku_body, dict)
            else "",
            family,
            kind if isinstance(kind, str) else "",
            cores,
            memory_mb,
            None,
            ready,
            reserved=reserved is True,
        )

    def _flex_memory(self, fac: Any) -> int | None:
        scale = fac.get("scaleAndConcurrency") if isinstance(fac, dict) else None
        memory = scale.get("instanceMemoryMB") if isinstance(scale, dict) else None
        memory = whole_number(memory, Field.PLAN_INSTANCE_MEMORY, self.unknown)
        return memory if memory in (512, 2048, 4096) else None

    def _site_spec(
        self, config: dict[str, Any], family: str, runtime: Runtime
    ) -> SiteSpec:
        unknown, props = self.unknown, self.props
        site_wide = Field.SITE_CONFIG in unknown

        def flag(key: str, path: str, default: Any) -> Any:
            value = config.get(key, default)
            if (value is not None and not known(value)) or (
                site_wide and key not in config
            ):
                unknown.add(path)
                return default
            return value

        https = props.get("httpsOnly", False)
        if not isinstance(https, bool):
            unknown.add(Field.SITE_HTTPS_ONLY)
        identity_body = self.site.body.get("identity")
        ident: Any = "None"
        if isinstance(identity_body, dict):
            ident = identity_body.get("type", "None")
        elif identity_body is not None:
            ident = identity_body
        if not isinstance(ident, str):
            unknown.add(Field.SITE_IDENTITY)
            ident = "None"
        kind = _kind_text(self.site, self.parent)
        if kind.startswith("<"):
            unknown.add(Field.SITE_KIND)
        always_on = flag("alwaysOn", Field.SITE_ALWAYS_ON, None)
        return SiteSpec(
            linux_fx_version=config.get("linuxFxVersion")
            if isinstance(config.get("linuxFxVersion"), str)
            else None,
            always_on=always_on if isinstance(always_on, bool) else None,
            kind=kind,
            https_only=https is True,
            min_tls_version=str(flag("minTlsVersion", Field.SITE_MIN_TLS, "1.2")),
            scm_min_tls_version=str(
                flag("scmMinTlsVersion", Field.SITE_SCM_MIN_TLS, "1.2")
            ),
            ftps_state=None
            if family == "flex"
            else str(flag("ftpsState", Field.SITE_FTPS, "AllAllowed")),
            identity=ident,
            basic_publishing_credentials=self._basic_publishing(family),
        )

    def _basic_publishing(self, family: str) -> bool:
        policies: dict[str, Any] = {}
        for child in _children(self.site, POLICY, self.index):
            props = child.props()
            allow = props.get("allow") if isinstance(props, dict) else props
            policies[_leaf(child)] = allow
        wanted = ("scm",) if family == "flex" else ("ftp", "scm")  # Flex has no FTP
        values = [policies.get(name) for name in wanted]
        if any(v is not None and not isinstance(v, bool) for v in values):
            self.unknown.add(Field.SITE_BASIC_PUBLISHING)
            return True
        return not all(v is False for v in values)

    def _tags(self, plan: Resource | None) -> dict[str, Any]:
        for source in (self.site, self.parent, plan):
            tags = source.body.get("tags") if source is not None else None
            if isinstance(tags, dict) and tags:
                return {str(k): v for k, v in tags.items()}
        return {}

    def _names(self) -> list[str]:
        names = [self.site.display]
        if isinstance(self.site.name, str):
            names.append(self.site.name)
        if self.site.symbol:
            names.append(self.site.symbol)
        return [n.lower() for n in names]

    def _tag_text(self, tags: Mapping[str, Any], name: str, field: str) -> str | None:
        """A tag's value as text; a computed or secure value makes `field`
        unknown, and any other non-text value is a located problem."""
        value = tags.get(name)
        if value is None:
            return None
        if isinstance(value, Secret) or not known(value):
            self.unknown.add(field)
            self.reasons[field] = f"the {name} tag is computed at deployment"
            return None
        if not isinstance(value, str):
            if self.problem is not None:
                self.problem(self.site, f"the {name} tag is not text")
            self.unknown.add(field)
            self.reasons[field] = f"the {name} tag is not text"
            return None
        return value

    def _functions(
        self, declared: AppSpec | None, tags: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The app's functions: the profile's that names the app, else the functions
        tag `render` writes; unknown otherwise."""
        if declared is not None:
            return {
                "functions": declared.functions,
                "function_names": declared.function_names,
                "triggers": declared.triggers,
            }
        value = self._tag_text(tags, FUNCTIONS_TAG, Field.FUNCTIONS)
        if value is None:
            return {}
        read = read_functions_tag(value, get_args(Trigger))
        if read is None:
            if self.problem is not None:
                self.problem(
                    self.site,
                    f"{FUNCTIONS_TAG} {value[:200]!r} is not 'name:trigger,...' or "
                    f"'trigger=N,...' of at most {MAX_FUNCTIONS} functions in "
                    f"{TAG_VALUE_LIMIT} characters",
                )
            return {}
        counts, names = read
        return {"functions": counts, "function_names": names, "triggers": tuple(counts)}

    def _downstream(self, tags: Mapping[str, Any]) -> tuple[Downstream, ...]:
        value = self._tag_text(tags, DOWNSTREAM_TAG, Field.DOWNSTREAM)
        if value is None:
            return ()
        found, bad = read_downstream_tag(value)
        self._bad_entries(DOWNSTREAM_TAG, bad, "'name=N' or 'name=N:function,function'")
        return found

    def _suppressions(self, tags: Mapping[str, Any]) -> tuple[Suppression, ...]:
        if SUPPRESS_TAG not in tags:
            return ()
        found, bad = suppressions_from_tags(tags, self.site.where(("tags",)))
        self._bad_entries(SUPPRESS_TAG, bad, "'AZFNnnn: reason [until YYYY-MM-DD]'")
        return found

    def _bad_entries(self, tag: str, entries: Sequence[str], shape: str) -> None:
        """A located problem for each entry of a list tag that does not read."""
        if self.problem is not None:
            for entry in entries:
                self.problem(self.site, f"{tag} entry {entry!r} is not {shape}")

    @staticmethod
    def _public_storage(storages: list[Resource]) -> bool | None:
        if not storages:
            return None
        for storage in storages:
            props = storage.props()
            if isinstance(props, dict) and props.get("allowBlobPublicAccess") is True:
                return True
        return False

    def _locator(
        self,
        setting_at: dict[str, Place],
        plan: Resource | None,
        storages: list[Resource],
    ) -> Callable[[str], Location]:
        site = self.site

        def place(dotted: str) -> Location:
            head, _, rest = dotted.partition(".")
            if head == "app_settings" and rest in setting_at:
                owner, path = setting_at[rest]
                return owner.where(path)
            if head == "app_settings":  # not set: where settings are declared
                owner, path = setting_at[""]
                return owner.where(path)
            if head == "plan" and plan is not None:
                return plan.where(("sku",))
            if head == "storage" and storages:
                return storages[0].where(("properties", "allowBlobPublicAccess"))
            if head == "site" and rest in _SITE_PATHS:
                return site.where(_SITE_PATHS[rest])
            if head == "function_app_config":
                return site.where(("properties", "functionAppConfig"))
            return site.where(("properties",)) if head != "python" else site.where(())

        def locate(dotted: str) -> Location:
            """Where a finding is; always about the site (suppressions match it)."""
            if not dotted:
                return Location(site.file, resource=site.display, via=site.chain)
            found = place(dotted)
            return Location(found.file, found.line, found.col, site.display, site.chain)

        return locate


_SITE_PATHS: dict[str, tuple[Any, ...]] = {
    "https_only": ("properties", "httpsOnly"),
    "min_tls_version": ("properties", "siteConfig", "minTlsVersion"),
    "scm_min_tls_version": ("properties", "siteConfig", "scmMinTlsVersion"),
    "ftps_state": ("properties", "siteConfig", "ftpsState"),
    "always_on": ("properties", "siteConfig", "alwaysOn"),
    "identity": ("identity",),
    "kind": ("kind",),
}


def _children(
    site: Resource, kinds: Mapping[str, str], index: _Index
) -> list[Resource]:
    """Children of `kinds[site.kind]` whose name is the site's name plus one segment."""
    return index.children.get((site.deployment, kinds[site.kind], site.key()), [])


def _leaf(resource: Resource) -> str:
    last = resource.segments[-1] if resource.segments else ""
    return last.lower() if isinstance(last, str) else "<computed>"


Place = tuple[Resource, tuple[Any, ...]]


def _settings(
    site: Resource, index: _Index, unknown: set[str]
) -> tuple[dict[str, Any], dict[str, Place]]:
    """App settings as deployed: `siteConfig.appSettings`, then `sites/config`
    `appsettings` children (which replace them, unless the child says it merges)."""
    settings: dict[str, Any] = {}
    where: dict[str, Place] = {"": (site, ("properties", "siteConfig", "appSettings"))}
    props = site.props()
    config = props.get("siteConfig") if isinstance(props, dict) else None
    pairs = config.get("appSettings") if isinstance(config, dict) else None
    if isinstance(pairs, list):
        for i, pair in enumerate(pairs):
            name = pair.get("name") if isinstance(pair, dict) else None
            if not isinstance(name, str):
                unknown.add(Field.OTHER_SETTINGS)
                continue
            settings[name] = pair.get("value")
            where[name] = (
                site,
                ("properties", "siteConfig", "appSettings", i, "value"),
            )
    elif pairs is not None or (config is not None and not isinstance(config, dict)):
        unknown.add(Field.APP_SETTINGS)
    if site.kind in CONFIG:
        for child in _children(site, CONFIG, index):
            if _leaf(child) != "appsettings":
                continue
            values = child.props()
            if not isinstance(values, dict):
                unknown.add(Field.APP_SETTINGS)
                continue
            if not child.extra.get("merges_existing"):
                settings, where = {}, {}
            where[""] = (child, ("properties",))
            for key, value in values.items():
                settings[str(key)] = value
                where[str(key)] = (child, ("properties", key))
    return settings, where


def _kind_text(site: Resource, parent: Resource | None) -> str:
    kind = site.body.get("kind")
    if kind is None and parent is not None:
        kind = parent.body.get("kind")
    if isinstance(kind, str):
        return kind
    return f"<{kind}>" if isinstance(kind, Opaque | Text | ResourceId) else ""


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return shown_text(value)
