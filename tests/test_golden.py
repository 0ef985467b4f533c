"""Every example's settings, byte for byte, and two examples' templates. Update:
pytest --update-golden (it rewrites only the goldens listed here)."""

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
# Templates (IaC) are golden for two examples only: the rest of each template is the
# same text, and test_iac_equivalence and test_terraform render and check every
# example's. etl-mixed is the only Flex app (functionAppConfig, instance memory,
# no worker settings); orders-api is Premium with always-ready instances, user tags
# and async settings. Together they hold the most distinct template lines of any pair.
IAC = ("arm", "bicep", "terraform", "terraform-json")
IAC_EXAMPLES = ("etl-mixed", "orders-api")
CASES = [
    (example, fmt)
    for example in sorted(EXAMPLES.glob("*.yaml"))
    for fmt in RENDERERS
    if fmt not in IAC or example.stem in IAC_EXAMPLES
]


# `capacity --compare` for two examples: a sync I/O API on Premium v3 at its declared
# load, and the Flex example at a load and p95 given on the command line.
CAPACITY = {
    "catalog-api": ["--compare"],
    "etl-mixed": ["--rps", "200", "--call-ms", "250", "--p95", "2000", "--compare"],
}
CAPACITY_GOLDEN = "capacity-compare.txt"


def test_every_format_has_a_golden_suffix() -> None:
    assert set(SUFFIX) == set(RENDERERS)
    assert set(IAC) <= set(RENDERERS)
    assert {e.stem for e in EXAMPLES.glob("*.yaml")} >= set(IAC_EXAMPLES)


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


@pytest.mark.parametrize("name", sorted(CAPACITY))
def test_capacity_golden(name: str, update_golden: bool) -> None:
    example = EXAMPLES.relative_to(ROOT) / f"{name}.yaml"
    result = CliRunner().invoke(cli, ["capacity", str(example), *CAPACITY[name]])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / name / CAPACITY_GOLDEN
    if update_golden:
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden"
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_no_stale_golden_directories() -> None:
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == {
        e.stem for e in EXAMPLES.glob("*.yaml")
    }


def test_no_stale_golden_files() -> None:
    """Exactly the goldens test_golden compares: none left over, none missing."""
    assert {p.relative_to(GOLDEN) for p in GOLDEN.rglob("*") if p.is_file()} == {
        Path(example.stem, f"expected.{SUFFIX[fmt]}") for example, fmt in CASES
    } | {Path(name, CAPACITY_GOLDEN) for name in CAPACITY}
