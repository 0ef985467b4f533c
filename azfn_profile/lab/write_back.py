"""Write measured settings back into a profile, keeping everything else as it was.

Comments, key order and quoting survive (ruamel.yaml round-trip); so do what ruamel
would drop or change: a comment block and `---` before the document, a UTF-8 byte
order mark and CRLF line endings. Sections the write edits (`workload`,
`app_settings`) must not be YAML anchors or aliases: writing into one would change the
other places that share it, so such profiles are refused with a located message.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from azfn_profile import facts
from azfn_profile.errors import InputError, Problem
from azfn_profile.fileio import replace_file
from azfn_profile.loader import load_profile

BOM = b"\xef\xbb\xbf"
EDITED = ("workload", "app_settings")
_PREAMBLE = re.compile(
    r"\A(?:(?:[ \t]*(?:#[^\n]*)?|%[^\n]*)\n)*---[ \t]*(?:#[^\n]*)?\n"
)


@dataclass(frozen=True)
class Edit:
    """One value the write-back set or left: `before` is the profile's own text for
    it (None when the profile did not set it)."""

    path: str
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def updated_profile(
    raw: bytes,
    *,
    processes: int | None,
    threads: int | None,
    memory_mb: int | None,
    display: str = "profile",
) -> bytes:
    """The profile with explicit worker overrides (and memory per process, if given)."""
    return edit_profile(
        raw, processes=processes, threads=threads, memory_mb=memory_mb, display=display
    )[0]


def edit_profile(
    raw: bytes,
    *,
    processes: int | None,
    threads: int | None,
    memory_mb: int | None,
    display: str = "profile",
) -> tuple[bytes, list[Edit]]:
    """Set only the values given (None: leave that value as the profile has it) and
    say, for each, what the profile held. A setting the profile already names keeps
    its place and spelling; a new one is added at the end of `app_settings`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    bom = raw.startswith(BOM)
    text = raw[len(BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    preamble_match = _PREAMBLE.match(text)
    preamble = preamble_match.group(0) if preamble_match else ""
    yaml = YAML()
    yaml.preserve_quotes = True
    body = text[len(preamble) :]
    yaml.indent(**_indentation(body))
    data = yaml.load(body)
    _refuse_shared_sections(data, display)
    edits: list[Edit] = []
    wanted = [
        (name, value)
        for name, value in (
            (facts.PROCESS_COUNT, processes),
            (facts.THREAD_COUNT, threads),
        )
        if value is not None
    ]
    if wanted:
        settings = data.get("app_settings")
        if not isinstance(settings, dict):
            settings = CommentedMap()
            data["app_settings"] = settings
        for name, value in wanted:
            keys = [k for k in settings if str(k).upper() == name]
            before = str(settings[keys[0]]).strip() if keys else None
            edits.append(Edit(f"app_settings.{name}", before, str(value)))
            if before == str(value):
                continue
            for key in keys or [name]:
                settings[key] = str(value)
    if memory_mb is not None:
        workload = data.get("workload")
        if not isinstance(workload, dict):
            workload = CommentedMap()
            data["workload"] = workload
        old = workload.get("memory_per_process_mb")
        before = None if old is None else str(old).strip()
        edits.append(Edit("workload.memory_per_process_mb", before, str(memory_mb)))
        if before != str(memory_mb):
            workload["memory_per_process_mb"] = memory_mb
    if not any(e.changed for e in edits):
        return raw, edits
    out = io.StringIO()
    yaml.dump(data, out)
    result = preamble + out.getvalue()
    if crlf:
        result = result.replace("\n", "\r\n")
    return (BOM if bom else b"") + result.encode("utf-8"), edits


# Indentation styles for mappings and sequences (ruamel's `indent`): its default, and
# the block-sequence styles people and `init` write (`  - item` under its key).
_STYLES = (
    {"mapping": 2, "sequence": 2, "offset": 0},
    {"mapping": 2, "sequence": 4, "offset": 2},
    {"mapping": 4, "sequence": 4, "offset": 2},
    {"mapping": 4, "sequence": 6, "offset": 4},
    {"mapping": 4, "sequence": 4, "offset": 0},
)


def _indentation(body: str) -> dict[str, int]:
    """The style that writes the unedited profile back most nearly as it is, so
    the lines the write does not touch keep their indentation."""
    from ruamel.yaml import YAML

    def differing(style: dict[str, int]) -> int:
        probe = YAML()
        probe.preserve_quotes = True
        probe.indent(**style)
        out = io.StringIO()
        probe.dump(probe.load(body), out)
        written = out.getvalue().splitlines()
        original = body.splitlines()
        same = sum(1 for a, b in zip(written, original, strict=False) if a == b)
        return max(len(written), len(original)) - same

    return min(_STYLES, key=differing)


def _refuse_shared_sections(data: Any, display: str) -> None:
    values = list(data.values()) if isinstance(data, dict) else []
    for name in EDITED:
        section = data.get(name) if isinstance(data, dict) else None
        if section is None:
            continue
        anchor = getattr(getattr(section, "anchor", None), "value", None)
        shared = sum(1 for v in values if v is section) > 1
        nested = any(
            getattr(getattr(v, "anchor", None), "value", None)
            for v in (section.values() if isinstance(section, dict) else [])
        )
        if anchor or shared or nested:
            line = getattr(getattr(section, "lc", None), "line", None)
            raise InputError(
                [
                    Problem(
                        display,
                        f"{name} uses a YAML anchor or alias; writing into it would "
                        "change what shares it: write the section out in full, then "
                        "run tune --write again",
                        line + 1 if isinstance(line, int) else None,
                        1 if isinstance(line, int) else None,
                    )
                ]
            )


def write_profile(path: Path, data: bytes, today: date) -> None:
    """Replace the profile atomically (through a symbolic link), once the new text
    loads as a valid profile."""

    def valid(staged: Path) -> None:
        load_profile(staged, today=today, display=str(path))  # InputError if not

    replace_file(path, data, valid)
