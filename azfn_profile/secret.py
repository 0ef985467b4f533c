"""Secrets as values, not text: a secret cannot be printed, only compared and computed.

A `Secret` is a `str` whose characters are its printed form (`***`, or a connection
string with its credentials masked) while the value it stands for is kept aside. So:

- everything that turns it into text sees only the printed form: `str()`, `repr()`,
  f-strings, `%`, `str.join`, `json.dumps`, regular expressions, file writes. No
  report, log line or error message can contain the value, whichever path built it,
  and nothing searches the final text for secrets.
- everything that computes with it sees the value: `==`, hashing (dict keys, sets),
  `len`, `in`, `int()`, and every `str` method (`lower`, `split`, `replace`, ...),
  whose string results are secrets again. A secure settings object holding
  `FUNCTIONS_WORKER_RUNTIME: 'python'` is still judged as a Python app; its value
  prints as `***`, its keys as they are.

Readers mark what is secret where they read it: the values of secure parameters
(`securestring`, `secureObject`, `@secure()`, Terraform `sensitive`, a plan's
`after_sensitive`), and strings holding a credential, recognised by parsing them as a
connection string (`key=value;...`), a query string or a URL (`conceal_credentials`).
A template function applied to a secret computes either through `str` methods (whose
string results are secrets) or through what sees only the printed form (`json`,
`re`, `str.join`, `base64` of the bytes): no route gives back the value as text.

Numbers and truth values computed from a secret (`int()`, a length, a comparison) are
not secrets: they are what checks judge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, SupportsIndex
from urllib.parse import urlsplit

MASK = "***"

# Keys whose value is a credential, compared without case, spaces, `_` or `-`.
CREDENTIAL_KEYS = frozenset(
    {
        "accountkey",
        "storageaccountkey",
        "sharedaccesskey",
        "sharedaccesssignature",
        "accesskey",
        "password",
        "passwd",
        "pwd",
        "secret",
        "clientsecret",
        "sig",
        "code",
        "apikey",
        "key",
        "token",
        "accesstoken",
    }
)


def _noop(n: int) -> None:
    return None


class Secret(str):
    """A secret value; its text (`str(s)`, and the characters of the object) is
    only its printed form."""

    _value: str

    def __new__(cls, value: str, shown: str = MASK) -> Secret:  # noqa: PYI034
        self = super().__new__(cls, shown)
        self._value = reveal(value)
        return self

    # printing: the mask -----------------------------------------------------------
    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return repr(str.__str__(self))

    def __format__(self, spec: str) -> str:
        return format(str.__str__(self), spec)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Secret, (self._value, str.__str__(self)))

    # computing: the value -----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self._value == reveal(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, str):
            return self._value != reveal(other)
        return NotImplemented

    def __lt__(self, other: str) -> bool:
        return self._value < reveal(other)

    def __le__(self, other: str) -> bool:
        return self._value <= reveal(other)

    def __gt__(self, other: str) -> bool:
        return self._value > reveal(other)

    def __ge__(self, other: str) -> bool:
        return self._value >= reveal(other)

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and reveal(item) in self._value

    def __iter__(self) -> Iterator[str]:
        return (Secret(c) for c in self._value)

    def __getitem__(self, index: SupportsIndex | slice) -> str:
        return Secret(self._value[index])

    # concatenation keeps the other part readable: 'AccountKey=' + key shows
    # 'AccountKey=***'
    def __add__(self, other: str) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return Secret(self._value + reveal(other), str.__str__(self) + str(other))

    def __radd__(self, other: str) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return Secret(reveal(other) + self._value, str(other) + str.__str__(self))

    def __mul__(self, n: SupportsIndex) -> str:
        return Secret(self._value * n)

    __rmul__ = __mul__

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        # bytes leave the type behind: they hold the printed form only
        return str.__str__(self).encode(encoding, errors)


def _wrap(name: str) -> Callable[..., Any]:
    method = getattr(str, name)

    def wrapped(self: Secret, *args: Any, **kwargs: Any) -> Any:
        args = tuple(_reveal_arg(a) for a in args)
        kwargs = {k: _reveal_arg(v) for k, v in kwargs.items()}
        return _conceal_result(method(self._value, *args, **kwargs))

    wrapped.__name__ = name
    return wrapped


def _reveal_arg(arg: Any) -> Any:
    if isinstance(arg, Secret):
        return arg._value
    if isinstance(arg, list | tuple):
        return type(arg)(_reveal_arg(a) for a in arg)
    return arg


def _conceal_result(result: Any) -> Any:
    if isinstance(result, str):
        return Secret(result)
    if isinstance(result, list | tuple):
        return type(result)(_conceal_result(r) for r in result)
    return result


# Every other `str` method computes on the value; string results stay secret.
for _name in [
    "capitalize",
    "casefold",
    "center",
    "count",
    "endswith",
    "expandtabs",
    "find",
    "format",
    "format_map",
    "index",
    "isalnum",
    "isalpha",
    "isascii",
    "isdecimal",
    "isdigit",
    "isidentifier",
    "islower",
    "isnumeric",
    "isprintable",
    "isspace",
    "istitle",
    "isupper",
    "join",
    "ljust",
    "lower",
    "lstrip",
    "partition",
    "removeprefix",
    "removesuffix",
    "replace",
    "rfind",
    "rindex",
    "rjust",
    "rpartition",
    "rsplit",
    "rstrip",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "translate",
    "upper",
    "zfill",
    "__mod__",
]:
    setattr(Secret, _name, _wrap(_name))


def joined(parts: list[str]) -> str:
    """`"".join(parts)`; a secret when any part is one, printed with the other parts
    as they are."""
    if any(isinstance(p, Secret) for p in parts):
        return Secret("".join(reveal(p) for p in parts), "".join(parts))
    return "".join(parts)


def reveal(value: str) -> str:
    """The value a string stands for (itself, unless it is a Secret)."""
    return value._value if isinstance(value, Secret) else value


def _rebuilt(
    value: Any,
    leaf: Callable[[str], str],
    key: Callable[[Any], Any],
    charge: Callable[[int], None],
) -> Any:
    """A copy of `value` with `leaf` applied to its strings and `key` to its keys.
    Iterative; a container shared by several parts is copied once and stays shared."""
    if isinstance(value, str):
        return leaf(value)
    if not isinstance(value, dict | list):
        return value
    copies: dict[int, Any] = {}
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, where, item = stack.pop()
        charge(1)
        if isinstance(item, str):
            parent[where] = leaf(item)
        elif isinstance(item, dict | list):
            if id(item) in copies:
                parent[where] = copies[id(item)]
                continue
            if isinstance(item, dict):
                copy: Any = {key(k): v for k, v in item.items()}
                stack.extend((copy, k, v) for k, v in copy.items())
            else:
                copy = list(item)
                stack.extend((copy, i, v) for i, v in enumerate(copy))
            copies[id(item)] = parent[where] = copy
    return root[0]


def _secret(text: str) -> str:
    return text if isinstance(text, Secret) else Secret(text)


def conceal(value: Any, charge: Callable[[int], None] = _noop) -> Any:
    """`value` with every string in it secret (the keys of objects stay text: they
    are structure)."""
    return _rebuilt(value, _secret, lambda k: k, charge)


# -- credentials inside strings ---------------------------------------------------
def _is_credential_key(key: str) -> bool:
    folded = "".join(c for c in key.lower() if c not in " _-\t\"'")
    return folded in CREDENTIAL_KEYS


def _unquote(value: str) -> tuple[str, str, str]:
    stripped = value.strip()
    for quote in ('"', "'"):
        if len(stripped) >= 2 and stripped[0] == stripped[-1] == quote:
            return quote, stripped[1:-1], quote
    return "", value, ""


def _split(text: str, sep: str) -> list[str]:
    """`text` split at `sep`, except inside a quoted value (`Password="a;b"`)."""
    parts, start, quote = [], 0, ""
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'" and text[max(start, i - 1) : i].rstrip().endswith("="):
            quote = c
        elif c == sep:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _mask_pairs(text: str, sep: str) -> tuple[str, bool]:
    """`k=v<sep>k=v...` with the values of credential keys masked."""
    parts = _split(text, sep)
    found = False
    for i, part in enumerate(parts):
        key, eq, value = part.partition("=")
        if not eq or "://" in key:
            masked, hit = _mask_url(part)
            if hit:
                parts[i], found = masked, True
            continue
        if _is_credential_key(key) and value.strip():
            left, _, right = _unquote(value)
            parts[i], found = f"{key}={left}{MASK}{right}", True
            continue
        masked, hit = _mask_value(value)
        if hit:
            parts[i], found = f"{key}={masked}", True
    return sep.join(parts), found


def _mask_url(text: str) -> tuple[str, bool]:
    """A URL with its password and credential query parameters masked."""
    if "://" not in text:
        return text, False
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return MASK, True  # unparseable: nothing of it is shown
    found = False
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            netloc, found = f"{user}:{MASK}@{host}", True
    query = parts.query
    if query:
        query, hit = _mask_pairs(query, "&")
        found = found or hit
    if not found:
        return text, False
    rebuilt = f"{parts.scheme}://{netloc}{parts.path}"
    rebuilt += f"?{query}" if query else ""
    rebuilt += f"#{parts.fragment}" if parts.fragment else ""
    return rebuilt, True


def _mask_value(value: str) -> tuple[str, bool]:
    masked, found = _mask_url(value)
    if found:
        return masked, True
    if "&" in value and "=" in value:
        return _mask_pairs(value, "&")
    return value, False


def conceal_credentials(value: str) -> str:
    """`value`, secret when it holds a credential: a connection string's
    `AccountKey=`/`Password=`/... pair, a URL's `user:password@` or a query
    parameter such as `sig=` or `code=`. Its printed form masks only the credential
    (`AccountName=prod;AccountKey=***`)."""
    shown = str.__str__(value)  # a secret's printed form may hold one too
    if "=" not in shown and "@" not in shown:
        return value
    masked, found = _mask_pairs(shown, ";")
    if not found:
        return value
    return Secret(reveal(value), masked)
