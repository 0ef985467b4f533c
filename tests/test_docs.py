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
    # The hook runs on a change to any file the scan reads (an app's code included),
    # and on nothing else.
    from azfn_profile.sources.discover import APP_ENTRY, SOURCE_SUFFIXES

    files = re.compile(hook["files"])
    for suffix in SOURCE_SUFFIXES:
        assert files.search(f"infra/main{suffix}"), suffix
    assert files.search(f"src/{APP_ENTRY}")
    # the settings: .azfn-profile.yaml (a .yaml) and pyproject.toml's table
    assert files.search(".azfn-profile.yaml") and files.search("pyproject.toml")
    assert files.search("sub/pyproject.toml") and not files.search("xpyproject.toml")
    for other in ("README.md", "src/app.js", "Dockerfile", "main.tfstate"):
        assert not files.search(other), other
    workflow = yaml.safe_load(
        (ROOT / "docs" / "examples" / "github-actions.yml").read_text()
    )
    steps = workflow["jobs"]["check"]["steps"]
    assert any(
        step.get("uses", "").startswith("github/codeql-action/upload-sarif")
        for step in steps
    )
    (run,) = [
        step["run"] for step in steps if "azfn-profile check" in step.get("run", "")
    ]
    assert "-o github=-" in run and "-o sarif=" in run  # one run, both outputs
    assert set(workflow[True]) == {"pull_request", "push"}  # YAML reads `on` as True
    install = next(
        step["run"] for step in steps if "pip install" in step.get("run", "")
    )
    assert "@v" in install.rsplit("/", 1)[-1]  # a pinned version


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("name", ["profile.md", "checks.md", "rules.md", "skus.md"])
def test_in_page_links_resolve(name: str) -> None:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    missing = sorted(set(links) - anchors)
    assert not missing, f"docs/{name} links to missing sections: {missing}"


def test_profile_reference_lists_value_ranges() -> None:
    text = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "`workload.concurrency`" in line)
    assert "≥ 1, ≤ 100,000" in row
    assert "## suppression" in text


def test_no_install_line_points_at_pypi() -> None:
    """The package is not published: every install line says what works today."""
    from azfn_profile import REPOSITORY_URL
    from azfn_profile.extras import install_command

    texts = {
        path: (ROOT / path).read_text(encoding="utf-8")
        for path in ("README.md", "docs/examples/github-actions.yml")
    }
    texts["hint"] = install_command("lab")
    for where, text in texts.items():
        for line in re.findall(r"pip install [^\n`&;]*", text):
            # A requirement naming the package (not a path such as "." or ".[lab]")
            # must say where it comes from.
            for spec in re.findall(
                r"[\s\"']azfn-profile(?:\[[^\]]*\])?[^\s\"']*", line
            ):
                assert f"@ git+{REPOSITORY_URL}" in line, (where, line, spec)


def test_readme_check_example_is_what_check_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from azfn_profile.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = (
        "$ azfn-profile check .      # an azd Python template on Flex Consumption\n"
    )
    start = readme.index(marker) + len(marker)
    shown = readme[start : readme.index("```", start)]
    monkeypatch.chdir(ROOT / "tests" / "data" / "repos" / "azd-python-flex")
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.stdout == shown


def test_checks_md_shows_each_checks_executed_examples() -> None:
    """The Fails/Passes examples of docs/checks.md are the cases marked `doc: true`
    (run by tests/test_check_cases.py), each fenced in the language of its file."""
    from azfn_profile.checks import REGISTRY
    from azfn_profile.checks.examples import doc_examples

    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for check_id in REGISTRY:
        section = text.split(f"\n## {check_id}\n", 1)[1].split("\n## ", 1)[0]
        fails, passes = doc_examples(check_id)
        shown = section.split("**Fails**", 1)[1].split("**Passes**", 1)
        for example, part in zip((fails, passes), shown, strict=True):
            for snippet in example.snippets:
                fenced = f"```{snippet.language}\n{snippet.text}```\n"
                assert fenced in part, (check_id, example.case)
