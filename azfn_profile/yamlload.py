"""Safe, bounded YAML loading that keeps line/column marks for every key and value.

PyYAML accepts duplicate keys silently and expands aliases without limit; profiles
are small, so this loader rejects both, along with tab indentation, binary or
non-UTF-8 content and oversized files, each as a located `Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from azfn_profile.errors import InputError, Problem
from azfn_profile.files import Unreadable, decode, read_bytes

MAX_BYTES = 1024 * 1024
MAX_NODES = 10_000
MAX_DEPTH = 64

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAGS = ("tag:yaml.org,2002:",)
_REFUSED_TAGS = frozenset(
    {
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:set",
        "tag:yaml.org,2002:omap",
        "tag:yaml.org,2002:pairs",
    }
)
KeyPath = tuple[str | int, ...]  # keys and list indexes from the root


@dataclass(frozen=True)
class Mark:
    line: int
    col: int


@dataclass
class Document:
    """Plain data plus where each part of it came from."""

    data: Any
    value_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    raw_scalars: dict[KeyPath, str] = field(default_factory=dict)

    def mark_for(self, path: KeyPath, *, key: bool = False) -> Mark:
        """The closest known mark for `path` (its key's mark when `key`)."""
        probe = tuple(path)
        while probe:
            found = (self.key_marks if key else self.value_marks).get(probe)
            if found is None and key:
                found = self.value_marks.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
            key = False
        return self.value_marks.get((), Mark(1, 1))


def read_text(path: Path, display: str) -> str:
    """Read a profile through the bounded reader: a regular file of UTF-8 text, at
    most 1 MiB; anything else (a directory, FIFO, device, binary) is a located error."""
    try:
        return decode(read_bytes(path, MAX_BYTES))
    except Unreadable as exc:
        problem = Problem(display, _profile_words(exc), exc.line, exc.col)
        raise InputError([problem]) from None


def _profile_words(exc: Unreadable) -> str:
    """The reader's reason, worded for a profile where the wording differs."""
    if exc.why == "directory":
        return "is a directory, not a profile file"
    if exc.why == "pseudo":
        return "a /proc or /sys file, not a profile file"
    if exc.why == "too-large":
        return f"file is {exc.size} bytes; profiles over 1 MiB are refused"
    if exc.why == "binary":
        return "binary content (NUL byte); a profile is YAML text"
    if exc.why == "encoding":
        return f"not UTF-8 text (byte 0x{exc.byte:02x}); save the profile as UTF-8"
    return exc.message


def parse(text: str, display: str) -> Document:
    """Parse one YAML document into data with marks; raise InputError when unusable."""
    _reject_tabs(text, display)
    try:
        _reject_deep_nesting(text, display)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_problem(exc, display)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(display, f"invalid YAML: {exc}")]) from None
    doc = Document(data=None)
    if node is None:
        return doc
    walker = _Walker(doc, display)
    doc.data = walker.build(node, (), 0)
    return doc


def _reject_tabs(text: str, display: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent] and line.strip() and not line.lstrip().startswith("#"):
            col = line.index("\t") + 1
            msg = "tab character in indentation; YAML indents with spaces only"
            raise InputError([Problem(display, msg, number, col)])


def _reject_deep_nesting(text: str, display: str) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C and
    crashes the interpreter on a few hundred thousand levels; its parser does not."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                msg = f"nesting deeper than {MAX_DEPTH} levels; refusing to load it"
                where = (mark.line + 1, mark.column + 1) if mark else (None, None)
                raise InputError([Problem(display, msg, *where)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    text = exc.problem or exc.context or "malformed document"
    if exc.context and exc.problem and exc.context_mark is not None:
        text = f"{text} ({exc.context} at line {exc.context_mark.line + 1})"
    if "expected a single document" in (exc.context or ""):
        text = "more than one YAML document; a profile is a single document"
    if mark is None:
        return Problem(display, f"invalid YAML: {text}")
    return Problem(display, f"invalid YAML: {text}", mark.line + 1, mark.column + 1)


class _Walker:
    """Turns a composed node graph into plain data, recording marks on the way."""

    def __init__(self, doc: Document, display: str) -> None:
        self.doc = doc
        self.display = display
        self.count = 0
        self.limit = MAX_NODES
        self.depth_limit = MAX_DEPTH
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, message: str) -> InputError:
        mark = node.start_mark
        return InputError(
            [Problem(self.display, message, mark.line + 1, mark.column + 1)]
        )

    def build(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise self.fail(
                node,
                f"document expands to more than {MAX_NODES} values "
                "(an alias bomb?); refusing to load it",
            )
        if depth > self.depth_limit:
            raise self.fail(
                node, f"nesting deeper than {MAX_DEPTH} levels; refusing to load it"
            )
        self.doc.value_marks[path] = Mark(
            node.start_mark.line + 1, node.start_mark.column + 1
        )
        if not node.tag.startswith(_STANDARD_TAGS) or node.tag in _REFUSED_TAGS:
            raise self.fail(
                node, f"YAML tag {node.tag!r} is not allowed; write plain values"
            )
        if isinstance(node, yaml.ScalarNode):
            self.doc.raw_scalars[path] = node.value
            try:
                return self.constructor.construct_object(node)
            except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise
                # IndexError, ValueError, OverflowError ... on hostile scalars
                why = getattr(exc, "problem", None) or str(exc)
                raise self.fail(
                    node, f"cannot read the value {node.value[:40]!r}: {why}"
                ) from None
        if id(node) in self.active:
            raise self.fail(node, "recursive alias: a value contains itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.build(item, (*path, i), depth + 1)
                    for i, item in enumerate(node.value)
                ]
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def mapping(
        self, node: yaml.MappingNode, path: KeyPath, depth: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    key_node, "merge keys (<<) are not supported in profiles"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(
                    key_node, "keys must be plain names, not lists or mappings"
                )
            key = str(key_node.value)
            key_path = (*path, key)
            key_mark = Mark(
                key_node.start_mark.line + 1, key_node.start_mark.column + 1
            )
            if key in result:
                first = self.doc.key_marks[key_path]
                raise self.fail(
                    key_node,
                    f"duplicate key '{key}' (first defined at line "
                    f"{first.line}); YAML would silently keep the last one",
                )
            self.doc.key_marks[key_path] = key_mark
            result[key] = self.build(value_node, key_path, depth + 1)
        return result
