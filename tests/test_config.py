"""`check`'s settings: patterns for checks and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from azfn_profile.config import CheckConfig, matches, skipped_path


@pytest.mark.parametrize(
    ("relative", "pattern", "skipped"),
    [
        ("azuredeploy.json", "**/*", True),
        ("legacy/main.bicep", "legacy", True),
        ("infra/legacy/main.bicep", "legacy", True),  # a folder name at any depth
        ("infra/legacy/main.bicep", "infra/*", True),
        ("a/b/c.tf", "**/b/*.tf", True),
        ("a/b/c.tf", "b/*.tf", False),  # anchored at the folder checked
        ("examples/p.yaml", "examples/*.json", False),
        ("examples/p.yaml", "[", False),  # a malformed glob matches nothing
    ],
)
def test_skip_path_patterns(relative: str, pattern: str, skipped: bool) -> None:
    assert (skipped_path(relative, [pattern]) == pattern) is skipped


def test_check_patterns_match_ids_and_names_case_insensitively() -> None:
    assert matches(["azfn1*"], "AZFN104", "worker.thread-count-unset")
    assert matches(["WORKER.*"], "AZFN104", "worker.thread-count-unset")
    assert not matches(["AZFN10"], "AZFN104", "worker.thread-count-unset")
    only = CheckConfig(check=("security.*",))
    assert only.selects("AZFN501", "security.https-only")
    assert not only.selects("AZFN104", "worker.thread-count-unset")
    assert only.selects("AZFN000", "input.unreadable")  # never silent
    assert not CheckConfig(skip_check=("input.*",)).selects(
        "AZFN000", "input.unreadable"
    )
    checks = [("AZFN104", "worker.thread-count-unset")]
    assert CheckConfig(check=("AZFN9*",), skip_check=("worker.*",)).unmatched(
        checks
    ) == ["--check AZFN9*"]


def test_a_comma_separated_setting_holds_several_patterns(tmp_path: Path) -> None:
    from azfn_profile.config import load

    (tmp_path / ".azfn-profile.yaml").write_text(
        "skip-check: AZFN104, AZFN112\ncheck: [AZFN1*,security.*]\n"
    )
    loaded = load(tmp_path)
    assert loaded.skip_check == ("AZFN104", "AZFN112")
    assert loaded.check == ("AZFN1*", "security.*")
