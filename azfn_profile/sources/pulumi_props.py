"""Pulumi resources (camelCase properties, as azure-native sends them) -> Targets.

Shared by the CrossGuard pack (its stack view) and `pulumi preview --json` output.
Each `azure-native:web:WebApp` is joined to its `AppServicePlan` through
`serverFarmId`, or through its dependencies when the id is not known yet (preview),
and to `WebAppApplicationSettings`, `WebAppFtpAllowed`/`WebAppScmAllowed` and the
storage accounts of the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azfn_profile import catalog
from azfn_profile.checking import SourceTarget
from azfn_profile.checks import Target
from azfn_profile.findings import Location
from azfn_profile.sources.tags import (
    SUPPRESS_TAG,
    suppressions_from_tags,
    workload_from_tags,
)
from azfn_profile.spec import AppSpec, PlanSpec, SiteSpec

WEBAPP = "azure-native:web:WebApp"
PLAN = "azure-native:web:AppServicePlan"
SETTINGS = "azure-native:web:WebAppApplicationSettings"
FTP, SCM = "azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"
STORAGE = "azure-native:storage:StorageAccount"


@dataclass
class Resource:
    type: str
    urn: str
    props: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)  # dotted property paths


def stack_targets(
    resources: Iterable[Resource], file: str = "<stack>"
) -> list[SourceTarget]:
    all_resources = list(resources)
    by_type: dict[str, list[Resource]] = {}
    for r in all_resources:
        by_type.setdefault(r.type, []).append(r)
    sites = [
        r
        for r in by_type.get(WEBAPP, [])
        if "functionapp" in str(r.props.get("kind", "")).lower()
    ]
    return [_target(site, by_type, file) for site in sites]


def _same_site(r: Resource, site: Resource) -> bool:
    return r.props.get("name") == site.props.get("name") or site.urn in r.dependencies


def _plan(site: Resource, plans: list[Resource]) -> Resource | None:
    farm = site.props.get("serverFarmId")
    for plan in plans:
        if farm is not None and plan.props.get("id") == farm:
            return plan
    linked = [p for p in plans if p.urn in site.dependencies]
    return linked[0] if len(linked) == 1 else None


def _target(
    site: Resource, by_type: Mapping[str, list[Resource]], file: str
) -> SourceTarget:
    unknown = {
        p.replace("siteConfig.appSettings", "app_settings") for p in site.unknown
    }
    config = dict(site.props.get("siteConfig") or {})
    settings: dict[str, str] = {}
    for pair in config.get("appSettings") or []:
        if isinstance(pair, Mapping) and isinstance(pair.get("name"), str):
            value = pair.get("value")
            settings[pair["name"]] = value if isinstance(value, str) else ""
            if not isinstance(value, str):
                unknown.add(f"app_settings.{pair['name']}")
    for extra in by_type.get(SETTINGS, []):
        if _same_site(extra, site):
            for key, value in (extra.props.get("properties") or {}).items():
                settings[key] = value if isinstance(value, str) else ""
                if not isinstance(value, str):
                    unknown.add(f"app_settings.{key}")
            unknown |= {
                f"app_settings.{p.split('.', 1)[1]}"
                for p in extra.unknown
                if p.startswith("properties.")
            }
    plan_res = _plan(site, by_type.get(PLAN, []))
    plan = _plan_spec(plan_res, unknown)
    policies = {
        "ftp": [r for r in by_type.get(FTP, []) if _same_site(r, site)],
        "scm": [r for r in by_type.get(SCM, []) if _same_site(r, site)],
    }
    basic_off = all(
        any(r.props.get("allow") is False for r in rs) for rs in policies.values()
    )
    site_spec = SiteSpec(
        linux_fx_version=config.get("linuxFxVersion"),
        always_on=config.get("alwaysOn")
        if isinstance(config.get("alwaysOn"), bool)
        else None,
        kind=str(site.props.get("kind", "")),
        https_only=site.props.get("httpsOnly") is True,
        min_tls_version=str(config.get("minTlsVersion", "1.2")),
        scm_min_tls_version=str(config.get("scmMinTlsVersion", "1.2")),
        ftps_state=None
        if plan.family == "flex"
        else str(config.get("ftpsState", "AllAllowed")),
        identity=str((site.props.get("identity") or {}).get("type", "None")),
        basic_publishing_credentials=not basic_off,
    )
    for key, path in (
        ("httpsOnly", "site.https_only"),
        ("siteConfig", "site.min_tls_version"),
    ):
        if key in site.unknown:
            unknown.add(path)
    tags = dict(
        site.props.get("tags") or (plan_res.props.get("tags") if plan_res else {}) or {}
    )
    fac = site.props.get("functionAppConfig")
    python = _python(config, fac)
    spec = AppSpec(
        name=str(site.props.get("name", site.urn.rsplit("::", 1)[-1])),
        python=python or "",
        plan=plan,
        site=site_spec,
        app_settings=settings,
        host_json={},
        function_app_config=fac if isinstance(fac, Mapping) else None,
        workload=workload_from_tags(tags),
        tags={k: str(v) for k, v in tags.items()},
    )
    if python is None:
        unknown.add("python")
    where = Location(file, resource=site.urn)
    suppressions, _bad = (
        suppressions_from_tags(tags, where) if SUPPRESS_TAG in tags else ((), [])
    )
    storages = by_type.get(STORAGE, [])
    public = (
        any(s.props.get("allowBlobPublicAccess") is True for s in storages)
        if storages
        else None
    )
    target = Target(
        spec,
        frozenset(unknown),
        storage_public_blob=public,
        sku_known=plan_res is None or catalog.find_sku(plan.sku) is not None,
        suppressions=suppressions,
    )
    return SourceTarget(target, lambda _path: where)


def _plan_spec(plan: Resource | None, unknown: set[str]) -> PlanSpec:
    if plan is None:
        unknown.update({"plan.sku", "plan.reserved"})
        return PlanSpec("", "", "", "", 0.0, 0, None, None)
    sku_name = str((plan.props.get("sku") or {}).get("name", ""))
    if "sku" in plan.unknown or not sku_name:
        unknown.add("plan.sku")
    sku = catalog.find_sku(sku_name)
    cores, memory = sku.size() if sku else (0.0, 0)
    return PlanSpec(
        sku.name if sku else sku_name,
        sku.tier if sku else "",
        sku.family if sku else "",
        str(plan.props.get("kind", "")),
        cores,
        memory,
        None,
        None,
        reserved=plan.props.get("reserved") is True,
    )


def _python(config: Mapping[str, Any], fac: Any) -> str | None:
    fx = config.get("linuxFxVersion")
    if isinstance(fx, str) and fx.lower().startswith("python|"):
        return fx.split("|", 1)[1]
    if isinstance(fac, Mapping):
        version = (fac.get("runtime") or {}).get("version")
        return version if isinstance(version, str) else None
    return None
