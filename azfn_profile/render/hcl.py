"""Terraform's native syntax (HCL) from the same document the JSON syntax holds.

The Terraform writer builds one document in Terraform's JSON syntax; this module
prints it as `.tf`, following Terraform's rules for reading JSON: a list of objects
under a block name is a list of nested blocks, an object under an attribute name is
a map or object value. Strings are already template-escaped (`$${`, `%%{`) by the
writer; here they are quoted. A string that is exactly one interpolation
(`"${azurerm_storage_account.storage.id}"`) is printed as the bare expression, as
`terraform fmt` users write it. Consecutive one-line attributes align their `=`,
as `terraform fmt` does.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Block types of the configuration language (their bodies are blocks, not maps).
_TOP_LEVEL = (
    "terraform",
    "provider",
    "variable",
    "data",
    "locals",
    "resource",
    "module",
    "output",
)
# Keys whose object value is a block in this writer's documents.
_OBJECT_BLOCKS = frozenset(
    {"terraform", "required_providers", "features", "lifecycle", "validation"}
)
_RAW = {
    "variable": {"type"},
    "lifecycle": {"replace_triggered_by", "ignore_changes"},
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INDENT = "  "


def to_hcl(document: dict[str, Any]) -> str:
    """The document (Terraform JSON syntax) in Terraform's native syntax."""
    out: list[str] = []
    comment = document.get("//")
    if isinstance(comment, str):
        out += [f"# {line}" for line in _wrap(comment, 86)]
    for kind in _TOP_LEVEL:
        body = document.get(kind)
        if body is None:
            continue
        for labels, block in _labelled(kind, body):
            if out:
                out.append("")
            out += _block(kind, labels, block, 0)
    return "\n".join(out) + "\n"


def _labelled(kind: str, body: Any) -> list[tuple[list[str], dict[str, Any]]]:
    """The blocks of a top-level type with their labels (resource has two)."""
    if kind in ("terraform", "locals"):
        return [([], body)]
    depth = 2 if kind in ("resource", "data") else 1
    found: list[tuple[list[str], dict[str, Any]]] = []

    def walk(node: Any, labels: list[str]) -> None:
        if len(labels) == depth:
            found.extend(
                (labels, i) for i in (node if isinstance(node, list) else [node])
            )
            return
        for key, value in node.items():
            walk(value, [*labels, key])

    walk(body, [])
    return found


def _block(kind: str, labels: list[str], body: dict[str, Any], level: int) -> list[str]:
    head = " ".join([kind, *(json.dumps(label) for label in labels)])
    pad = _INDENT * level
    # A variable's type is a type expression and lifecycle's lists hold references:
    # JSON syntax writes both as plain strings.
    inner = _body(body, level + 1, raw=_RAW.get(kind, set()))
    if not inner:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{", *inner, f"{pad}}}"]


def _body(body: dict[str, Any], level: int, raw: set[str] | None = None) -> list[str]:
    pad = _INDENT * level
    lines: list[str] = []
    group: list[tuple[str, str]] = []  # one-line attributes, aligned together

    def flush() -> None:
        width = max((len(k) for k, _ in group), default=0)
        lines.extend(f"{pad}{k:<{width}} = {v}" for k, v in group)
        group.clear()

    for key, value in body.items():
        if key == "//":
            flush()
            lines += [f"{pad}# {line}" for line in _wrap(str(value), 86 - len(pad))]
            continue
        if _is_blocks(key, value):
            flush()
            for item in value if isinstance(value, list) else [value]:
                if lines:
                    lines.append("")
                lines += _block(key, [], item, level)
            continue
        if not group and lines and lines[-1].strip() == "}":
            lines.append(
                ""
            )  # a blank line after a nested block, as terraform fmt keeps
        if raw and key in raw and isinstance(value, str):
            text = value
        elif raw and key in raw and isinstance(value, list):
            text = "[" + ", ".join(str(v) for v in value) + "]"
        else:
            text = _value(value, level)
        name = key if _IDENTIFIER.fullmatch(key) else json.dumps(key)
        if "\n" in text:
            flush()
            lines.append(f"{pad}{name} = {text}")
        else:
            group.append((name, text))
    flush()
    return lines


def _is_blocks(key: str, value: Any) -> bool:
    if key in _OBJECT_BLOCKS and isinstance(value, dict):
        return True
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
    )


def _value(value: Any, level: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        items = [_value(v, level + 1) for v in value]
        if not items:
            return "[]"
        if all("\n" not in i for i in items) and sum(len(i) for i in items) < 60:
            return "[" + ", ".join(items) + "]"
        pad = _INDENT * (level + 1)
        return "[\n" + "".join(f"{pad}{i},\n" for i in items) + _INDENT * level + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = _body(value, level + 1)
        return "{\n" + "\n".join(inner) + "\n" + _INDENT * level + "}"
    raise TypeError(f"no HCL for {type(value).__name__}")


def _string(text: str) -> str:
    """A quoted template: already escaped for `${`/`%{`; quotes, backslashes and
    control characters escaped here, in its literal parts only (an interpolation is
    an expression, where HCL takes quotes unescaped). One whole interpolation prints
    bare."""
    bare = _whole_interpolation(text)
    if bare is not None:
        return bare
    return (
        '"'
        + "".join(
            part if interpolation else _escape_literal(part)
            for part, interpolation in _template_parts(text)
        )
        + '"'
    )


def _escape_literal(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]",
        lambda m: f"\\u{ord(m.group()):04x}",
        escaped,
    )


def _template_parts(text: str) -> list[tuple[str, bool]]:
    """The string's literal parts and its `${...}` interpolations, in order. A `$${`
    (an escaped data `${`) is literal; an interpolation ends at its matching brace
    (the project writes them, nested templates included)."""
    parts: list[tuple[str, bool]] = []
    literal_start = i = 0
    while i < len(text):
        if text.startswith("$${", i):
            i += 3
            continue
        if not text.startswith("${", i):
            i += 1
            continue
        end = _closing_brace(text, i + 1)
        if end is None:  # unbalanced: the rest is literal
            break
        parts.append((text[literal_start:i], False))
        parts.append((text[i : end + 1], True))
        literal_start = i = end + 1
    parts.append((text[literal_start:], False))
    return [(part, interpolation) for part, interpolation in parts if part]


def _closing_brace(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(40, width), break_on_hyphens=False) or [""]


def _whole_interpolation(text: str) -> str | None:
    """The expression of a string that is exactly one `${...}` (nested templates in
    it included), else None. Data strings never start with `${`: the writer has
    escaped them to `$${`."""
    if text.startswith("${") and _closing_brace(text, 1) == len(text) - 1:
        return text[2:-1]
    return None
