"""AZFN5xx: the security posture every azfn-profile renderer guarantees.

Each check mirrors an Azure Policy built-in and a Checkov check, so a stack that passes
here also passes those gates (ids in each check's `related`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from azfn_profile import cite, facts
from azfn_profile.checks._base import Failure, NotApplicable, Target, check
from azfn_profile.spec import Field


@check(
    "AZFN501",
    "security.https-only",
    "error",
    "The function app must be HTTPS only",
    why="Plain HTTP exposes requests and keys in transit.",
    source=cite.AZURE_POLICY,
    related={
        "Azure Policy": "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab",
        "Checkov": "CKV_AZURE_70",
    },
)
def https_only(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_HTTPS_ONLY)
    if not t.spec.site.https_only:
        yield Failure(
            "httpsOnly is off: the app accepts plain HTTP", Field.SITE_HTTPS_ONLY
        )


def _tls_below(version: str | None) -> bool:
    try:
        return version is not None and float(version) < 1.2
    except ValueError:
        return False


@check(
    "AZFN502",
    "security.min-tls",
    "error",
    "The site must require TLS 1.2 or newer",
    why="TLS 1.0 and 1.1 are deprecated and weak.",
    source=cite.AZURE_POLICY,
    related={
        "Azure Policy": "f9d614c5-c173-4d56-95a7-b4437057d193",
        "Checkov": "CKV_AZURE_145",
    },
)
def min_tls(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_MIN_TLS)
    if _tls_below(t.spec.site.min_tls_version):
        yield Failure(
            f"minTlsVersion is {t.spec.site.min_tls_version}", Field.SITE_MIN_TLS
        )


@check(
    "AZFN503",
    "security.scm-min-tls",
    "warning",
    "The SCM (Kudu) site must require TLS 1.2 or newer",
    why="The deployment endpoint carries credentials and code.",
    source=cite.AVM_SITE,
)
def scm_tls(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_SCM_MIN_TLS)
    if _tls_below(t.spec.site.scm_min_tls_version):
        yield Failure(
            f"scmMinTlsVersion is {t.spec.site.scm_min_tls_version}",
            Field.SITE_SCM_MIN_TLS,
        )


@check(
    "AZFN504",
    "security.ftps",
    "warning",
    "FTP must be disabled (or FTPS only)",
    why="Plain FTP sends credentials in clear text.",
    source=cite.AZURE_POLICY,
    related={
        "Azure Policy": "399b2637-a50f-4f95-96f8-3a145476eb15",
        "Checkov": "CKV_AZURE_78",
    },
)
def ftps(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_FTPS)
    if t.spec.plan.family == "flex":
        raise NotApplicable("Flex Consumption has no FTP endpoint")
    if t.spec.site.ftps_state not in ("Disabled", "FtpsOnly"):
        yield Failure(
            f"ftpsState is {t.spec.site.ftps_state or 'unset (AllAllowed)'}",
            Field.SITE_FTPS,
        )


@check(
    "AZFN505",
    "security.basic-publishing",
    "warning",
    "Basic-auth (FTP/SCM) publishing credentials must be off",
    why="Deployment should use Entra ID; basic credentials are long-lived secrets "
    "(AVM basicPublishingCredentialsPolicies).",
    source=cite.AVM_SITE,
)
def basic_publishing(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_BASIC_PUBLISHING)
    if t.spec.site.basic_publishing_credentials:
        yield Failure(
            "basic-auth publishing credentials are allowed",
            Field.SITE_BASIC_PUBLISHING,
        )


@check(
    "AZFN506",
    "security.storage-public-access",
    "warning",
    "The app's storage account must not allow public blob access",
    why="Public containers leak deployment packages and data.",
    source=cite.CHECKOV_ARM,
    related={"Checkov": "CKV_AZURE_59 / CKV_AZURE_190"},
)
def storage_public(t: Target, today: date) -> Iterator[Failure]:
    if t.storage_public_blob is None:
        raise NotApplicable("the storage account is not in the source")
    if t.storage_public_blob:
        yield Failure("the storage account allows public blob access", "storage")


@check(
    "AZFN507",
    "security.account-key-setting",
    "warning",
    "Use identity-based storage settings instead of account keys",
    why="An account key in app settings grants full storage access to anyone who can "
    "read the settings; AzureWebJobsStorage__accountName with the app's managed "
    "identity needs no secret. Y1 and Elastic Premium content shares still need a "
    "key.",
    source=cite.APP_SETTINGS,
)
def account_key(t: Target, today: date) -> Iterator[Failure]:
    exempt = {facts.CONTENT_SHARE_CONNECTION}
    found = False
    for name, value in t.spec.app_settings.items():
        # Values computed at deployment keep their expression text, which shows a key.
        text = value.lower()
        if name not in exempt and ("accountkey=" in text or "listkeys(" in text):
            found = True
            yield Failure(f"{name} carries a storage account key", Field.setting(name))
    if not found:
        t.need(Field.OTHER_SETTINGS)  # a pass needs every setting known


@check(
    "AZFN508",
    "security.managed-identity",
    "warning",
    "The function app should have a managed identity",
    why="Identity-based connections need a managed identity; without one, apps fall "
    "back to keys and connection strings.",
    source=cite.AZURE_POLICY,
    related={
        "Azure Policy": "0da106f2-4ca3-48e8-bc85-c638fe6aea8f",
        "Checkov": "CKV_AZURE_71",
    },
)
def managed_identity(t: Target, today: date) -> Iterator[Failure]:
    t.need(Field.SITE_IDENTITY)
    if not t.spec.site.identity or t.spec.site.identity.lower() == "none":
        yield Failure("the app has no managed identity", Field.SITE_IDENTITY)


CHECKS = (
    https_only,
    min_tls,
    scm_tls,
    ftps,
    basic_publishing,
    storage_public,
    account_key,
    managed_identity,
)
