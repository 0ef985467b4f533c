"""Discovery: the files under the paths given, each sorted into what it is.

A repository folder holds much that is not function-app infrastructure; like
checkov or cfn-lint, `check` skips it and counts it. Directories are walked without
following links out of them, hidden folders and dependency folders left out. Each
file is read once, through the bounded reader, and parsed once when its kind needs
it (the parsed document travels with the file).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azfn_profile.files import (
    MAX_SOURCE_BYTES,
    Unreadable,
    decode,
    inside,
    read_limited,
    read_text,
)
from azfn_profile.sources.jsonc import JsonError, check_depth, loads, too_deep
from azfn_profile.sources.result import Scan, Skipped, unreadable

SOURCE_SUFFIXES = (
    ".json",
    ".yaml",
    ".yml",
    ".bicep",
    ".bicepparam",
    ".py",
    ".tf",
    ".tfvars",
)
# Python files a folder scan reads: an app's entry; its modules are read through it.
APP_ENTRY = "function_app.py"
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "bin", "obj", "site-packages"})
NOT_INFRA = {
    "local.settings.json": "Functions local settings",
    "function.json": "a function's bindings",
    "package.json": "a Node.js package",
    "package-lock.json": "a Node.js lock file",
    "abbreviations.json": "azd resource-name abbreviations",
    "appsettings.json": "app settings, not a template",
    "launch.json": "editor settings",
    "settings.json": "editor settings",
    "extensions.json": "editor settings",
    "tasks.json": "editor settings",
    "devcontainer.json": "a dev container",
    "bicepconfig.json": "Bicep configuration",
    "metadata.json": "module metadata",
    "version.json": "module metadata",
    "testdata.json": "test data",
}
_TEMPLATE_NAME = re.compile(
    r"(azuredeploy|template|deploy|main)[^/]*\.json$", re.IGNORECASE
)
STDIN, STDIN_DISPLAY = "-", "<stdin>"
_PROFILE_KEYS = re.compile(r"^(workload|plan)\s*:", re.MULTILINE)
# A profile names `workload` or `plan` at its top, in block or flow style: a .yaml
# found in a folder without either is not parsed at all.
_PROFILE_HINT = re.compile(
    r"(?:^|[{,])[ \t]*[\"']?(?:workload|plan)[\"']?[ \t]*:", re.MULTILINE
)
MAX_PROFILE_CHARS = 256 * 1024  # far above any profile; a larger .yaml is data


@dataclass
class SourceFile:
    """One file found, with what it is (`kind`) once classified."""

    path: Path
    display: str
    explicit: bool
    root: Path
    kind: str = ""
    text: str = ""
    data: Any = None
    used: bool = False  # a parameter file that found its template
    stdin: bool = False  # `-`: the document arrives on standard input


def display_of(path: Path) -> str:
    """A file as the user named it (or as found below a folder they named)."""
    return str(path)


def expand(paths: Sequence[Path], result: Scan) -> Iterator[SourceFile]:
    for path in paths:
        if str(path) == STDIN:
            yield SourceFile(path, STDIN_DISPLAY, True, Path.cwd(), stdin=True)
        elif path.is_dir():
            links_out: list[Path] = []
            found = sorted(_walk(path, links_out))
            for link in sorted(links_out):
                result.skipped.append(
                    Skipped(
                        display_of(link),
                        "a link out of the folder checked, or to nothing: not followed",
                    )
                )
            for file in found:
                yield SourceFile(file, display_of(file), False, path)
        elif path.exists() or path.is_symlink():
            root = Path.cwd() if inside(path, Path.cwd()) else path.parent
            yield SourceFile(path, display_of(path), True, root)
        else:
            result.findings.append(unreadable(str(path), "no such file"))
            result.fatal = True


def _walk(root: Path, links_out: list[Path]) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIP_DIRS
            and not (here / d / "pyvenv.cfg").exists()
        )
        for name in names:
            path = here / name
            if not name.lower().endswith(SOURCE_SUFFIXES) or name.startswith("."):
                continue
            if name.endswith(".py") and name != APP_ENTRY:
                continue  # an app's modules are read through its function_app.py
            if path.is_symlink() and not inside(path, root):
                links_out.append(path)  # listed, never followed
                continue
            yield path


# -- what each file is -------------------------------------------------------------


def read_stdin(limit: int = MAX_SOURCE_BYTES) -> str:
    """Standard input, read up to `limit` bytes (more is refused, never read)."""
    return decode(read_limited(sys.stdin.buffer.read, limit, "inputs"))


def _classify_stdin(f: SourceFile, result: Scan) -> None:
    """`-`: a `pulumi preview --json` document, a Terraform plan (`terraform show
    -json`) or other JSON `check` reads."""
    try:
        f.text = read_stdin()
    except (Unreadable, OSError, ValueError) as exc:
        message = exc.message if isinstance(exc, Unreadable) else str(exc)
        line = exc.line if isinstance(exc, Unreadable) else None
        col = exc.col if isinstance(exc, Unreadable) else None
        result.findings.append(unreadable(f.display, message, line, col))
        result.fatal = True
        return
    _classify_json(f, "<stdin>.json", result)
    if f.kind in ("skip", "broken"):
        result.fatal = True  # named on purpose: nothing in it could be judged


def classify(f: SourceFile, result: Scan) -> None:
    if f.stdin:
        _classify_stdin(f, result)
        return
    name = f.path.name.lower()
    if not name.endswith(SOURCE_SUFFIXES):
        f.kind = "skip"
        result.skipped.append(
            skip(f, "not a profile, template, parameter, preview or host.json file")
        )
        return
    if name.endswith(".py"):
        f.kind = "pyapp"  # read by the code reader, module by module
        return
    size = _data_yaml_size(f, name)
    if size is not None:
        f.kind = "skip"  # not read at all: no profile is that large
        kib = size // 1024
        result.skipped.append(skip(f, f"YAML of {kib:,} KiB: data, not a profile"))
        return
    try:
        f.text = read_text(f.path)
    except Unreadable as exc:
        result.findings.append(unreadable(f.display, exc.message, exc.line, exc.col))
        result.fatal = result.fatal or f.explicit
        return
    if name.endswith((".tf", ".tf.json")):
        f.kind = "terraform"  # read by the Terraform reader, root by root
    elif name.endswith((".tfvars", ".tfvars.json")):
        f.kind = "tfvars"
    elif name.endswith(".bicep"):
        f.kind = "bicep"
    elif name.endswith(".bicepparam"):
        f.kind = "bicepparam"
    elif name.endswith(".json"):
        _classify_json(f, name, result)
    else:
        _classify_yaml(f, name, result)


def _classify_json(f: SourceFile, name: str, result: Scan) -> None:
    if name == "host.json":
        f.kind = "host"
    elif name in NOT_INFRA:
        reason = NOT_INFRA[name]
        f.kind = "skip"
        result.skipped.append(skip(f, reason))
        return
    if f.kind == "host":
        return
    try:
        f.data = loads(f.text, depth_checked=False)  # templates bound their own depth
    except JsonError as exc:
        head = f.text[:4096]
        looks = (
            _TEMPLATE_NAME.search(name)
            or "deploymentTemplate" in head
            or ('"format_version"' in head and '"terraform_version"' in head)
        )
        if f.explicit or looks:
            f.kind = "broken"
            result.findings.append(
                unreadable(f.display, f"invalid JSON: {exc.message}", exc.line, exc.col)
            )
        else:
            f.kind = "skip"
            result.skipped.append(skip(f, "not valid JSON, not a template"))
        return
    from azfn_profile.sources.arm import is_template
    from azfn_profile.sources.params import is_parameters
    from azfn_profile.sources.preview import is_preview
    from azfn_profile.sources.terraform_plan import is_plan

    if is_template(f.data):
        f.kind = "arm"
        return
    if too_deep(f.data):
        f.kind = "broken"
        try:
            check_depth(f.text)
        except JsonError as exc:
            result.findings.append(
                unreadable(f.display, exc.message, exc.line, exc.col)
            )
        return
    if is_parameters(f.data):
        f.kind = "params"
    elif is_preview(f.data):
        f.kind = "preview"
    elif is_plan(f.data, f.explicit):
        f.kind = "tfplan"  # terraform show -json: read by the plan reader
    elif isinstance(f.data, dict) and {"workload", "plan"} & set(f.data):
        f.kind = "profile"
    else:
        f.kind = "skip"
        result.skipped.append(skip(f, "JSON that is not function-app infrastructure"))


def _data_yaml_size(f: SourceFile, name: str) -> int | None:
    """The size of a .yaml found in a folder (not named, not a project file) with
    more bytes than a profile may have characters: it is skipped before it is read.
    None for any other file."""
    if f.explicit or not name.endswith((".yaml", ".yml")):
        return None
    if name in ("azure.yaml", "azure.yml", "pulumi.yaml", "pulumi.yml"):
        return None
    try:
        size = f.path.stat().st_size
    except OSError:
        return None  # reading it says why
    return size if size > MAX_PROFILE_CHARS else None


def _classify_yaml(f: SourceFile, name: str, result: Scan) -> None:
    if name in ("azure.yaml", "azure.yml"):
        f.kind = "azd"
        return
    if name in ("pulumi.yaml", "pulumi.yml"):
        f.kind = "pulumi"  # a Pulumi project: its program is read through it
        return
    if not f.explicit and len(f.text) > MAX_PROFILE_CHARS:
        f.kind = "skip"
        kib = len(f.text) // 1024
        result.skipped.append(skip(f, f"YAML of {kib:,} KiB: data, not a profile"))
        return
    if not f.explicit and not _PROFILE_HINT.search(f.text):
        f.kind = "skip"  # not parsed: nothing in it could make it a profile
        result.skipped.append(skip(f, "YAML that is not a profile"))
        return
    from azfn_profile.errors import InputError
    from azfn_profile.yamlload import parse

    try:
        document = parse(f.text, f.display)
    except InputError:
        if f.explicit or _PROFILE_KEYS.search(f.text):
            f.kind = "profile"  # reported as a broken profile
            return
        f.kind = "skip"
        result.skipped.append(skip(f, "YAML that is not a profile"))
        return
    data = document.data
    if isinstance(data, dict) and {"workload", "plan"} & set(data):
        f.kind = "profile"
        f.data = document  # parsed once: the profile loader takes it from here
        return
    f.kind = "skip"
    result.skipped.append(skip(f, "YAML that is not a profile"))


def skip(f: SourceFile, reason: str) -> Skipped:
    return Skipped(f.display, reason, f.explicit)


def explicit_parameters(path: Path | None, result: Scan) -> dict[str, Any] | None:
    if path is None:
        return None
    from azfn_profile.sources.params import is_parameters, json_values

    try:
        data = loads(read_text(path))
    except (Unreadable, JsonError) as exc:
        message = exc.message if hasattr(exc, "message") else str(exc)
        result.findings.append(unreadable(str(path), f"--parameters: {message}"))
        result.fatal = True
        return None
    if not is_parameters(data):
        result.findings.append(
            unreadable(str(path), "--parameters: not a deploymentParameters file")
        )
        result.fatal = True
        return None
    return json_values(data)


def explicit_var_files(paths: Sequence[Path], result: Scan) -> list[SourceFile]:
    """The `--var-file` files, read (through the bounded reader) in the order
    given; one that cannot be read is reported at its path."""
    files = []
    for path in paths:
        display = display_of(path)
        try:
            text = read_text(path)
        except (Unreadable, OSError) as exc:
            message = exc.message if isinstance(exc, Unreadable) else str(exc)
            result.findings.append(unreadable(display, f"--var-file: {message}"))
            result.fatal = True
            continue
        f = SourceFile(path, display, True, path.parent, kind="tfvars", text=text)
        files.append(f)
    return files
