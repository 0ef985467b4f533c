"""checkov, an outside reviewer, scans every rendered ARM template, Bicep file and
Terraform module.

No check may fail except those in ALLOWED: features the user must choose (networking,
certificates, redundancy, health endpoints) that a generator cannot decide for them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from tests.conftest import EXAMPLES
from tests.tools import checkov

pytestmark = pytest.mark.slow  # checkov scans every example's rendered templates

ALLOWED: dict[str, str] = {
    "CKV_AZURE_17": "Client certificates (mTLS) would reject ordinary API clients; opt in "
    "per app.",
    "CKV_AZURE_35": "Denying storage network access needs the app on a VNet with private "
    "or service endpoints; a networking choice the profile does not make.",
    "CKV_AZURE_36": "The trusted-services bypass only matters once network rules deny by "
    "default (see CKV_AZURE_35).",
    "CKV_AZURE_206": "Standard_LRS is the Functions host-storage default; ZRS/GRS is a "
    "cost and region choice.",
    "CKV_AZURE_212": "Instance counts come from the plan's scaling (max_instances, "
    "always_ready), not a fixed minimum of two workers.",
    "CKV_AZURE_213": "A health-check path must be an endpoint the app implements.",
    "CKV_AZURE_222": "Disabling public network access needs private endpoints; a "
    "networking choice.",
    "CKV_AZURE_225": "Zone redundancy needs 3+ instances and a supporting region; a cost "
    "and region choice.",
}
# checkov does not evaluate uniqueString(): the storage name is an expression it
# cannot match against the naming rule. Its length is bounded by @minLength/@maxLength
# and its characters by construction; tests/test_bicep_module.py evaluates it.
ALLOWED_ARM_BICEP = {
    "CKV_AZURE_43": "The storage name is st + the app name (a-z, 0-9) + "
    "uniqueString(resourceGroup().id), which checkov cannot evaluate.",
}
# checkov's Bicep reader does not look inside a conditional declaration
# (`resource storage '...' = if (empty(existingStorageAccountName)) {...}`: pycep nests
# the body under config.config), so a check that needs a property set fails there. The
# ARM template, serialized from the same graph, passes it (test_security_checks_pass).
ALLOWED_BICEP_CONDITIONAL = {
    "CKV_AZURE_44": "The storage account is created only when no existing one is "
    "given; checkov's Bicep reader does not read a conditional resource's body.",
}
# Terraform's checks name the same choices differently, and add a few.
ALLOWED_TERRAFORM: dict[str, str] = {
    "CKV_AZURE_59": "For Terraform this is public network access on the storage "
    "account (blob public access is off: CKV_AZURE_190 passes); a networking choice.",
    "CKV_AZURE_221": "Disabling the app's public network access needs private "
    "endpoints; a networking choice (CKV_AZURE_222 in ARM).",
    "CKV2_AZURE_33": "Private endpoints for storage are a networking choice.",
    "CKV2_AZURE_1": "Customer-managed keys are a key-management choice with a Key "
    "Vault to run.",
    "CKV2_AZURE_38": "Blob soft delete keeps deleted host-storage blobs (leases, "
    "packages) and costs storage; a retention choice.",
    "CKV_AZURE_33": "Storage request logging needs a diagnostics destination; an "
    "operations choice.",
    "CKV2_AZURE_21": "Storage request logging needs a diagnostics destination; an "
    "operations choice.",
}
# Allowed only for the files named: Flex Consumption deprecates ftpsState and has no FTP
# endpoint (basic publishing credentials are off in every format).
ALLOWED_FOR_FLEX = {"CKV_AZURE_78"}
FLEX_EXAMPLES = {"etl-mixed"}
# Elastic Premium (and Consumption) mount content from an Azure Files share that takes
# the account key, so shared keys stay on there (and with them SAS).
ALLOWED_FOR_CONTENT_SHARE = {"CKV2_AZURE_40", "CKV2_AZURE_41"}
CONTENT_SHARE_EXAMPLES = {
    "auto-premium",
    "image-resizer",
    "order-pipeline",
    "orders-api",
}


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    exe = checkov()  # first use installs it (about a minute)
    out = tmp_path_factory.mktemp("iac")
    for example in sorted(EXAMPLES.glob("*.yaml")):
        for fmt, suffix in (("arm", "json"), ("bicep", "bicep")):
            result = CliRunner().invoke(
                cli,
                [
                    "render",
                    str(example),
                    "--format",
                    fmt,
                    "-o",
                    str(out / f"{example.stem}.{suffix}"),
                ],
            )
            assert result.exit_code == 0, result.stderr
        module = out / "terraform" / example.stem / "main.tf"
        result = CliRunner().invoke(
            cli, ["render", str(example), "--format", "terraform", "-o", str(module)]
        )
        assert result.exit_code == 0, result.stderr
    done = subprocess.run(
        [
            str(exe),
            "-d",
            str(out),
            "--framework",
            "arm",
            "bicep",
            "terraform",
            "-o",
            "json",
            "--compact",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    reports = json.loads(done.stdout)
    return reports if isinstance(reports, list) else [reports]


def test_both_frameworks_scanned_without_parse_errors(
    scan: list[dict[str, Any]],
) -> None:
    summaries = {r["check_type"]: r["summary"] for r in scan}
    assert set(summaries) == {"arm", "bicep", "terraform"}
    for kind, summary in summaries.items():
        assert summary["parsing_errors"] == 0, kind
        assert summary["passed"] > 50, (kind, summary)
        print(
            f"checkov {kind}: {summary['passed']} passed, {summary['failed']} failed "
            f"(all allowlisted), {summary['resource_count']} resources"
        )


def test_no_failure_outside_the_allowlist(scan: list[dict[str, Any]]) -> None:
    unexpected = []
    for report in scan:
        for failed in report["results"]["failed_checks"]:
            check, file = failed["check_id"], _example(failed["file_path"])
            terraform = report["check_type"] == "terraform"
            if (
                check in ALLOWED
                or (terraform and check in ALLOWED_TERRAFORM)
                or (not terraform and check in ALLOWED_ARM_BICEP)
                or (
                    report["check_type"] == "bicep"
                    and check in ALLOWED_BICEP_CONDITIONAL
                )
                or (check in ALLOWED_FOR_FLEX and file in FLEX_EXAMPLES)
                or (
                    check in ALLOWED_FOR_CONTENT_SHARE
                    and file in CONTENT_SHARE_EXAMPLES
                )
            ):
                continue
            unexpected.append(
                (
                    report["check_type"],
                    check,
                    failed["check_name"],
                    file,
                    failed["resource"],
                )
            )
    assert unexpected == []


def _example(file_path: str) -> str:
    """The example a scanned file was rendered from (a Terraform module's folder)."""
    path = Path(file_path)
    return path.parent.name if path.name == "main.tf" else path.stem


def test_every_allowlist_entry_is_still_needed(scan: list[dict[str, Any]]) -> None:
    failing = {f["check_id"] for r in scan for f in r["results"]["failed_checks"]}
    everything = (
        set(ALLOWED)
        | set(ALLOWED_TERRAFORM)
        | ALLOWED_FOR_FLEX
        | ALLOWED_FOR_CONTENT_SHARE
        | set(ALLOWED_BICEP_CONDITIONAL)
    )
    assert everything <= failing


def test_security_checks_pass(scan: list[dict[str, Any]]) -> None:
    # HTTPS only (70), TLS (145), FTP off (78), managed identity (71), storage TLS (44),
    # HTTPS-only storage (3), no public storage access (59), private containers (34).
    security = {
        "CKV_AZURE_70",
        "CKV_AZURE_145",
        "CKV_AZURE_78",
        "CKV_AZURE_71",
        "CKV_AZURE_44",
        "CKV_AZURE_3",
        "CKV_AZURE_59",
        "CKV_AZURE_34",
        "CKV_AZURE_18",
        "CKV_AZURE_67",
    }
    # Terraform's checks for function apps: HTTPS only (70), TLS (145), no remote
    # debugging (72), storage HTTPS (3) and TLS (44), no public or anonymous blob
    # access (190, CKV2_AZURE_47), private containers (34).
    terraform = {
        "CKV_AZURE_70",
        "CKV_AZURE_145",
        "CKV_AZURE_72",
        "CKV_AZURE_3",
        "CKV_AZURE_44",
        "CKV_AZURE_190",
        "CKV2_AZURE_47",
        "CKV_AZURE_34",
    }
    for report in scan:
        passed = {f["check_id"] for f in report["results"]["passed_checks"]}
        wanted = terraform if report["check_type"] == "terraform" else security
        if report["check_type"] == "bicep":
            wanted = wanted - set(ALLOWED_BICEP_CONDITIONAL)
        assert wanted <= passed, (report["check_type"], wanted - passed)
