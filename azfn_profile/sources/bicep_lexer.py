"""Bicep tokens, with line and column, in one linear pass.

Strings keep their interpolations as nested token lists (`'${name}-plan'`), so the
parser sees the whole expression tree. Newlines are tokens: Bicep separates object
properties, array items and statements with them. Comments are dropped (a block
comment that spans lines counts as a newline).
Reference: learn.microsoft.com/azure/azure-resource-manager/bicep/file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_TOKENS = 2_000_000
MAX_NESTING = 64  # string interpolations inside interpolations


class BicepSyntaxError(ValueError):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass
class Token:
    kind: str  # ident, int, string, op, newline, eof
    value: Any
    line: int
    col: int
    parts: list[Any] = field(default_factory=list)  # string: str | list[Token]


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[0-9]+")
_SPACE = re.compile(r"[ \t\r\f\v\ufeff]+")
_OPS = (
    "...",
    "==",
    "!=",
    "=~",
    "!~",
    "<=",
    ">=",
    "&&",
    "||",
    "??",
    ".?",
    "=>",
    "::",
    "[?",
)
_SINGLE = set("{}[](),:.?!=<>+-*/%@|&")
_ESCAPES = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


class Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.count = 0
        self.nesting = 0

    def error(self, message: str) -> BicepSyntaxError:
        return BicepSyntaxError(message, self.line, self.pos - self.line_start + 1)

    def tokens(self, stop_at_brace: bool = False) -> list[Token]:
        """Tokens up to the end (or, inside an interpolation, the closing brace)."""
        out: list[Token] = []
        depth = 0
        src = self.src
        while True:
            self.count += 1
            if self.count > MAX_TOKENS:
                raise self.error(f"more than {MAX_TOKENS:,} tokens")
            match = _SPACE.match(src, self.pos)
            if match:
                self.pos = match.end()
            if self.pos >= len(src):
                if stop_at_brace:
                    raise self.error("string interpolation ${ is not closed")
                out.append(self._tok("eof", None))
                return out
            ch = src[self.pos]
            if ch == "\n":
                out.append(self._tok("newline", "\n"))
                self._newline(self.pos)
                self.pos += 1
                continue
            if src.startswith("//", self.pos) or ch == "#":  # comments, #pragmas
                end = src.find("\n", self.pos)
                self.pos = len(src) if end < 0 else end
                continue
            if src.startswith("/*", self.pos):
                self._block_comment(out)
                continue
            if ch == "'":
                out.append(self._string())
                continue
            if stop_at_brace and ch == "}" and depth == 0:
                self.pos += 1
                out.append(self._tok("eof", None))
                return out
            match = _IDENT.match(src, self.pos)
            if match:
                out.append(self._tok("ident", match.group()))
                self.pos = match.end()
                continue
            match = _INT.match(src, self.pos)
            if match:
                digits = match.group()
                if len(digits) > 18:
                    raise self.error(f"number of {len(digits)} digits")
                out.append(self._tok("int", int(digits)))
                self.pos = match.end()
                continue
            op = next((o for o in _OPS if src.startswith(o, self.pos)), None)
            if op is None and ch in _SINGLE:
                op = ch
            if op is None:
                raise self.error(f"unexpected character {ch!r}")
            if op in ("{", "(", "["):
                depth += 1
            elif op in ("}", ")", "]"):
                depth -= 1
            elif op == "[?":
                depth += 1
            out.append(self._tok("op", op))
            self.pos += len(op)

    def _tok(self, kind: str, value: Any) -> Token:
        return Token(kind, value, self.line, self.pos - self.line_start + 1)

    def _newline(self, at: int) -> None:
        self.line += 1
        self.line_start = at + 1

    def _block_comment(self, out: list[Token]) -> None:
        end = self.src.find("*/", self.pos + 2)
        if end < 0:
            raise self.error("comment /* is not closed")
        spans = self.src.count("\n", self.pos, end)
        if spans:
            out.append(self._tok("newline", "\n"))
            last = self.src.rfind("\n", self.pos, end)
            self.line += spans
            self.line_start = last + 1
        self.pos = end + 2

    def _string(self) -> Token:
        token = self._tok("string", None)
        src = self.src
        if src.startswith("'''", self.pos):  # multi-line: verbatim, no escapes
            end = src.find("'''", self.pos + 3)
            if end < 0:
                raise self.error("multi-line string ''' is not closed")
            value = src[self.pos + 3 : end]
            value = value.removeprefix("\n")
            for i in range(self.pos, end):
                if src[i] == "\n":
                    self._newline(i)
            self.pos = end + 3
            token.parts = [value]
            return token
        self.pos += 1
        parts: list[Any] = []
        chunk: list[str] = []
        while True:
            if self.pos >= len(src) or src[self.pos] == "\n":
                raise self.error("string is not closed on its line")
            ch = src[self.pos]
            if ch == "'":
                self.pos += 1
                break
            if ch == "\\":
                nxt = src[self.pos + 1 : self.pos + 2]
                if nxt in _ESCAPES:
                    chunk.append(_ESCAPES[nxt])
                    self.pos += 2
                    continue
                if nxt == "u" and src.startswith("{", self.pos + 2):
                    end = src.find("}", self.pos + 3)
                    code = src[self.pos + 3 : end] if end > 0 else ""
                    if end < 0 or not re.fullmatch(r"[0-9A-Fa-f]{1,6}", code):
                        raise self.error("bad \\u{...} escape")
                    point = int(code, 16)
                    chunk.append(chr(point) if point < 0x110000 else "\ufffd")
                    self.pos = end + 1
                    continue
                raise self.error(f"unknown escape \\{nxt}")
            if src.startswith("${", self.pos):
                if chunk:
                    parts.append("".join(chunk))
                    chunk = []
                self.pos += 2
                self.nesting += 1
                if self.nesting > MAX_NESTING:
                    raise self.error(f"interpolations nested deeper than {MAX_NESTING}")
                parts.append(self.tokens(stop_at_brace=True))
                self.nesting -= 1
                continue
            chunk.append(ch)
            self.pos += 1
        if chunk or not parts:
            parts.append("".join(chunk))
        token.parts = parts
        return token


def tokenize(source: str) -> list[Token]:
    return Lexer(source).tokens()
