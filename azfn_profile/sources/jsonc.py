"""JSON as templates are written, read defensively, with positions on demand.

ARM accepts `//` and `/* */` comments and Windows editors write a byte-order mark;
both are read. Untrusted files get bounds: nesting deeper than `MAX_DEPTH` is refused
before parsing (Python's parser would recurse), integers longer than 18 digits become
opaque values (Python refuses to convert 5,000-digit numbers), `NaN`/`Infinity` are
refused (not JSON), and escaped lone surrogates become U+FFFD (they cannot be written
back out as UTF-8). Every step is linear in the size of the text.

`Positions` finds the line and column of a value by its path, scanning each container
once when a location inside it is first asked for (findings only, never for passing
checks), so a large template costs one pass at most.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import math
import re
from typing import Any

from azfn_profile.sources.values import Opaque

MAX_DEPTH = 256
BOM = "\ufeff"

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_INTEREST = re.compile(r'["/]')
_STRING_RE = re.compile(_STRING, re.DOTALL)
_BRACKETS = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_LONE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_WS = re.compile(r"[ \t\r\n]*")
_LITERAL = re.compile(r'[^\s{}\[\]:,"]+')
_BLANK = re.compile(r"[^\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DECODER = json.JSONDecoder(parse_int=lambda s: 0, parse_float=lambda s: 0.0)


class JsonError(ValueError):
    """Not JSON this tool reads; 1-based line and column where known."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def loads(text: str, *, depth_checked: bool = True) -> Any:
    """Parse JSON with comments and a BOM, within the bounds above.

    Plain JSON (the common case) is parsed as it is; only text that does not parse
    is read again with its comments blanked out, so a large template without
    comments costs one C-level parse. `depth_checked=False` leaves the nesting check
    to the caller (the template evaluator bounds its own depth).
    """
    clean = text.removeprefix(BOM)
    try:
        data = _parse(clean)
    except json.JSONDecodeError as first:
        stripped = strip_comments(clean)
        if stripped == clean:
            raise JsonError(first.msg, first.lineno, first.colno) from None
        try:
            data = _parse(stripped)
        except json.JSONDecodeError as exc:
            raise JsonError(exc.msg, exc.lineno, exc.colno) from None
        clean = stripped
    if (depth_checked or _LONE.search(clean)) and too_deep(data):
        check_depth(clean)  # raises with the place
    if _LONE.search(clean):
        data = _fix_surrogates(data)
    return data


def _parse(text: str) -> Any:
    try:
        data = json.loads(
            text,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=_no_constant,
        )
    except RecursionError:
        check_depth(text)  # says where
        raise JsonError("nesting too deep") from None
    return data


def too_deep(data: Any) -> bool:
    """Whether parsed data nests deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend(
                (v, depth + 1) for v in value.values() if isinstance(v, dict | list)
            )
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False


def strip_comments(text: str) -> str:
    """`//` and `/* */` comments outside strings become spaces (newlines kept), so
    offsets, lines and columns stay those of the original text."""
    if "/" not in text:
        return text
    out: list[str] = []
    copied = pos = 0  # text[:copied] is in `out` already
    while True:
        hit = _INTEREST.search(text, pos)
        if hit is None:
            break
        at = hit.start()
        if text[at] == '"':
            string = _STRING_RE.match(text, at)
            if string is None:  # unterminated string: the parser will say where
                break
            pos = string.end()
            continue
        if text.startswith("//", at):
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
        elif text.startswith("/*", at):
            close = text.find("*/", at + 2)
            if close < 0:
                line, col = _line_col(text, at)
                raise JsonError("comment not closed (/* without */)", line, col)
            end = close + 2
        else:
            pos = at + 1
            continue
        out.append(text[copied:at])
        out.append(_BLANK.sub(" ", text[at:end]))
        copied = pos = end
    out.append(text[copied:])
    return "".join(out)


def check_depth(text: str) -> None:
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _line_col(text, match.start())
                raise JsonError(
                    f"nesting deeper than {MAX_DEPTH} levels; refusing to read it",
                    line,
                    col,
                )
        elif token in "]}":
            depth -= 1


def _bounded_int(digits: str) -> Any:
    if len(digits.lstrip("-")) > 18:
        return Opaque(f"a number of {len(digits)} digits")
    return int(digits)


def _bounded_float(text: str) -> Any:
    if len(text) > 64:
        return Opaque(f"a number of {len(text)} characters")
    value = float(text)
    return value if math.isfinite(value) else Opaque(f"the number {text[:20]}")


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _fix_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_fix_surrogates(k): _fix_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix_surrogates(v) for v in value]
    return value


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class Positions:
    """Line and column of values in a JSON text, by path (keys and list indexes)."""

    def __init__(self, text: str) -> None:
        self.raw = text.removeprefix(BOM)
        self._text: str | None = None
        self.shift = 1 if text.startswith(BOM) else 0
        self._newlines: list[int] | None = None
        self._members: dict[int, dict[Any, int]] = {}
        self._close: dict[int, int] | None = None

    @property
    def text(self) -> str:
        if self._text is None:  # comments blanked (same offsets), only if any
            try:
                json.loads(self.raw)
                self._text = self.raw
            except ValueError:
                self._text = strip_comments(self.raw)
        return self._text

    def _closing(self) -> dict[int, int]:
        """Offset of each `[`/`{` -> offset just past its closing bracket."""
        if self._close is None:
            close: dict[int, int] = {}
            stack: list[int] = []
            for match in _BRACKETS.finditer(self.text):
                token = match.group()
                if token in "[{":
                    stack.append(match.start())
                elif token in "]}" and stack:
                    close[stack.pop()] = match.end()
            self._close = close
        return self._close

    def at(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """Where the value at `path` starts (or the deepest part of it that exists)."""
        offset = self._skip_ws(0)
        for part in path:
            members = self._container(offset)
            if part not in members:
                break
            offset = members[part]
        return self._line_col(offset)

    def _line_col(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        col = offset - start + 1 + (self.shift if line == 0 else 0)
        return line + 1, col

    def _skip_ws(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _container(self, offset: int) -> dict[Any, int]:
        if offset in self._members:
            return self._members[offset]
        members: dict[Any, int] = {}
        self._members[offset] = members
        text = self.text
        if offset >= len(text) or text[offset] not in "[{":
            return members
        is_object, index = text[offset] == "{", 0
        pos = self._skip_ws(offset + 1)
        while pos < len(text) and text[pos] not in "]}":
            key: Any = index
            if is_object:
                found = _STRING_RE.match(text, pos)
                if found is None:
                    return members
                key = found.group()[1:-1]
                if "\\" in key:
                    with contextlib.suppress(ValueError):
                        key = json.loads(found.group())
                pos = self._skip_ws(found.end())
                if not text.startswith(":", pos):
                    return members
                pos = self._skip_ws(pos + 1)
            members[key] = pos
            end = self._skip_value(pos)
            if end is None:
                return members
            pos = self._skip_ws(end)
            if text.startswith(",", pos):
                pos = self._skip_ws(pos + 1)
            index += 1
        return members

    def _skip_value(self, pos: int) -> int | None:
        text = self.text
        if pos >= len(text):
            return None
        if text[pos] == '"':
            found = _STRING_RE.match(text, pos)
            return found.end() if found else None
        if text[pos] not in "[{":
            found = _LITERAL.match(text, pos)
            return found.end() if found else None
        try:  # the C parser finds the end of a container fastest
            return _DECODER.raw_decode(text, pos)[1]
        except (ValueError, RecursionError):
            return self._closing().get(pos)
