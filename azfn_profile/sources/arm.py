"""An ARM deployment template as a check source.

Every `Microsoft.Web/sites` whose kind contains `functionapp` becomes a Target, joined
to its `serverfarms` through `serverFarmId`. App settings come from
`siteConfig.appSettings` and from `sites/config` `appsettings` children; site flags
also from `sites/config` `web`. Values the evaluator cannot compute are marked unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from azfn_profile import catalog
from azfn_profile.checking import SourceTarget
from azfn_profile.checks import Target
from azfn_profile.findings import Finding, Location, Suppression
from azfn_profile.sources.arm_expr import UNKNOWN, Evaluator, canonical_id
from azfn_profile.sources.tags import (
    SUPPRESS_TAG,
    suppressions_from_tags,
    workload_from_tags,
)
from azfn_profile.spec import AppSpec, PlanSpec, SiteSpec

SCHEMA_MARK = "deploymentTemplate.json"


def is_template(data: Any) -> bool:
    return isinstance(data, dict) and (
        SCHEMA_MARK in str(data.get("$schema", ""))
        or isinstance(data.get("resources"), list)
    )


@dataclass
class Res:
    type: str  # full type, e.g. Microsoft.Web/sites/config
    name: Any  # evaluated full name, e.g. "app/appsettings"
    body: dict[str, Any]  # evaluated
    path: tuple[str | int, ...]  # where it is in the raw template
    raw: dict[str, Any]  # as written


def _flatten(
    resources: Any,
    ev: Evaluator,
    path: tuple[str | int, ...],
    parent: Res | None = None,
) -> Iterator[Res]:
    if not isinstance(resources, list):
        return
    for i, raw in enumerate(resources):
        if not isinstance(raw, dict):
            continue
        body = ev.value({k: v for k, v in raw.items() if k != "resources"})
        rtype, name = str(body.get("type", "")), body.get("name", UNKNOWN)
        if parent is not None:  # nested child: relative type and name
            rtype = f"{parent.type}/{rtype}"
            name = (
                f"{parent.name}/{name}"
                if isinstance(parent.name, str) and isinstance(name, str)
                else UNKNOWN
            )
        res = Res(rtype, name, body, (*path, i), raw)
        yield res
        yield from _flatten(raw.get("resources"), ev, (*path, i, "resources"), res)


def _parameter_values(template: dict[str, Any]) -> dict[str, Any]:
    params = template.get("parameters") or {}
    ev = Evaluator({}, template.get("variables") or {})
    out: dict[str, Any] = {}
    for name, spec in params.items():  # defaults may refer to earlier parameters
        ev.parameters = out
        out[name] = (
            ev.value(spec.get("defaultValue", UNKNOWN))
            if isinstance(spec, dict)
            else UNKNOWN
        )
    return out


def arm_targets(
    template: dict[str, Any], text: str, display: str
) -> tuple[list[SourceTarget], list[Finding]]:
    ev = Evaluator(_parameter_values(template), template.get("variables") or {})
    resources = list(_flatten(template.get("resources"), ev, ("resources",)))
    return resource_targets(resources, _Marks(text, display), display, "template")


def resource_targets(
    resources: list[Res], marks: Any, display: str, what: str
) -> tuple[list[SourceTarget], list[Finding]]:
    """Targets for every function app among evaluated resources (ARM or Bicep)."""
    sites = [
        r
        for r in resources
        if r.type.lower() == "microsoft.web/sites"
        and "functionapp" in str(r.body.get("kind", "")).lower()
    ]
    if not sites:
        return [], [
            Finding(
                "AZFN000",
                "input.unreadable",
                "error",
                "no function app (Microsoft.Web/sites with kind functionapp) "
                f"in this {what}",
                Location(display, 1, 1),
            )
        ]
    targets, problems = [], []
    for site in sites:
        target, bad = _site_target(site, resources, marks)
        targets.append(target)
        problems += [
            Finding(
                "AZFN000",
                "input.unreadable",
                "error",
                f"{SUPPRESS_TAG} entry {entry!r} is not "
                "'AZFNnnn: reason [until YYYY-MM-DD]'",
                marks.at(site.path, str(site.name)),
            )
            for entry in bad
        ]
    return targets, problems


def _site_target(
    site: Res, resources: list[Res], marks: Any
) -> tuple[SourceTarget, list[str]]:
    unknown: set[str] = set()
    props = site.body.get("properties") or {}
    config = dict(props.get("siteConfig") or {})
    settings: dict[str, str] = {}
    setting_paths: dict[str, tuple[str | int, ...]] = {}
    children = [
        r
        for r in resources
        if isinstance(r.name, str)
        and isinstance(site.name, str)
        and r.name.lower().startswith(site.name.lower() + "/")
    ]
    raw_pairs = _dig(site.raw, "properties", "siteConfig", "appSettings") or []
    for i, pair in enumerate(config.get("appSettings") or []):
        if isinstance(pair, dict) and isinstance(pair.get("name"), str):
            raw = raw_pairs[i].get("value") if i < len(raw_pairs) else None
            _put(settings, unknown, pair["name"], pair.get("value"), raw)
            setting_paths[pair["name"]] = (
                *site.path,
                "properties",
                "siteConfig",
                "appSettings",
                i,
            )
    for child in children:
        leaf = str(child.name).rsplit("/", 1)[-1].lower()
        if child.type.lower() == "microsoft.web/sites/config" and leaf == "appsettings":
            raw_props = _dig(child.raw, "properties") or {}
            for key, val in (child.body.get("properties") or {}).items():
                _put(settings, unknown, key, val, raw_props.get(key))
                setting_paths[key] = (*child.path, "properties", key)
        elif child.type.lower() == "microsoft.web/sites/config" and leaf == "web":
            config.update(child.body.get("properties") or {})
    plan_res = _plan_for(site, props, resources)
    plan = _plan_spec(plan_res, unknown)
    site_spec = _site_spec(site, config, props, children, plan.family, unknown)
    tags = dict(site.body.get("tags") or {}) or dict(
        (plan_res.body.get("tags") or {}) if plan_res else {}
    )
    fac = props.get("functionAppConfig")
    if fac is UNKNOWN:
        unknown.add("function_app_config")
    storage = [
        r for r in resources if r.type.lower() == "microsoft.storage/storageaccounts"
    ]
    public = None
    if storage:
        public = any(
            (r.body.get("properties") or {}).get("allowBlobPublicAccess") is True
            for r in storage
        )
    python = _python(config, fac)
    if python is None:
        unknown.add("python")
    spec = AppSpec(
        name=site.name if isinstance(site.name, str) else "<computed>",
        python=python or "",
        plan=plan,
        site=site_spec,
        app_settings=settings,
        host_json={},
        function_app_config=fac if isinstance(fac, dict) else None,
        workload=workload_from_tags(tags),
        tags={k: str(v) for k, v in tags.items()},
    )
    known_sku = plan_res is not None and catalog.find_sku(plan.sku) is not None
    suppressions: tuple[Suppression, ...] = ()
    bad: list[str] = []
    if SUPPRESS_TAG in tags:
        suppressions, bad = suppressions_from_tags(tags, marks.at(site.path, spec.name))
    target = Target(
        spec,
        frozenset(unknown),
        storage_public_blob=public,
        sku_known=known_sku or plan_res is None,
        suppressions=suppressions,
    )

    def locate(dotted: str) -> Location:
        if not dotted:  # the app as a whole: no need to find line numbers
            return Location(marks.display, resource=str(site.name))
        head, _, rest = dotted.partition(".")
        path = site.path
        if head == "app_settings" and rest in setting_paths:
            path = setting_paths[rest]
        elif head == "plan" and plan_res is not None:
            path = plan_res.path
        elif head == "storage" and storage:
            path = storage[0].path
        location: Location = marks.at(path, str(site.name))
        return location

    return SourceTarget(target, locate), bad


def _put(
    settings: dict[str, str], unknown: set[str], name: str, value: Any, raw: Any
) -> None:
    if isinstance(value, (str, int, float, bool)) and value is not UNKNOWN:
        settings[name] = str(value).lower() if isinstance(value, bool) else str(value)
    else:  # keep the expression as written: some checks can judge its text
        settings[name] = raw if isinstance(raw, str) else ""
        unknown.add(f"app_settings.{name}")


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _plan_for(site: Res, props: dict[str, Any], resources: list[Res]) -> Res | None:
    wanted = canonical_id(props.get("serverFarmId"))
    for r in resources:
        if (
            r.type.lower() == "microsoft.web/serverfarms"
            and isinstance(r.name, str)
            and wanted == f"microsoft.web/serverfarms/{r.name}".lower()
        ):
            return r
    return None


def _plan_spec(plan: Res | None, unknown: set[str]) -> PlanSpec:
    if plan is None:
        unknown.update({"plan.sku", "plan.reserved"})
        return PlanSpec("", "", "", "", 0.0, 0, None, None, reserved=True)
    sku_body = plan.body.get("sku") or {}
    name = sku_body.get("name")
    if not isinstance(name, str):
        unknown.add("plan.sku")
        name = ""
    sku = catalog.find_sku(name)
    reserved = (plan.body.get("properties") or {}).get("reserved", False)
    if reserved is UNKNOWN:
        unknown.add("plan.reserved")
    cores, memory = sku.size() if sku else (0.0, 0)
    return PlanSpec(
        sku.name if sku else name,
        sku.tier if sku else str(sku_body.get("tier")),
        sku.family if sku else "",
        str(plan.body.get("kind", "")),
        cores,
        memory,
        None,
        None,
        reserved=reserved is True,
    )


def _site_spec(
    site: Res,
    config: dict[str, Any],
    props: dict[str, Any],
    children: list[Res],
    family: str,
    unknown: set[str],
) -> SiteSpec:
    def flag(key: str, default: Any, path: str) -> Any:
        value = (
            config.get(key, default) if key in config or default is not None else None
        )
        if value is UNKNOWN:
            unknown.add(path)
        return value

    policies = {
        str(c.name).rsplit("/", 1)[-1].lower(): (c.body.get("properties") or {}).get(
            "allow"
        )
        for c in children
        if c.type.lower() == "microsoft.web/sites/basicpublishingcredentialspolicies"
    }
    https = props.get("httpsOnly", False)
    if https is UNKNOWN:
        unknown.add("site.https_only")
    identity = (site.body.get("identity") or {}).get("type", "None")
    return SiteSpec(
        linux_fx_version=config.get("linuxFxVersion")
        if isinstance(config.get("linuxFxVersion"), str)
        else None,
        always_on=config.get("alwaysOn")
        if isinstance(config.get("alwaysOn"), bool)
        else None,
        kind=str(site.body.get("kind", "")),
        https_only=https is True,
        # Azure's defaults when a template leaves these out: TLS 1.2, FTP allowed.
        min_tls_version=str(flag("minTlsVersion", "1.2", "site.min_tls_version")),
        scm_min_tls_version=str(
            flag("scmMinTlsVersion", "1.2", "site.scm_min_tls_version")
        ),
        ftps_state=None
        if family == "flex"
        else str(flag("ftpsState", "AllAllowed", "site.ftps_state")),
        identity=str(identity),
        basic_publishing_credentials=not (
            policies.get("ftp") is False and policies.get("scm") is False
        ),
    )


def _python(config: dict[str, Any], fac: Any) -> str | None:
    fx = config.get("linuxFxVersion")
    if isinstance(fx, str) and fx.lower().startswith("python|"):
        return fx.split("|", 1)[1]
    if isinstance(fac, dict):
        runtime = fac.get("runtime") or {}
        if isinstance(runtime, dict) and isinstance(runtime.get("version"), str):
            return str(runtime["version"])
    return None


class _Marks:
    """Line/column of template paths, computed only when a finding needs one."""

    def __init__(self, text: str, display: str) -> None:
        self.text, self.display = text, display
        self._doc: Any = None

    def at(self, path: tuple[str | int, ...], resource: str) -> Location:
        if self._doc is None:
            from azfn_profile.yamlload import parse_json_marks

            self._doc = parse_json_marks(self.text, self.display)
        mark = self._doc.mark_for(path)
        return Location(self.display, mark.line, mark.col, resource)
