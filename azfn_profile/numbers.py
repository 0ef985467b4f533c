"""Reading whole numbers the way the Functions host does: ASCII digits only.

Python's `int()` and `str.isdigit()` accept far more than the host: `int("１１")` is
11 (fullwidth digits), `"²".isdigit()` is true but `int("²")` fails, and a
5,000-digit string exceeds the interpreter's conversion limit. The host parses app
settings with .NET's invariant culture, which reads ASCII digits only. Every count this
tool reads from a setting, a tag or a template goes through `ascii_int`.
"""

from __future__ import annotations

import re

from azfn_profile.secret import reveal

MAX_DIGITS = 18  # well inside int64; longer numbers are not counts anyone meant

_UNSIGNED = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_SIGNED = re.compile(rf"[-+]?[0-9]{{1,{MAX_DIGITS}}}")


def ascii_int(value: object, *, signed: bool = False) -> int | None:
    """The integer an ASCII digit string (surrounding blanks allowed) spells; else
    None. Integers pass through; booleans and anything else are not counts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    # a count computed from a secret is a count, not a secret
    stripped = reveal(value).strip(" \t")
    pattern = _SIGNED if signed else _UNSIGNED
    if not pattern.fullmatch(stripped):
        return None
    return int(stripped)
