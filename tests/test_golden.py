"""Every example in every format, byte for byte. Update: pytest --update-golden."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from azfn_profile.cli import cli
from azfn_profile.render import RENDERERS
from tests.conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden"
SUFFIX = {
    "json": "json",
    "settings": "settings.json",
    "env": "env",
    "host-json": "host.json",
    "arm": "azuredeploy.json",
    "bicep": "main.bicep",
    "terraform": "main.tf",
    "terraform-json": "main.tf.json",
}
CASES = [
    (example, fmt) for example in sorted(EXAMPLES.glob("*.yaml")) for fmt in RENDERERS
]


def test_every_format_has_a_golden_suffix() -> None:
    assert set(SUFFIX) == set(RENDERERS)


@pytest.mark.parametrize(("example", "fmt"), CASES, ids=lambda v: getattr(v, "stem", v))
def test_golden(example: Path, fmt: str, update_golden: bool) -> None:
    result = CliRunner().invoke(
        cli, ["render", str(example.relative_to(ROOT)), "--format", fmt]
    )
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / example.stem / f"expected.{SUFFIX[fmt]}"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_no_stale_golden_directories() -> None:
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == {
        e.stem for e in EXAMPLES.glob("*.yaml")
    }
