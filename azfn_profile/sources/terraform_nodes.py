"""What the Terraform parsers give the reader: blocks, attributes and expression
nodes, each with the line and column it was written at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class HclError(ValueError):
    """Text the HCL parser refused; 1-based line and column."""

    def __init__(self, message: str, line: int | None, col: int | None) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


class HclLimit(HclError):
    """Text too large or too deeply nested for the reader's bounds."""


@dataclass(eq=False)
class Expr:
    """One expression node. Kinds: lit, tmpl, name, attr, index, splat, call,
    tuple, object, cond, binop, unop, for, opaque (see `terraform_syntax`)."""

    kind: str
    value: Any = None
    args: list[Expr] = field(default_factory=list)
    line: int | None = None
    col: int | None = None


@dataclass(eq=False)
class Attr:
    name: str
    expr: Expr
    line: int | None
    col: int | None


@dataclass(eq=False)
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int | None
    col: int | None


class Body:
    """A block's body: its attributes and the blocks inside it."""

    def __init__(self, attrs: dict[str, Attr], blocks: list[Block]) -> None:
        self._attrs, self._blocks = attrs, blocks

    def attrs(self) -> dict[str, Attr]:
        return self._attrs

    def blocks(self, name: str, labels: int = 0) -> list[Block]:
        return [b for b in self._blocks if b.type == name]
