"""AZFN2xx: plan and SKU compatibility."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import cite
from azfn_profile.checks._base import Failure, NotApplicable, Target, check


@check(
    "AZFN201",
    "plan.linux-required",
    "error",
    "Python function apps must run on a Linux plan and site",
    why="Linux is the only operating system Azure Functions supports for Python: the "
    "plan needs reserved: true and the site kind must include linux.",
    fails="kind: functionapp   # Windows site",
    passes="kind: functionapp,linux",
    source=f"{cite.SUPPORTED_LANGUAGES}; {cite.SCALE}",
    python_only=True,
)
def linux_required(t: Target, today: date) -> Iterator[Failure]:
    t.need("plan.reserved")
    if not t.spec.plan.reserved:
        yield Failure("the plan is a Windows plan (reserved is false)", "plan.reserved")
    if "linux" not in t.spec.site.kind.split(","):
        yield Failure(
            f"the site kind is {t.spec.site.kind!r}, without linux", "site.kind"
        )


@check(
    "AZFN202",
    "plan.always-on",
    "warning",
    "alwaysOn must match the plan",
    why="Dedicated plans need alwaysOn so non-HTTP triggers keep running; Consumption "
    "and Elastic Premium scale instances themselves, and Flex Consumption keeps "
    "instances warm with always-ready instances instead (its samples set alwaysOn "
    "false).",
    fails="plan: {sku: P1v3}   # alwaysOn false",
    passes="plan: {sku: P1v3}   # alwaysOn true",
    source=f"{cite.SCALE}; {cite.FLEX}",
)
def always_on(t: Target, today: date) -> Iterator[Failure]:
    t.need("site.always_on")
    family, value = t.spec.plan.family, t.spec.site.always_on
    if family == "dedicated" and value is not True:
        yield Failure(
            "alwaysOn is off on a dedicated plan: non-HTTP triggers stop when "
            "the app idles",
            "site.always_on",
        )
    elif family == "flex" and value is True:
        yield Failure(
            "alwaysOn is on for Flex Consumption, which keeps instances warm with "
            "always-ready instead",
            "site.always_on",
        )
    elif family in ("consumption", "premium") and value is True:
        yield Failure(
            f"alwaysOn is on for a {family} plan, which manages instances itself",
            "site.always_on",
        )


@check(
    "AZFN203",
    "plan.unknown-sku",
    "error",
    "The plan SKU must be one a Linux Python function app can use",
    why="Only the SKUs in the catalog (Y1, FC1, EP1-3, B, S, Pv2, Pv3, Pmv3, Iv2) host "
    "Linux Python function apps; others (F1, D1, Windows-only tiers) do not.",
    fails="plan: {sku: F1}",
    passes="plan: {sku: B1}",
    source=f"{cite.SCALE}; {cite.APP_SERVICE_PLANS}",
    python_only=True,
)
def unknown_sku(t: Target, today: date) -> Iterator[Failure]:
    t.need("plan.sku")
    if not t.spec.plan.sku:
        raise NotApplicable("no plan in the source")
    if not t.sku_known:
        yield Failure(
            f"SKU {t.spec.plan.sku!r} cannot host a Linux Python function app",
            "plan.sku",
        )


CHECKS = (linux_required, always_on, unknown_sku)
