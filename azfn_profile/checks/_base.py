"""A check: a small pure function over a Target, plus the metadata its docs come from."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from azfn_profile.findings import Severity, Suppression
from azfn_profile.secret import conceal_credentials
from azfn_profile.spec import AppSpec, Field, is_under

if TYPE_CHECKING:  # the code model loads only when an app's code is read
    from azfn_profile.code.model import AppCode


class NotApplicable(Exception):
    """The check lacks what it needs (e.g. no declared workload)."""


class Unknown(Exception):
    """A value the check needs could not be evaluated (e.g. an ARM expression)."""


@dataclass(frozen=True)
class Target:
    """One function app as configured, whatever format it came from."""

    spec: AppSpec
    # Dotted paths (`spec.Field`) whose values could not be evaluated; a path covers
    # everything under it (an unknown "site" makes "site.https_only" unknown).
    # Checks that need such a value report "unknown".
    unknown: frozenset[str] = frozenset()
    # Storage accounts the app uses, as seen in the source (None: not in the source).
    storage_public_blob: bool | None = None
    sku_known: bool = True
    suppressions: tuple[Suppression, ...] = ()
    # Why a top-level part ("plan", "app_settings", ...) is unknown, for messages.
    reasons: Mapping[str, str] = field(default_factory=dict)
    # A host.json on its own (no app joined to it): only host.json checks apply.
    host_only: bool = False
    # The app's Python code, read without running it (a profile naming its app
    # folder, or an app folder checked on its own: then only code checks apply).
    code: AppCode | None = None
    code_only: bool = False
    # The workload, when no profile or tag declares it and the app's code beside the
    # infrastructure shows it: where it was read ("the code at src/ (cpu/sync ...)").
    workload_from: str = ""

    def __post_init__(self) -> None:
        # What checks judge holds a credential (a connection string's AccountKey, a
        # URL's password or sig) as a secret, whichever source it came from: no
        # message can print it. (Rendering uses the spec itself, unmasked.)
        settings = self.spec.app_settings
        masked = {
            k: conceal_credentials(v) if isinstance(v, str) else v
            for k, v in settings.items()
        }
        if any(masked[k] is not settings[k] for k in masked):
            object.__setattr__(self, "spec", replace(self.spec, app_settings=masked))

    def setting(self, name: str) -> str | None:
        """An app setting (names are case-insensitive); Unknown if not evaluable."""
        for key, value in self.spec.app_settings.items():
            if key.upper() == name.upper():
                self.need(Field.setting(key))
                return value
        self.need(Field.OTHER_SETTINGS)
        return None

    def need(self, path: str) -> None:
        """Raise Unknown when `path`, or a part of the AppSpec holding it, could not
        be evaluated."""
        covering = is_under(path, self.unknown)
        if covering is None:
            return
        head, _, rest = covering.partition(".")
        if head == Field.APP_SETTINGS:
            fallback = (
                f"{rest} is computed at deployment"
                if rest and covering != Field.OTHER_SETTINGS
                else "the app settings are computed at deployment"
            )
        else:
            fallback = f"{covering} is computed at deployment"
        raise Unknown(self.reasons.get(head, fallback))


@dataclass(frozen=True)
class Failure:
    message: str
    path: str  # dotted path the finding is about, e.g. "app_settings.NAME"
    severity: Severity | None = None  # overrides the check's, e.g. "soon" vs "past"


CheckFunc = Callable[[Target, date], Iterator[Failure]]


@dataclass(frozen=True)
class Check:
    """A check and its metadata; its documented examples are cases in its case
    file (`checks.examples.doc_examples`)."""

    id: str
    name: str
    severity: Severity
    title: str
    why: str
    source: str
    run: CheckFunc
    related: Mapping[str, str] = field(
        default_factory=dict
    )  # e.g. Azure Policy / Checkov
    python_only: bool = False  # not applicable to apps of other runtimes
    host_json: bool = False  # judges host.json alone (applies to a lone host.json)
    code: bool = False  # judges the app's Python code
    # A profile that fails this check (at error severity) is refused by render,
    # explain and the Pulumi stack, under this check's ID: the rule is decided here
    # once, whatever the source.
    refuses_profile: bool = False
    # Judges the declared workload: its findings say when the workload was read
    # from the app's code instead.
    workload: bool = False


def check(
    id: str,
    name: str,
    severity: Severity,
    title: str,
    *,
    why: str,
    source: str,
    related: Mapping[str, str] | None = None,
    python_only: bool = False,
    host_json: bool = False,
    code: bool = False,
    refuses_profile: bool = False,
    workload: bool = False,
) -> Callable[[CheckFunc], Check]:
    """Decorator: turn a generator of Failures into a registered-ready Check."""

    def wrap(func: CheckFunc) -> Check:
        return Check(
            id,
            name,
            severity,
            title,
            why.strip(),
            source,
            func,
            dict(related or {}),
            python_only,
            host_json,
            code,
            refuses_profile,
            workload,
        )

    return wrap
