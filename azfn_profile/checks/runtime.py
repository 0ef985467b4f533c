"""AZFN1xx runtime.*: the Python version the app runs, and what its plan supports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import catalog, cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.spec import Field


@check(
    "AZFN109",
    "runtime.python-supported",
    "error",
    "The Python version must be supported (and available on the plan)",
    why="Azure Functions stops supporting each Python version on a published date, and "
    "Linux Consumption gets no version after 3.12. A warning comes six months before "
    "the end.",
    source=f"{cite.SUPPORTED_LANGUAGES}; {cite.CONSUMPTION}",
    python_only=True,
    refuses_profile=True,
)
def python_supported(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PYTHON)
    info = catalog.python_versions().get(t.spec.python)
    supported = ", ".join(catalog.supported_pythons(today))
    if info is None:
        yield Failure(
            f"Python {t.spec.python} is not a version Azure Functions supports on "
            f"Linux; supported: {supported}",
            Field.PYTHON,
        )
        return
    if info.end_of_support < today:
        yield Failure(
            f"Python {t.spec.python} reached end of support on "
            f"{info.end_of_support.isoformat()}; supported: {supported}",
            Field.PYTHON,
        )
    elif t.spec.plan.family == "consumption" and not info.consumption:
        yield Failure(
            f"Python {t.spec.python} is not available on Linux Consumption (Y1), "
            "which stops at 3.12; use Flex Consumption (FC1) or a Premium plan",
            Field.PYTHON,
        )
    elif (info.end_of_support - today).days <= 183:
        yield Failure(
            f"Python {t.spec.python} support ends on {info.end_of_support.isoformat()}",
            Field.PYTHON,
            severity="warning",
        )


@check(
    "AZFN116",
    "runtime.flex-unsupported-setting",
    "warning",
    "Flex Consumption does not support time-zone and certificate-loading settings",
    why="Flex Consumption's considerations list WEBSITE_TIME_ZONE and TZ (timer "
    "schedules stay in UTC) and WEBSITE_LOAD_CERTIFICATES (site-scoped certificates "
    "replace it) as not currently supported. They are not in the deprecation table, "
    "and whether ARM refuses them is not documented: the app deploys, and the "
    "setting does nothing.",
    source=f"{cite.FLEX_CONSIDERATIONS}; {cite.FLEX_CERTIFICATES}",
)
def flex_unsupported(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.PLAN_SKU)
    if t.spec.plan.family != "flex":
        raise NotApplicable("not a Flex Consumption app")
    for name in t.spec.app_settings:
        if name.upper() in facts.FLEX_UNSUPPORTED_SETTINGS:
            yield Failure(
                f"{name} is not supported on Flex Consumption: "
                f"{facts.FLEX_UNSUPPORTED_SETTINGS[name.upper()]}",
                Field.setting(name),
            )


CHECKS = (python_supported, flex_unsupported)
