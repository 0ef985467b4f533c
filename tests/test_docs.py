"""Generated docs must match their source; README commands must stay as documented."""

from __future__ import annotations

import re

import pytest

from azfn_profile.docgen import DOCS
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(DOCS))
def test_generated_doc_is_fresh(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == DOCS[name](), (
        f"docs/{name} is stale: run python -m azfn_profile.docgen"
    )


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.DOTALL)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[1] == "bash .ci/run"
    assert (ROOT / ".ci" / "run").exists()


def test_changelog_has_an_unreleased_section() -> None:
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_pre_commit_hook_and_actions_example() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "azfn-profile-check" and hook["entry"] == "azfn-profile check"
    workflow = yaml.safe_load(
        (ROOT / "docs" / "examples" / "github-actions.yml").read_text()
    )
    steps = workflow["jobs"]["check"]["steps"]
    assert any(
        step.get("uses", "").startswith("github/codeql-action/upload-sarif")
        for step in steps
    )
    assert any("--format sarif" in step.get("run", "") for step in steps)
