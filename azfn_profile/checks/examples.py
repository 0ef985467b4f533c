"""Each check's documented examples, taken from its case file (cases/AZFNnnn.yaml).

A case file holds the cases the test suite runs against its check. Exactly one failing
and one passing case carry `doc: true`: they are the "Fails" and "Passes" examples of
`azfn-profile explain AZFNnnn`, docs/checks.md and the SARIF rule help, so every example
shown is one that gives its label when run. A `profile` case shows its profile (the
`profile:` mapping, as YAML); a `source` case shows its file, or each of its files,
under its name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).with_name("cases")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LANGUAGES = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".bicep": "bicep",
    ".json": "json",
    ".py": "python",
}


@dataclass(frozen=True)
class Snippet:
    """One file of an example: its name (None for a profile case) and its text."""

    name: str | None
    text: str

    @property
    def language(self) -> str:
        """The code-fence language of the text."""
        if self.name is None:
            return "yaml"
        return _LANGUAGES.get(Path(self.name).suffix.lower(), "text")


@dataclass(frozen=True)
class Example:
    """A documented case: what the user writes, and whether the check fails on it."""

    expect: str  # "fail" or "pass"
    case: str  # the case's name in the case file
    snippets: tuple[Snippet, ...]

    def plain(self) -> str:
        """The example as plain text: a profile as is, a file under its name."""
        parts = []
        for s in self.snippets:
            if s.name is None:
                parts.append(s.text.rstrip("\n"))
            else:
                body = "".join(
                    f"  {line}\n" if line else "\n" for line in s.text.splitlines()
                )
                parts.append(f"{s.name}:\n{body.rstrip()}")
        return "\n\n".join(parts)


@functools.cache
def cases(check_id: str) -> tuple[dict[str, Any], ...]:
    """The cases of `check_id`, as written in its case file."""
    text = (CASES_DIR / f"{check_id}.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=_Loader)
    if not isinstance(data, dict) or data.get("check") != check_id:
        raise ValueError(f"cases/{check_id}.yaml is not the case file of {check_id}")
    return tuple(data["cases"])


@functools.cache
def doc_examples(check_id: str) -> tuple[Example, Example]:
    """(fails, passes): the two cases of `check_id` marked `doc: true`."""
    found: dict[str, list[Example]] = {}
    for case in cases(check_id):
        if case.get("doc") is True:
            example = _example(check_id, case)
            found.setdefault(example.expect, []).append(example)
    fails, passes = found.get("fail", []), found.get("pass", [])
    if len(fails) != 1 or len(passes) != 1 or set(found) - {"fail", "pass"}:
        marked = ", ".join(f"{len(v)} {k}" for k, v in sorted(found.items()))
        raise ValueError(
            f"cases/{check_id}.yaml must mark one failing and one passing case "
            f"`doc: true` (marked: {marked or 'none'})"
        )
    return fails[0], passes[0]


def _example(check_id: str, case: dict[str, Any]) -> Example:
    where = f"cases/{check_id}.yaml, case {case.get('name')!r}"
    if "patch" in case:
        raise ValueError(f"{where}: a case with a patch cannot be a doc example")
    if "source" in case:
        source = case["source"]
        files = (
            source["files"] if "files" in source else {source["name"]: source["text"]}
        )
        snippets = tuple(Snippet(str(name), str(text)) for name, text in files.items())
    else:
        dumped = yaml.safe_dump(
            case.get("profile", {}),
            default_flow_style=None,
            sort_keys=False,
            allow_unicode=True,
            width=1000,
        )
        snippets = (Snippet(None, dumped),)
    return Example(str(case["expect"]), str(case["name"]), snippets)
