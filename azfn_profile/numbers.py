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


# .NET's int.Parse (NumberStyles.Integer): blanks around, one sign, ASCII digits, a
# 32-bit result; anything else throws.
_DOTNET_BLANKS = "\t\n\v\f\r "
_INT32 = (-(2**31), 2**31 - 1)


def host_process_count(value: object) -> int | None:
    """The worker processes the host runs for a FUNCTIONS_WORKER_PROCESS_COUNT value,
    read as azure-functions-host reads it: `int.Parse(value) > 1 ? int.Parse(value)
    : 1` (RpcWorkerConfigFactory.GetWorkerProcessCount), so `"+4"` runs 4 and `"0"`
    or a negative number runs 1. None when `int.Parse` throws (not a 32-bit whole
    number): the host then adds no Python worker and no function loads. A count
    above the maximum (10) is returned as it is; the host refuses it too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif value == "":
        return 1  # not read at all: the worker's default
    elif isinstance(value, str):
        text = reveal(value).strip(_DOTNET_BLANKS)
        sign = text[:1] if text[:1] in ("+", "-") else ""
        digits = text[len(sign) :]
        if not (digits.isascii() and digits.isdigit()):
            return None
        digits = digits.lstrip("0") or "0"
        if len(digits) > 10:  # past 32 bits whatever follows
            return None
        number = int(sign + digits)
    else:
        return None
    if not _INT32[0] <= number <= _INT32[1]:
        return None
    return max(number, 1)
