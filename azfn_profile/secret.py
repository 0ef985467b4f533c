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
from functools import lru_cache
from typing import Any, SupportsIndex

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
@lru_cache(maxsize=4096)
def _is_credential_key(key: str) -> bool:
    """A credential's name, or a longer name ending in one (`DbPassword`,
    `LegacyStorageAccountKey`); the short ones (`key`, `pwd`, `sig`, `code`) only
    as they are."""
    folded = "".join(c for c in key.lower() if c not in " _-\t\"'")
    return folded in CREDENTIAL_KEYS or any(
        folded.endswith(name) for name in CREDENTIAL_KEYS if len(name) > 4
    )


_KEY_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)
_VALUE_ENDS = frozenset(";&\"', \t\r\n}])\\")
_AUTHORITY_ENDS = frozenset("/?#\"' \t\r\n\\;,}])")


def _mask_pairs(text: str) -> tuple[str, bool]:
    """`text` with the value of every `key=value` pair whose key names a credential
    masked, wherever the pair stands: a connection string (`;`), a query string
    (`&`), a URL, JSON or a sentence around it. A quoted value runs to its quote
    (`Password="a;b"`), an escaped one to the same escaped quote (`Password=\\"a\\"`
    in JSON written out). One pass over the text."""
    out: list[str] = []
    found, i, n = False, 0, len(text)
    while i < n:
        eq = text.find("=", i)
        if eq < 0:
            break
        k = eq
        while k > i and text[k - 1] == " ":
            k -= 1
        start = k
        while start > i and text[start - 1] in _KEY_CHARS:
            start -= 1
        if not _is_credential_key(text[start:k]):  # (before any scan ahead: linear)
            out.append(text[i : eq + 1])
            i = eq + 1
            continue
        v = eq + 1
        while v < n and text[v] == " ":
            v += 1
        q = v  # a quote, or one escaped once or more (`\"` in JSON written out)
        while q < n and text[q] == "\\":
            q += 1
        if q < n and text[q] in "\"'":
            end = text.find(text[v : q + 1], q + 1)
            vs, ve = q + 1, n if end < 0 else end
        else:
            vs = ve = v
            while ve < n and text[ve] not in _VALUE_ENDS:
                ve += 1
        if ve > vs:
            out += [text[i:vs], MASK]
            found, i = True, ve
        else:
            out.append(text[i : eq + 1])
            i = eq + 1
    out.append(text[i:])
    return "".join(out), found


def _mask_userinfo(text: str) -> tuple[str, bool]:
    """`text` with the password of every URL's `user:password@` masked."""
    out: list[str] = []
    found, i = False, 0
    while True:
        scheme = text.find("://", i)
        if scheme < 0:
            break
        start = end = scheme + 3
        while end < len(text) and text[end] not in _AUTHORITY_ENDS:
            end += 1
        userinfo, at, _ = text[start:end].rpartition("@")
        user, colon, password = userinfo.partition(":")
        if at and colon and password:
            out += [text[i:start], user, ":", MASK]
            found, i = True, start + len(userinfo)
        else:
            out.append(text[i:end])
            i = end
    out.append(text[i:])
    return "".join(out), found


def conceal_credentials(value: str) -> str:
    """`value`, secret when it holds a credential: an `AccountKey=`/`Password=`/
    `sig=`/`code=`/... pair anywhere in it (a connection string, a query string, a
    URL, JSON written out) or a URL's `user:password@`. Found by reading the value's
    pairs and URLs, never by searching a report; its printed form masks only the
    credential (`AccountName=prod;AccountKey=***`)."""
    shown = str.__str__(value)  # a secret's printed form may hold one too
    if "=" not in shown and "@" not in shown:
        return value
    masked, pairs = _mask_pairs(shown)
    masked, urls = _mask_userinfo(masked)
    if not (pairs or urls):
        return value
    return Secret(reveal(value), masked)
